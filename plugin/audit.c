// SPDX-License-Identifier: GPL-2.0-or-later
/* Classifying a listening socket. */
#include <sys/socket.h>

#include "audit.h"

const char *audit_status_name(enum audit_status st)
{
	switch (st) {
	case AUDIT_EXPOSED:
		return "exposed";
	case AUDIT_PROTECTED:
		return "protected";
	case AUDIT_PUBLIC:
		return "public";
	case AUDIT_LOCAL_ONLY:
		break;
	}
	return "local-only";
}

enum audit_status audit_classify(const struct sock_entry *s, enum policy_kind kind,
				 const struct audit_facts *f, const char **why)
{
	*why = NULL;
	if (sockdiag_is_loopback(s)) {
		/* route_localnet lets packets for 127.0.0.0/8 in from outside;
		 * only the martian guard stops them (CVE-2020-8558) */
		if (s->family == AF_INET && f->route_localnet && !f->martian_guard) {
			*why = "route_localnet=1 makes 127.0.0.0/8 reachable from outside";
			return AUDIT_EXPOSED;
		}
		return AUDIT_LOCAL_ONLY;
	}
	if (kind == POLICY_OPEN)
		return AUDIT_PUBLIC;
	return f->enforced ? AUDIT_PROTECTED : AUDIT_EXPOSED;
}
