// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket inode to owning process through /proc. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfd.h"

static void describe(struct proc_owner *o, int pid)
{
	char path[64];
	ssize_t n;
	int fd;

	o->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, o->comm, sizeof(o->comm) - 1);
		close(fd);
		o->comm[n > 0 ? n : 0] = '\0';
		o->comm[strcspn(o->comm, "\n")] = '\0';
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, o->exe, sizeof(o->exe) - 1);
	o->exe[n > 0 ? n : 0] = '\0';
}

/* Looks at the fds of one process; returns how many owners it filled. */
static unsigned scan_pid(int pid, struct proc_owner *owners, unsigned n)
{
	char dir[64], link[96], target[64];
	struct dirent *de;
	unsigned found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned long inode;
		unsigned i;
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%.20s", dir, de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &inode) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (!owners[i].pid && owners[i].inode == inode) {
				describe(&owners[i], pid);
				found++;
			}
	}
	closedir(d);
	return found;
}

void procfd_find(struct proc_owner *owners, unsigned n)
{
	unsigned left = n;
	struct dirent *de;
	DIR *proc;

	if (!n)
		return;
	proc = opendir("/proc");
	if (!proc)
		return;
	while (left && (de = readdir(proc))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		unsigned got;

		if (*end || pid <= 0 || pid > 0x7fffffff)
			continue;
		got = scan_pid((int)pid, owners, n);
		left = got < left ? left - got : 0;
	}
	closedir(proc);
}
