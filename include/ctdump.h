/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_CTDUMP_H
#define PORTWARDEN_CTDUMP_H

#include <stdint.h>

/* The kernel's connection tracking table, read once through ctnetlink
 * (`portwarden adopt`: clients of guarded ports that established
 * connections or got answers recently, TCP and UDP).  Reading it turns no
 * tracking on: where nothing uses conntrack the table is empty or absent.
 * Parsing is pure; ctdump_read() dumps through nlsock. */

struct ctdump_flow {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t src[16], dst[16];	/* original direction, network order */
	uint16_t sport, dport;	/* host order */
	int answered;		/* a reply was seen: not a lone (maybe forged) attempt */
	/* in use now: a TCP connection in the established state, or a UDP
	 * flow answered and still active after two seconds (the kernel's
	 * "assured": "more likely to be important, and not a probe") */
	int live;
};

struct nlmsghdr;

/* One message of a conntrack dump: 1 with *out filled for a TCP or UDP
 * flow, 0 for anything else or a malformed message. */
int ctdump_msg(const struct nlmsghdr *nlh, struct ctdump_flow *out);

typedef int (*ctdump_fn)(void *ctx, const struct ctdump_flow *f);
/* Every TCP and UDP flow of both families, each handed to fn (a negative
 * return stops the dump).  0, or -errno: -EOPNOTSUPP or -ENOENT where
 * the kernel has no conntrack, -EPERM without CAP_NET_ADMIN. */
int ctdump_read(ctdump_fn fn, void *ctx);

#endif
