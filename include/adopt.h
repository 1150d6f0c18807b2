/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ADOPT_H
#define PORTWARDEN_ADOPT_H

#include <stdint.h>

#include "lan.h"
#include "policy.h"

/* `portwarden adopt`: services the policy would cut that clients use keep
 * exactly those clients, as `from` sources of their ports: each client's
 * /24 (IPv4) or /64 (IPv6), the network a host keeps when DHCP or privacy
 * addresses renumber it.  `open` only when asked for. */

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

/* a client's /24 or /64 */
#define ADOPT_PREFIX_V4	24
#define ADOPT_PREFIX_V6	64
/* more networks than this at one port are the Internet, not its clients */
#define ADOPT_NETS_MAX	32
/* attempts in the window that make a client without a connection seen:
 * one is a probe (a scan, a forged datagram), more come back */
#define ADOPT_ATTEMPTS_MIN	2
#define ADOPT_CLIENTS_MAX	65536

enum adopt_fate {
	ADOPT_IGNORED,		/* loopback, or the port is not guarded */
	ADOPT_ADMITTED,		/* the policy admits it already (LAN, a from line) */
	ADOPT_KEPT,		/* its network becomes a from source */
	ADOPT_ONCE,		/* a single attempt and no connection: not kept */
	ADOPT_LINK_SCOPE,	/* a link-local address: no from line holds it */
};

/* A client of a port: a source address and what was seen of it. */
struct adopt_client {
	int family;
	uint8_t addr[16];
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	unsigned connected;	/* connections established, flows answered */
	unsigned long attempts;	/* would-block attempts logged, unanswered flows */
	int served;		/* a served-by executable holds the port: open */
	/* filled by adopt_plan */
	enum adopt_fate fate;
	struct config_net net;	/* its /24 or /64 */
};

struct adopt_clients {
	struct adopt_client *v;
	unsigned n, cap;
	unsigned long dropped;	/* past ADOPT_CLIENTS_MAX */
	unsigned *slot;		/* index + 1 by hash of the key, 2 * ADOPT_CLIENTS_MAX */
};

/* Adds what was seen of a client, merged with what is known of it. */
int adopt_clients_add(struct adopt_clients *c, int family, const uint8_t *addr, uint8_t proto,
		      uint16_t port, unsigned connected, unsigned long attempts);
void adopt_clients_free(struct adopt_clients *c);

enum adopt_outcome {
	ADOPT_NOTHING,		/* no client it would cut */
	ADOPT_SOURCES,		/* from sources for the kept clients */
	ADOPT_OPEN,		/* open, as asked (--open) */
	ADOPT_TOO_MANY,		/* more than ADOPT_NETS_MAX networks: left guarded */
};

struct adopt_port {
	uint8_t proto;
	uint16_t port;
	const struct policy_entry *entry;	/* the entry that governs it */
	enum adopt_outcome outcome;
	struct config_net nets[ADOPT_NETS_MAX];
	unsigned nnets;		/* networks of kept clients (at most ADOPT_NETS_MAX) */
	unsigned networks_seen;	/* all of them, also past the limit */
	unsigned kept, once, linkscope;	/* clients */
};

/* Gives every client its fate and returns the ports that clients use, by
 * protocol and port (*out, free() it); -ENOMEM.  open: ports with kept
 * clients become open instead. */
int adopt_plan(struct adopt_clients *c, const struct policy_db *db, const struct lan *lan,
	       int open, struct adopt_port **out, unsigned *n);

/* "5 attempts", "connected", "connected, 3 attempts" */
void adopt_client_evidence(const struct adopt_client *c, char *out, size_t cap);

#endif
