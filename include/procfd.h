/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PROCFD_H
#define PORTWARDEN_PROCFD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Which process holds a socket: one pass over /proc. */

#define PROCFD_ARGS_MAX 512

struct proc_owner {
	uint32_t inode;
	int pid;		/* 0 when not found */
	char comm[32];
	char exe[256];		/* resolved path, " (deleted)" removed */
	char args[PROCFD_ARGS_MAX];	/* argv, each argument ending in '\0' */
	size_t args_len;
};

/* Fills owners[i] for each owners[i].inode set by the caller.  Returns how
 * many processes could not be looked into (no permission): when some
 * owners stay unfound and this is not 0, the caller lacks privileges.
 *
 * A process's fd directory is readable by its own user (and with
 * CAP_DAC_READ_SEARCH); fdinfo is readable under ptrace rules, so with
 * CAP_SYS_PTRACE alone the socket inodes are found there instead. */
unsigned procfd_find(struct proc_owner *owners, unsigned n);

/* The same, remembering the processes it looked at: a new socket is
 * looked for first in the processes that appeared since the last look and
 * in those that held sockets before, and only then in every other.  Costs
 * grow with the new processes, not with all of them. */
struct procfd_proc {
	int pid;
	uint8_t flags;
};

#define PROCFD_MISSING_MAX 64
#define PROCFD_WALK_SECONDS 10	/* between two looks at every process */

struct procfd_cache {
	struct procfd_proc *v;	/* open addressing by pid */
	unsigned n, bits;
	unsigned long walks;	/* looks that went past the new processes */
	time_t walked;		/* the last of them */
	struct timespec listed;	/* the last listing of /proc, CLOCK_MONOTONIC */
	int last_pid, pid_max;	/* the last pid given out when looked */
	uint32_t missing[PROCFD_MISSING_MAX];	/* not found by the last such look */
	unsigned nmissing;
	uint32_t unfound[PROCFD_MISSING_MAX];	/* not found by the last look */
	unsigned nunfound;
};

unsigned procfd_find_cached(struct procfd_cache *c, struct proc_owner *owners, unsigned n);
void procfd_cache_free(struct procfd_cache *c);

/* The inode of "socket:[N]" (an fd link's target); 0 when it is not one. */
uint32_t procfd_socket_inode(const char *target);
/* The socket inode an fdinfo text describes, given sockfs's mount id;
 * 0 when it describes something else. */
uint32_t procfd_fdinfo_inode(const char *text, int sock_mnt_id);

/* n bytes of /proc/PID/cmdline (from buf, which may be o->args) into
 * o->args as the walk reads them: at most the buffer, always ending in a
 * NUL even when the last argument was cut off. */
void procfd_take_args(struct proc_owner *o, const char *buf, size_t n);

/* The argument after the n-th, or NULL: walks an args buffer. */
const char *procfd_next_arg(const struct proc_owner *o, const char *arg);

#endif
