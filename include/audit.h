/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_AUDIT_H
#define PORTWARDEN_AUDIT_H

#include <stdint.h>

#include "policy.h"
#include "sockdiag.h"

/* `portwarden audit`: listening sockets against the policy. */

enum audit_status {
	AUDIT_EXPOSED,		/* guarded by policy, reachable, nothing enforces it */
	AUDIT_PROTECTED,	/* guarded by policy, reachable, the kernel enforces it */
	AUDIT_PUBLIC,		/* policy open */
	AUDIT_LOCAL_ONLY,	/* bound to loopback only */
};

struct audit_facts {
	int enforced;		/* the installed table stops outside connections */
	int martian_guard;	/* the table drops loopback addresses from outside */
	const char *route_localnet;	/* an interface with route_localnet=1, or NULL */
};

/* The pure classification, unit-tested without sockets or a kernel. */
enum audit_status audit_classify(const struct sock_entry *s, enum policy_kind kind,
				 const struct audit_facts *f, const char **why);
const char *audit_status_name(enum audit_status st);

#endif
