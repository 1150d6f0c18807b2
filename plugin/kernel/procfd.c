// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket inode to owning process through /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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

/* The process a thread id belongs to.  A pid the kernel gave out since
 * the last look may be a new thread of an old process: /proc/TID answers
 * with the process's fds but the thread's name, so the owner is named by
 * its thread group.  pid itself when it leads its group or cannot be read. */
static int thread_group_of(int pid)
{
	char path[64], text[1024];
	ssize_t n;
	const char *tgid;
	long v;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = read_small(path, text, sizeof(text) - 1);
	if (n <= 0)
		return pid;
	text[n] = '\0';
	tgid = strstr(text, "\nTgid:");
	if (!tgid)
		return pid;
	v = strtol(tgid + strlen("\nTgid:"), NULL, 10);
	return v > 0 && v <= 0x7fffffff ? (int)v : pid;
}

static void describe(struct proc_owner *o, int pid)
{
	size_t sl = strlen(DELETED_SUFFIX);
	char path[64];
	ssize_t n;

	pid = thread_group_of(pid);
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

/* The parent of a process (from /proc/PID/stat), or 0. */
static int parent_of(int pid)
{
	char path[64], text[512];
	const char *end;
	ssize_t n;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = read_small(path, text, sizeof(text) - 1);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* the name may hold anything: the fields go on after its last ')' */
	end = strrchr(text, ')');
	if (!end || sscanf(end + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/* Whether a process holds the socket (its fd links, where readable). */
static int holds(int pid, uint32_t inode)
{
	char dir[64], path[96], target[64];
	struct dirent *de;
	int yes = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while (!yes && (de = readdir(d))) {
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%.20s", dir, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		yes = procfd_socket_inode(target) == inode;
	}
	closedir(d);
	return yes;
}

/* A listening socket a server hands down to its workers (Postfix's
 * master to smtpd, a pre-forking web server) is held by all of them; its
 * owner is the one that opened it: the topmost holder up the process
 * tree, whichever holder a look came across first. */
#define HOLDER_DEPTH_MAX 16

static int topmost_holder(int pid, uint32_t inode)
{
	int depth;

	pid = thread_group_of(pid);
	for (depth = 0; depth < HOLDER_DEPTH_MAX; depth++) {
		int parent = parent_of(pid);

		if (parent <= 1 || !holds(parent, inode))
			break;
		pid = parent;
	}
	return pid;
}

static void found(struct walk *w, int pid, uint32_t inode)
{
	unsigned i;

	if (!inode)
		return;
	for (i = 0; i < w->n && w->left; i++)
		if (!w->owners[i].pid && w->owners[i].inode == inode) {
			describe(&w->owners[i], topmost_holder(pid, inode));
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
/* Adds pid to the cache (not scanned yet); -ENOMEM */
static int add_pid(struct procfd_cache *c, int pid, uint8_t flags)
{
	struct procfd_proc *p;

	if (2 * (c->n + 1) > (1u << c->bits) && cache_grow(c) < 0)
		return -ENOMEM;
	p = slot_of(c, pid);
	if (!p->pid) {
		p->pid = pid;
		p->flags = 0;
		c->n++;
	}
	p->flags |= flags;
	return 0;
}

/* The last pid the kernel gave out in our pid namespace (the last field
 * of /proc/loadavg), or 0. */
static int last_pid(void)
{
	char text[128];
	ssize_t n = read_small("/proc/loadavg", text, sizeof(text) - 1);
	const char *sp;
	long pid;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	sp = strrchr(text, ' ');
	pid = sp ? strtol(sp + 1, NULL, 10) : 0;
	return pid > 0 && pid <= 0x7fffffff ? (int)pid : 0;
}

static int pid_max(void)
{
	char text[32];
	ssize_t n = read_small("/proc/sys/kernel/pid_max", text, sizeof(text) - 1);
	long v;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	v = strtol(text, NULL, 10);
	return v > 0 && v <= 0x7fffffff ? (int)v : 0;
}

/* The pids given out since the last look, without listing /proc: most
 * exited already, and a look at one that did costs a failed open.  0, or
 * -ERANGE when there are too many of them (a fork storm: list instead). */
#define NEW_PIDS_MAX 4096

static int add_new_pids(struct procfd_cache *c)
{
	int last = last_pid(), pid, count;

	if (!last || !c->last_pid || !c->pid_max || last > c->pid_max)
		return -ERANGE;
	count = last >= c->last_pid ? last - c->last_pid : c->pid_max - c->last_pid + last;
	if (count > NEW_PIDS_MAX)
		return -ERANGE;
	for (pid = c->last_pid; count-- > 0;) {
		pid = pid >= c->pid_max ? 1 : pid + 1;
		if (add_pid(c, pid, SEEN) < 0)
			return -ENOMEM;
	}
	c->last_pid = last;
	return 0;
}

static int list_procs(struct procfd_cache *c)
{
	struct dirent *de;
	unsigned i, kept = 0;
	DIR *proc = opendir("/proc");

	if (!proc)
		return -errno;
	c->last_pid = last_pid();
	if (!c->pid_max)
		c->pid_max = pid_max();
	for (i = 0; c->v && i < (1u << c->bits); i++)
		c->v[i].flags &= (uint8_t)~(SEEN | JUST);
	while ((de = readdir(proc))) {
		int pid = pid_of(de);

		if (pid && add_pid(c, pid, SEEN) < 0) {
			closedir(proc);
			return -ENOMEM;
		}
	}
	closedir(proc);
	clock_gettime(CLOCK_MONOTONIC, &c->listed);
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

static int listed(const uint32_t *v, unsigned n, uint32_t inode)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (v[i] == inode)
			return 1;
	return 0;
}

/* Worth a look at every process: a socket the last look missed as well
 * (one closed between the dump and the look is not asked for again), and
 * that the last whole walk did not miss (a kernel's socket: nfsd, lockd). */
static int worth_a_walk(const struct procfd_cache *c, const struct proc_owner *owners, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (owners[i].inode && !owners[i].pid && listed(c->unfound, c->nunfound, owners[i].inode) &&
		    !listed(c->missing, c->nmissing, owners[i].inode))
			return 1;
	return 0;
}

/* into v: the inodes still without an owner */
static unsigned remember(uint32_t *v, const struct proc_owner *owners, unsigned n)
{
	unsigned i, m = 0;

	for (i = 0; i < n && m < PROCFD_MISSING_MAX; i++)
		if (owners[i].inode && !owners[i].pid)
			v[m++] = owners[i].inode;
	return m;
}

/* New processes since the last look: from the pids given out meanwhile,
 * or, now and then (exited ones are forgotten then), a listing of /proc */
#define LIST_SECONDS 30

static int update_procs(struct procfd_cache *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->v && now.tv_sec - c->listed.tv_sec < LIST_SECONDS) {
		unsigned i;

		for (i = 0; i < (1u << c->bits); i++)
			c->v[i].flags &= (uint8_t)~JUST;
		if (add_new_pids(c) == 0)
			return 0;
	}
	return list_procs(c);
}

unsigned procfd_find_cached(struct procfd_cache *c, struct proc_owner *owners, unsigned n)
{
	struct walk w = { owners, n, 0, -2, 0 };

	w.left = wanted(owners, n);
	if (!w.left)
		return 0;
	if (update_procs(c) < 0)
		return procfd_find(owners, n);
	round_over(c, &w, 1);
	/* and at most one every PROCFD_WALK_SECONDS: a churn of short-lived
	 * listeners must not make looks whole walks */
	if (w.left && worth_a_walk(c, owners, n) && time(NULL) - c->walked >= PROCFD_WALK_SECONDS) {
		c->walks++;
		c->walked = time(NULL);
		round_over(c, &w, 0);
		c->nmissing = remember(c->missing, owners, n);
	}
	c->nunfound = remember(c->unfound, owners, n);
	return w.denied;
}

void procfd_cache_free(struct procfd_cache *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
