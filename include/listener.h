/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENER_H
#define PORTWARDEN_LISTENER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nlsock.h"
#include "procfd.h"
#include "sockdiag.h"

/* Who listens on which port: listening TCP and bound UDP sockets of this
 * network namespace with the process holding each.  Refreshed off the
 * packet path; looked up in O(1). */

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

/* Dumps the sockets through nl (a sock_diag socket), keeps what is known of
 * inodes seen before and finds the processes of new ones in one pass over
 * /proc.  Returns 1 when the sockets or their owners changed, 0 when not,
 * or -errno (then the table is unchanged). */
int listener_refresh(struct listener_table *t, struct nlsock *nl, time_t now);
/* The same from an already dumped list (which it takes over). */
int listener_update(struct listener_table *t, struct sock_list *socks, time_t now);
void listener_table_free(struct listener_table *t);

const struct listener *listener_first(const struct listener_table *t, uint8_t proto,
				      uint16_t port);
const struct listener *listener_next(const struct listener_table *t, const struct listener *l);

/* "name[pid]" of the port's first listener that has one, or "". */
const char *listener_describe(const struct listener_table *t, uint8_t proto, uint16_t port,
			      char *buf, size_t cap);

#endif
