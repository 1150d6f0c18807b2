/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENPOLICY_H
#define PORTWARDEN_LISTENPOLICY_H

#include <stdint.h>

#include "listener.h"
#include "policy.h"

/* What decides a port besides its number: who listens on it.  Pure: from
 * the listener table and the database, no I/O. */

#define LISTENPOLICY_WHO_MAX 256

struct listenpolicy_port {
	uint8_t proto;
	uint16_t port;
	/* every socket reachable from outside is held by an executable the
	 * entry names in served-by: the port is open while that lasts */
	const struct policy_entry *served;
	/* software dangerous when exposed holds it (entry with program),
	 * on a port no guarding entry covers: guarded as that entry says */
	const struct policy_entry *guard;
	char who[LISTENPOLICY_WHO_MAX];	/* the executable (served) or "name[pid]" */
};

struct listenpolicy {
	struct listenpolicy_port *v;
	unsigned n, cap;
	uint16_t *index;	/* [2][65536]: index + 1 into v, 0 for none */
};

/* Recomputes every port's facts; 0 or -ENOMEM (then lp is unchanged). */
int listenpolicy_compute(struct listenpolicy *lp, const struct listener_table *t,
			 const struct policy_db *db);
void listenpolicy_free(struct listenpolicy *lp);

/* O(1): the facts of one port, NULL when none */
const struct listenpolicy_port *listenpolicy_get(const struct listenpolicy *lp, uint8_t proto,
						 uint16_t port);

/* Does exe match one of the space-separated path patterns of served-by? */
int listenpolicy_served_by(const char *patterns, const char *exe);
/* Does the process match one of the base-name patterns of program (its
 * executable, argv[0] or argv[1])? */
int listenpolicy_is_program(const char *programs, const struct proc_owner *o);
/* The port one of the options names in the process's arguments
 * (--opt=[HOST:]PORT, --opt [HOST:]PORT, --opt alone = dflt); 0 when
 * none of the options is given. */
uint16_t listenpolicy_option_port(const char *options, const struct proc_owner *o, uint16_t dflt);

#endif
