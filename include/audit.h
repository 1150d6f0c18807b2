/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_AUDIT_H
#define PORTWARDEN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "listenpolicy.h"
#include "policy.h"
#include "sockdiag.h"

/* `portwarden audit`: listening sockets against the policy.  Worst first. */

enum audit_status {
	AUDIT_EXPOSED,		/* guarded by policy, and an outsider can connect */
	AUDIT_SERVED,		/* guarded, allowed: a public server of it holds it */
	AUDIT_OPEN,		/* no entry guards it: reachable, as the policy says */
	AUDIT_LAN,		/* the kernel lets the LAN only reach it */
	AUDIT_PROTECTED,	/* the kernel stops outsiders right now */
	AUDIT_DROPPED,		/* another table (ufw, firewalld, nft) drops every client */
	AUDIT_LOCAL_ONLY,	/* bound to loopback only */
};

struct audit_facts {
	int enforced;		/* the installed table stops outside connections */
	int monitor;		/* the table only watches (mode = monitor) */
	int martian_guard;	/* the table drops loopback addresses from outside */
	const char *route_localnet;	/* an interface with route_localnet=1, or NULL */
	int learning;		/* an adoption window: lan-only ports only watched */
};

/* The pure classification, unit-tested without sockets or a kernel.  own
 * is the port's entry (NULL when none), listen what who listens says of
 * the port (NULL: nothing).  *entry becomes the entry that applies; why
 * gets a reason, or "" when the entry's title says it. */
enum audit_status audit_classify(const struct sock_entry *s, const struct policy_entry *own,
				 const struct listenpolicy_port *listen,
				 const struct audit_facts *f, const struct policy_entry **entry,
				 char *why, size_t cap);
const char *audit_status_name(enum audit_status st);
/* The policy that applies to a socket classified with entry: the entry's,
 * or the one its listener line gives the port. */
enum policy_kind audit_kind(const struct policy_entry *entry, const struct listenpolicy_port *listen);

#endif
