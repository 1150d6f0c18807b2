/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENPOLICY_H
#define PORTWARDEN_LISTENPOLICY_H

#include <stdint.h>

#include "listener.h"
#include "policy.h"

/* What decides a port besides its number: who listens on it.  Pure: from
 * the listener table and the database, no I/O. */

#define LISTENPOLICY_WHO_MAX 256
#define LISTENPOLICY_RULE_MAX 96

struct listenpolicy_port {
	uint8_t proto;
	uint16_t port;
	/* every socket reachable from outside is held by an executable the
	 * entry names in served-by: the port is open while that lasts */
	const struct policy_entry *served;
	/* software dangerous when exposed holds it (entry with program),
	 * on a port no guarding entry covers: guarded as that entry says */
	const struct policy_entry *guard;
	/* a listener line of the port's own entry gives it kind (lan-only or
	 * loopback-only) instead of the entry's policy, while it listens */
	const struct policy_entry *ruled;
	uint8_t kind;
	char rule[LISTENPOLICY_RULE_MAX];	/* "listener lan-only grafana*": what matched */
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

/* The policy the port has now: the entry's, or what its listener made it. */
enum policy_kind listenpolicy_kind(const struct listenpolicy_port *p, const struct policy_db *db);

/* What the kernel's port sets hold for a port beyond what the database puts
 * there, decided by its listener: */
#define LISTENPOLICY_SET_SERVED		0x01	/* in @served: open while it listens */
#define LISTENPOLICY_SET_GUARDED	0x02	/* added to @guarded: no entry guards it */
#define LISTENPOLICY_SET_LAN		0x04	/* added to @lan_only */
#define LISTENPOLICY_SET_UNLAN		0x08	/* taken out of @lan_only */
#define LISTENPOLICY_SET_RELABEL	0x10	/* @guarded's element names the listener */
unsigned listenpolicy_sets(const struct listenpolicy_port *p, const struct policy_db *db);

/* Does the process match one of the space-separated patterns of a listener
 * line: an absolute path pattern (the resolved executable), a name pattern
 * (base name of the executable, argv[0] or argv[1], as program), or
 * NAME:ARG (such a name, and a later argument matching ARG)?  The pattern
 * that matched goes to matched when it is not NULL. */
int listenpolicy_listener_matches(const char *patterns, const struct proc_owner *o,
				  char *matched, size_t cap);

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
