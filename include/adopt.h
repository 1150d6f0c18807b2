/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ADOPT_H
#define PORTWARDEN_ADOPT_H

#include <stdint.h>

#include "lan.h"
#include "policy.h"

/* `portwarden adopt`, run once before the first start: services the policy
 * would block but that remote clients use right now get an override, so
 * installing portwarden never cuts a service in use. */

/* One established TCP connection, from /proc/net/tcp and tcp6. */
struct adopt_conn {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t local[16], remote[16];	/* network order */
	uint16_t lport, rport;
};

/* Parses one line of /proc/net/tcp (v6 = 0) or tcp6 (v6 = 1): 1 for an
 * established connection, 0 for another state or the heading, -1 when the
 * line is malformed. */
int adopt_parse_proc_tcp(const char *line, int v6, struct adopt_conn *c);

enum adopt_verdict {
	ADOPT_NONE,		/* nobody outside the policy uses it: it will be guarded */
	ADOPT_LAN,		/* LAN clients use a loopback-only port: make it lan-only */
	ADOPT_OPEN,		/* clients from outside the LAN use it: make it open */
};


/* The verdict for one guarded port from its clients; *example gets the
 * index of a client that decided it (or -1). */
enum adopt_verdict adopt_decide(const struct adopt_conn *conns, unsigned n, uint16_t port,
				enum policy_kind kind, const struct lan *lan, int *example,
				unsigned *clients);

#endif
