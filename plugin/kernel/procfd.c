// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket inode to owning process through /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procfd.h"

#define DELETED_SUFFIX " (deleted)"

uint32_t procfd_socket_inode(const char *target)
{
	unsigned long inode;
	char end;

	if (sscanf(target, "socket:[%lu%c", &inode, &end) != 2 || end != ']' || inode > UINT32_MAX)
		return 0;
	return (uint32_t)inode;
}

/* fdinfo reads "pos:\t0\nflags:\t02\nmnt_id:\t8\nino:\t12345\n..." */
uint32_t procfd_fdinfo_inode(const char *text, int sock_mnt_id)
{
	const char *mnt = strstr(text, "mnt_id:"), *ino = strstr(text, "\nino:");
	unsigned long inode;
	int id;

	if (!mnt || !ino || sscanf(mnt, "mnt_id: %d", &id) != 1 || id != sock_mnt_id ||
	    sscanf(ino, "\nino: %lu", &inode) != 1 || inode > UINT32_MAX)
		return 0;
	return (uint32_t)inode;
}

const char *procfd_next_arg(const struct proc_owner *o, const char *arg)
{
	const char *end = o->args + o->args_len;

	if (!arg)
		return o->args_len ? o->args : NULL;
	arg += strnlen(arg, (size_t)(end - arg)) + 1;
	return arg < end ? arg : NULL;
}

/* Reads a small /proc file; bytes read, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	return n;
}

void procfd_take_args(struct proc_owner *o, const char *buf, size_t n)
{
	o->args_len = n < sizeof(o->args) - 1 ? n : sizeof(o->args) - 1;
	if (buf != o->args)
		memmove(o->args, buf, o->args_len);
	/* a cut-off last argument still ends in '\0' */
	o->args[o->args_len] = '\0';
	if (o->args_len && o->args[o->args_len - 1] != '\0')
		o->args_len++;
}

static void read_args(struct proc_owner *o, int pid)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_small(path, o->args, sizeof(o->args) - 1);
	procfd_take_args(o, o->args, n > 0 ? (size_t)n : 0);
}

static void describe(struct proc_owner *o, int pid)
{
	size_t sl = strlen(DELETED_SUFFIX);
	char path[64];
	ssize_t n;

	o->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = read_small(path, o->comm, sizeof(o->comm) - 1);
	o->comm[n > 0 ? n : 0] = '\0';
	o->comm[strcspn(o->comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, o->exe, sizeof(o->exe) - 1);
	o->exe[n > 0 ? n : 0] = '\0';
	/* an upgraded package replaced the binary under a running daemon:
	 * the path it was started from is still the right name */
	if (n > (ssize_t)sl && !strcmp(o->exe + n - sl, DELETED_SUFFIX))
		o->exe[n - (ssize_t)sl] = '\0';
	read_args(o, pid);
}

struct walk {
	struct proc_owner *owners;
	unsigned n, left;
	int sock_mnt_id;	/* -1 when unknown */
	unsigned denied;
};

static void found(struct walk *w, int pid, uint32_t inode)
{
	unsigned i;

	if (!inode)
		return;
	for (i = 0; i < w->n && w->left; i++)
		if (!w->owners[i].pid && w->owners[i].inode == inode) {
			describe(&w->owners[i], pid);
			w->left--;
		}
}

/* The socket inode one fd entry names, by its fd link: readable by the
 * process's own user, root, or with CAP_DAC_READ_SEARCH. */
static uint32_t inode_by_link(const char *path, int sock_mnt_id)
{
	char target[64];
	ssize_t len = readlink(path, target, sizeof(target) - 1);

	(void)sock_mnt_id;
	if (len <= 0)
		return 0;
	target[len] = '\0';
	return procfd_socket_inode(target);
}

/* The same by fdinfo: readable wherever ptrace rules allow (CAP_SYS_PTRACE). */
static uint32_t inode_by_fdinfo(const char *path, int sock_mnt_id)
{
	char text[512];
	ssize_t len = read_small(path, text, sizeof(text) - 1);

	if (len <= 0)
		return 0;
	text[len] = '\0';
	return procfd_fdinfo_inode(text, sock_mnt_id);
}

/* Every fd of one process, through /proc/PID/<sub>. */
static int scan(struct walk *w, int pid, const char *sub,
		uint32_t (*inode_of)(const char *path, int sock_mnt_id))
{
	char dir[64], path[96];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/%s", pid, sub);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (w->left && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%.20s", dir, de->d_name);
		found(w, pid, inode_of(path, w->sock_mnt_id));
	}
	closedir(d);
	return 0;
}

