/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENER_H
#define PORTWARDEN_LISTENER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "procfd.h"
#include "sockentry.h"

/* Who listens on which port: listening TCP and bound UDP sockets of this
 * network namespace with the process holding each (and, in audit's table,
 * UDP-Lite, SCTP and DCCP sockets: named and listed, never looked up as a
 * TCP or UDP port's).  Pure: the sockets and
 * their processes are read elsewhere (listenscan.c, or beside the worker)
 * and handed in.  Looked up in O(1). */

struct listener {
	struct sock_entry sock;
	struct proc_owner owner;	/* owner.pid 0: not found (yet) */
	time_t retry;		/* an unfound owner is looked for again then */
	uint32_t next;		/* next socket on the same port: index + 1 */
};

/* Whose owner to look for; NULL: every socket's */
typedef int (*listener_want_fn)(const void *ctx, const struct sock_entry *s);

struct listener_table {
	listener_want_fn want;
	const void *want_ctx;
	struct listener *v;
	unsigned n, cap;
	uint32_t *head;		/* [2][65536]: index + 1 of a port's first socket */
	unsigned denied;	/* processes the last look-up could not look into */
	unsigned long changes;	/* sockets that came or went, all refreshes */
};

/* Takes over a dumped list of sockets, keeping what is known of inodes
 * seen before.  Returns 1 when sockets came or went, 0 when not, or
 * -ENOMEM (then the table is unchanged and socks freed). */
int listener_update(struct listener_table *t, struct sock_list *socks);
/* The inodes whose process is to be looked for now: at most cap of them
 * into inodes; returns how many. */
unsigned listener_unnamed(const struct listener_table *t, time_t now, uint32_t *inodes,
			  unsigned cap);
/* The processes found for inodes asked for (owners[i].inode; pid 0 when
 * not found, then looked for again later); denied: processes that could
 * not be looked into.  Returns 1 when an owner was found. */
int listener_named(struct listener_table *t, const struct proc_owner *owners, unsigned n,
		   unsigned denied, time_t now);
void listener_table_free(struct listener_table *t);

const struct listener *listener_first(const struct listener_table *t, uint8_t proto,
				      uint16_t port);
const struct listener *listener_next(const struct listener_table *t, const struct listener *l);

/* "name[pid]" of the port's first listener that has one, or "". */
const char *listener_describe(const struct listener_table *t, uint8_t proto, uint16_t port,
			      char *buf, size_t cap);

#endif
