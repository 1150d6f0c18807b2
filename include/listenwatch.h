/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENWATCH_H
#define PORTWARDEN_LISTENWATCH_H

#include <stdint.h>

#include "portmap.h"
#include <time.h>

#include "beside.h"
#include "firewall.h"
#include "listener.h"
#include "listenpolicy.h"

/* The daemon's listener watcher: keeps the listener table current (one
 * sock_diag socket, a dump a second and on demand) and the kernel's sets
 * in step with it (see listenpolicy_sets()): @served for ports a served-by
 * executable holds; @lan_only elements added or taken out, and @guarded's
 * element re-commented, for ports whose entry's listener line changes
 * their policy; extra @guarded (and @lan_only) elements for ports such a
 * line or dangerous software guards.  Each change is one transaction.
 * Runs between queue drains, never for a single packet. */

#define LISTENWATCH_INTERVAL_MS 1000
#define LISTENWATCH_ASKED_MS 50	/* the soonest look after the last, when asked for */

struct listenwatch {
	struct nlsock diag;
	struct listener_table table;
	struct listenpolicy lp;
	struct timespec last;
	int wanted;		/* a refresh was asked for before the next tick */
	struct beside *namer;	/* names new sockets beside the worker; NULL: here */
	int awaiting;		/* sockets wait for their process's name */
	int apply_pending;	/* new facts held back for that name, one look at most */
	int out_of_step;	/* a transaction failed: the table needs a full apply */
	/* the maps last (listenwatch_open): what the kernel holds now beyond
	 * the database, [tcp, udp] bitmaps, one per LISTENPOLICY_SET_ fact */
	uint8_t served[2][PORTMAP_BYTES], guarded[2][PORTMAP_BYTES], lan[2][PORTMAP_BYTES];
	uint8_t unlan[2][PORTMAP_BYTES], relabel[2][PORTMAP_BYTES];
	/* what the whole table being installed carries (listenwatch_elems) */
	uint8_t next_served[2][PORTMAP_BYTES], next_guarded[2][PORTMAP_BYTES],
		next_lan[2][PORTMAP_BYTES], next_unlan[2][PORTMAP_BYTES],
		next_relabel[2][PORTMAP_BYTES];
};

/* The ports @blocked holds, owned by the daemon: a port that becomes
 * served, or that dangerous software leaves, is taken out of it. */
struct listenwatch_blocked {
	uint8_t (*map)[PORTMAP_BYTES];
	unsigned long *count;
};

int listenwatch_open(struct listenwatch *w);
void listenwatch_close(struct listenwatch *w);

/* Refreshes when the interval has passed or a refresh was asked for, then
 * brings the kernel in step.  Returns 0, or -ESTALE at such a time while
 * the kernel is out of step (a transaction failed): the caller then
 * installs the whole table again. */
int listenwatch_tick(struct listenwatch *w, const struct timespec *now, struct firewall *fw,
		     const struct policy_db *db, const struct listenwatch_blocked *blocked);

/* The thread beside the worker named sockets: the table and the kernel
 * take it in.  0, or -ESTALE as listenwatch_tick(). */
int listenwatch_named(struct listenwatch *w, time_t now, struct firewall *fw,
		      const struct policy_db *db, const struct listenwatch_blocked *blocked);

/* Recomputes the facts for a new database, before it is applied. */
int listenwatch_recompute(struct listenwatch *w, const struct policy_db *db);

/* The elements the whole table must carry so that a reload or a restore
 * keeps what the watcher decided; *comments is storage the caller frees
 * together with the array.  A port a public server holds keeps no
 * @blocked element. */
struct ruleset_elem *listenwatch_elems(struct listenwatch *w, const struct policy_db *db,
				       const struct listenwatch_blocked *blocked, unsigned *n,
				       char **comments);
/* The kernel acknowledged the table of the last listenwatch_elems() for
 * db: what it carries is what the kernel holds now (and each port newly
 * decided is logged). */
void listenwatch_commit(struct listenwatch *w, const struct policy_db *db);

#endif
