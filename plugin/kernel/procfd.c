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

static void read_args(struct proc_owner *o, int pid)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_small(path, o->args, sizeof(o->args) - 1);
	o->args_len = n > 0 ? (size_t)n : 0;
	/* a cut-off last argument still ends in '\0' */
	o->args[o->args_len] = '\0';
	if (o->args_len && o->args[o->args_len - 1] != '\0')
		o->args_len++;
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

unsigned procfd_find(struct proc_owner *owners, unsigned n)
{
	struct walk w = { owners, n, 0, -2, 0 };
	struct dirent *de;
	unsigned i;
	DIR *proc;

	for (i = 0; i < n; i++)
		w.left += owners[i].inode && !owners[i].pid;
	if (!w.left)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 1;
	while (w.left && (de = readdir(proc))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		int ret;

		if (*end || pid <= 0 || pid > 0x7fffffff)
			continue;
		ret = scan(&w, (int)pid, "fd", inode_by_link);
		if (ret == -EACCES || ret == -EPERM) {
			if (w.sock_mnt_id == -2)
				w.sock_mnt_id = sockfs_mnt_id();
			ret = w.sock_mnt_id < 0 ? ret : scan(&w, (int)pid, "fdinfo", inode_by_fdinfo);
		}
		/* ENOENT: the process has exited meanwhile */
		if (ret < 0 && ret != -ENOENT)
			w.denied++;
	}
	closedir(proc);
	return w.denied;
}