/* sockfs's mount id, read from an fdinfo of our own socket */
static int sockfs_mnt_id(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), id = -1;
	char path[64], text[512];
	ssize_t n;

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = read_small(path, text, sizeof(text) - 1);
	if (n > 0) {
		const char *mnt;

		text[n] = '\0';
		mnt = strstr(text, "mnt_id:");
		if (!mnt || sscanf(mnt, "mnt_id: %d", &id) != 1)
			id = -1;
	}
	close(fd);
	return id;
}

static int pid_of(const struct dirent *de)
{
	char *end;
	long pid = strtol(de->d_name, &end, 10);

	return *end || pid <= 0 || pid > 0x7fffffff ? 0 : (int)pid;
}

/* Every fd of one process; the count of those it could not look into. */
static void scan_pid(struct walk *w, int pid)
{
	int ret = scan(w, pid, "fd", inode_by_link);

	if (ret == -EACCES || ret == -EPERM) {
		if (w->sock_mnt_id == -2)
			w->sock_mnt_id = sockfs_mnt_id();
		ret = w->sock_mnt_id < 0 ? ret : scan(w, pid, "fdinfo", inode_by_fdinfo);
	}
	/* ENOENT: the process has exited meanwhile */
	if (ret < 0 && ret != -ENOENT)
		w->denied++;
}

static unsigned wanted(struct proc_owner *owners, unsigned n)
{
	unsigned i, left = 0;

	for (i = 0; i < n; i++)
		left += owners[i].inode && !owners[i].pid;
	return left;
}

unsigned procfd_find(struct proc_owner *owners, unsigned n)
{
	struct walk w = { owners, n, 0, -2, 0 };
	struct dirent *de;
	DIR *proc;

	w.left = wanted(owners, n);
	if (!w.left)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 1;
	while (w.left && (de = readdir(proc))) {
		int pid = pid_of(de);

		if (pid)
			scan_pid(&w, pid);
	}
	closedir(proc);
	return w.denied;
}

/* ---- the same without walking every process ------------------------------ */

enum {
	SEEN = 1,	/* in the last listing of /proc */
	SCANNED = 2,	/* its fds were looked at since it appeared */
	HOLDER = 4,	/* held a socket that was looked for */
	JUST = 8,	/* looked at in this look already */
};

static uint32_t pid_hash(int pid)
{
	return (uint32_t)pid * 2654435761u;
}

static struct procfd_proc *slot_of(struct procfd_cache *c, int pid)
{
	uint32_t h = pid_hash(pid) >> (32 - c->bits);

	while (c->v[h].pid && c->v[h].pid != pid)
		h = (h + 1) & ((1u << c->bits) - 1);
	return &c->v[h];
}

static int cache_grow(struct procfd_cache *c)
{
	struct procfd_cache bigger = *c;
	unsigned i;

	bigger.bits = c->bits ? c->bits + 1 : 10;
	bigger.v = calloc(1u << bigger.bits, sizeof(*bigger.v));
	if (!bigger.v)
		return -ENOMEM;
	for (i = 0; c->v && i < (1u << c->bits); i++)
		if (c->v[i].pid)
			*slot_of(&bigger, c->v[i].pid) = c->v[i];
	free(c->v);
	*c = bigger;
	return 0;
}

