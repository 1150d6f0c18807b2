// SPDX-License-Identifier: GPL-2.0-or-later
/* Classifying a listening socket: can an outsider connect, and why. */
#include <stdio.h>
#include <sys/socket.h>

#include "audit.h"

const char *audit_status_name(enum audit_status st)
{
	switch (st) {
	case AUDIT_EXPOSED:
		return "exposed";
	case AUDIT_SERVED:
		return "served";
	case AUDIT_OPEN:
		return "open";
	case AUDIT_LAN:
		return "lan";
	case AUDIT_PROTECTED:
		return "protected";
	case AUDIT_DROPPED:
		return "dropped";
	case AUDIT_LOCAL_ONLY:
		break;
	}
	return "local-only";
}

static enum audit_status loopback(const struct sock_entry *s, const struct audit_facts *f,
				  char *why, size_t cap)
{
	/* route_localnet lets packets for 127.0.0.0/8 in from outside; only
	 * the martian guard stops them (CVE-2020-8558) */
	if (s->family == AF_INET && f->route_localnet && !f->martian_guard) {
		snprintf(why, cap, "route_localnet=1 on %s makes 127.0.0.0/8 reachable from outside",
			 f->route_localnet);
		return AUDIT_EXPOSED;
	}
	return AUDIT_LOCAL_ONLY;
}

enum audit_status audit_classify(const struct sock_entry *s, const struct policy_entry *own,
				 const struct listenpolicy_port *listen,
				 const struct audit_facts *f, const struct policy_entry **entry,
				 char *why, size_t cap)
{
	const struct policy_entry *e = own;
	enum policy_kind kind;

	why[0] = '\0';
	*entry = own;
	if (sockdiag_is_loopback(s))
		return loopback(s, f, why, cap);
	/* dangerous software on a port no entry guards: its own entry applies */
	if ((!e || e->kind == POLICY_OPEN) && listen && listen->guard) {
		e = *entry = listen->guard;
		snprintf(why, cap, "%s is %s (%s)", listen->who, e->service,
			 e->title ? e->title : "dangerous when exposed");
	}
	kind = e ? (enum policy_kind)e->kind : POLICY_OPEN;
	/* the entry's listener line gave the port another policy */
	if (e && listen && listen->ruled == e) {
		kind = (enum policy_kind)listen->kind;
		snprintf(why, cap, "%s instead of %s: %s holds it (%s)", policy_kind_name(kind),
			 policy_kind_name((enum policy_kind)e->kind), listen->who, listen->rule);
	}
	if (kind == POLICY_OPEN)
		return AUDIT_OPEN;
	if (listen && listen->served == e) {
		snprintf(why, cap, "by %s", listen->who);
		return AUDIT_SERVED;
	}
	if (f->monitor) {
		snprintf(why, cap, "monitor mode: portwarden logs connections here, blocks none");
		return AUDIT_EXPOSED;
	}
	if (f->learning && e->kind == POLICY_LAN_ONLY) {
		snprintf(why, cap, "adoption window: connections are logged, not blocked, until "
			 "`portwarden adopt --finish`");
		return AUDIT_EXPOSED;
	}
	if (!f->enforced)
		return AUDIT_EXPOSED;
	return kind == POLICY_LAN_ONLY ? AUDIT_LAN : AUDIT_PROTECTED;
}

enum policy_kind audit_kind(const struct policy_entry *entry, const struct listenpolicy_port *listen)
{
	if (entry && listen && listen->ruled == entry)
		return (enum policy_kind)listen->kind;
	return entry ? (enum policy_kind)entry->kind : POLICY_OPEN;
}
