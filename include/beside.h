/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_BESIDE_H
#define PORTWARDEN_BESIDE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "natscan.h"
#include "nlsock.h"
#include "procfd.h"

/* The slow reads a log line or a listener needs, on a thread of their own
 * beside the worker: the published ports (a dump of other tables, read
 * again only when the ruleset's generation changed) and the processes of
 * new listening sockets (a look through /proc).  The worker hands a
 * request over and takes the answer when it is there; it never waits for
 * one.  One request of each kind is out at a time.  Unasked, once a
 * second, the thread also looks whether the host uses NAT (nathooks.h: a
 * chain dump only when the generation moved); one generation check a
 * second serves both reads of the ruleset. */

struct beside_names {
	unsigned n, denied;
	struct proc_owner v[];	/* v[i].inode asked; pid 0: not found */
};

/* A whole file to put in place, text after the path */
struct beside_file {
	size_t len;
	char *text;
	char path[];
};

struct beside {
	pthread_t thread;
	int started;
	int wake, done;		/* eventfds: to the thread, to the worker */
	atomic_int stop, want_nat, busy;
	atomic_int sync_fd;	/* a duplicate of the log's fd to fdatasync, or -1 */
	_Atomic(struct beside_file *) file;	/* the metrics file to write, or NULL */
	atomic_int host_nat;	/* 1, 0, or -1 before the first look */
	_Atomic(struct natscan_list *) nat;	/* a fresh list for the worker */
	_Atomic(struct beside_names *) ask, answer;
	/* the thread's own */
	struct nlsock nl;
	struct natscan_list read;
	struct timespec checked, reread;	/* last look, last read */
	struct timespec gen_at;	/* the last generation check */
	uint32_t gen;		/* what it found */
	int gen_known;
	struct timespec hooks_at;	/* the last look at the NAT chains */
	uint32_t hooks_gen;	/* generation of the last chain dump */
	int hooks_known, nat_chains;
	struct procfd_cache procs;	/* processes looked at before */
	unsigned long nat_reads, nat_checks, syncs, sync_failed, gen_checks, hook_looks, hook_reads;
	unsigned long files, files_failed;
	int file_failing;	/* the last write failed, and said so */
	int nat_error, hooks_error;	/* of the last read, reported once */
};

/* Opens its sockets and starts the thread: 0 or -errno.  Started after
 * the daemon dropped its privileges, so the thread has what it kept. */
int beside_start(struct beside *b);
void beside_stop(struct beside *b);
/* Readable when an answer is waiting: poll it, then beside_ack(). */
int beside_fd(const struct beside *b);
void beside_ack(struct beside *b);

/* Published ports are wanted for a line: checked again if the last look
 * is older than a second, read again only if the generation changed (at
 * most every 5 s while it keeps changing).  The want stays until the
 * thread has looked: lines wait for it (bounded by the caller). */
void beside_want_nat(struct beside *b);
int beside_nat_wanted(const struct beside *b);
/* A fresher list replaces *l: 1 when it did, 0 when none was waiting. */
int beside_take_nat(struct beside *b, struct natscan_list *l);

/* Whether the host uses NAT, as the thread last saw it: 1 or 0; -EAGAIN
 * before its first look, -ENOTCONN when the thread does not run. */
int beside_host_nat(const struct beside *b);

/* Asks for the processes of n inodes: 0, -EBUSY while the last request is
 * out, -ENOMEM. */
int beside_ask_names(struct beside *b, const uint32_t *inodes, unsigned n);
/* The answer (the caller frees it), or NULL while there is none. */
struct beside_names *beside_take_names(struct beside *b);
/* A request or an answer is out */
int beside_naming(const struct beside *b);

/* fdatasync(fd) on the thread (a blocklog sync_elsewhere hook, ctx the
 * beside): 0, -EBUSY while the last is under way, -ENOTCONN when the
 * thread does not run (then the caller syncs), or -errno of dup(). */
int beside_sync(void *ctx, int fd);

/* Puts LEN bytes of TEXT in place at PATH on the thread (atomicfile:
 * temporary file, fsync, rename), which says when a write fails (once,
 * until one works again): 0 when handed over, replacing a write not yet
 * begun; -ENOTCONN when the thread does not run (then the caller writes),
 * -ENOMEM. */
int beside_write_file(struct beside *b, const char *path, const char *text, size_t len);

#endif