/* Lists /proc: new processes are added, exited ones forgotten. */
static int list_procs(struct procfd_cache *c)
{
	struct dirent *de;
	unsigned i, kept = 0;
	DIR *proc = opendir("/proc");

	if (!proc)
		return -errno;
	for (i = 0; c->v && i < (1u << c->bits); i++)
		c->v[i].flags &= (uint8_t)~(SEEN | JUST);
	while ((de = readdir(proc))) {
		int pid = pid_of(de);
		struct procfd_proc *p;

		if (!pid)
			continue;
		if (2 * (c->n + 1) > (1u << c->bits) && cache_grow(c) < 0) {
			closedir(proc);
			return -ENOMEM;
		}
		p = slot_of(c, pid);
		if (!p->pid) {
			p->pid = pid;
			p->flags = 0;
			c->n++;
		}
		p->flags |= SEEN;
	}
	closedir(proc);
	/* the exited: rebuilt without them, so probing stays intact */
	for (i = 0; i < (1u << c->bits); i++)
		kept += (c->v[i].flags & SEEN) != 0;
	if (kept != c->n) {
		struct procfd_cache fresh = *c;

		fresh.v = calloc(1u << fresh.bits, sizeof(*fresh.v));
		if (!fresh.v)
			return -ENOMEM;
		for (i = 0; i < (1u << c->bits); i++)
			if (c->v[i].flags & SEEN)
				*slot_of(&fresh, c->v[i].pid) = c->v[i];
		fresh.n = kept;
		free(c->v);
		*c = fresh;
	}
	return 0;
}

static void look_into(struct walk *w, struct procfd_proc *p)
{
	unsigned before = w->left;

	scan_pid(w, p->pid);
	p->flags |= SCANNED | JUST;
	if (w->left < before)
		p->flags |= HOLDER;
}

/* New processes are those not scanned yet: a round over them and over the
 * processes that held sockets before finds a new listener of either; the
 * second round takes every other process. */
static void round_over(struct procfd_cache *c, struct walk *w, int first)
{
	unsigned i;

	for (i = 0; w->left && i < (1u << c->bits); i++) {
		struct procfd_proc *p = &c->v[i];
		int likely = !(p->flags & SCANNED) || (p->flags & HOLDER);

		if (p->pid && !(p->flags & JUST) && (first ? likely : 1))
			look_into(w, p);
	}
}

/* Sockets a whole walk did not find (a kernel's: nfsd, lockd) are not
 * worth another one while only they are wanted. */
static int only_missing(const struct procfd_cache *c, const struct proc_owner *owners, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		if (!owners[i].inode || owners[i].pid)
			continue;
		for (j = 0; j < c->nmissing && c->missing[j] != owners[i].inode; j++)
			;
		if (j == c->nmissing)
			return 0;
	}
	return 1;
}

static void remember_missing(struct procfd_cache *c, const struct proc_owner *owners, unsigned n)
{
	unsigned i;

	c->nmissing = 0;
	for (i = 0; i < n && c->nmissing < PROCFD_MISSING_MAX; i++)
		if (owners[i].inode && !owners[i].pid)
			c->missing[c->nmissing++] = owners[i].inode;
}

unsigned procfd_find_cached(struct procfd_cache *c, struct proc_owner *owners, unsigned n)
{
	struct walk w = { owners, n, 0, -2, 0 };

	w.left = wanted(owners, n);
	if (!w.left)
		return 0;
	if (list_procs(c) < 0)
		return procfd_find(owners, n);
	round_over(c, &w, 1);
	if (w.left && !only_missing(c, owners, n)) {
		c->walks++;
		round_over(c, &w, 0);
		remember_missing(c, owners, n);
	}
	return w.denied;
}

void procfd_cache_free(struct procfd_cache *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
