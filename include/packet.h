/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PACKET_H
#define PORTWARDEN_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* What portwarden needs to know about a queued packet, read from its
 * network and transport headers with every byte bounds-checked. */
struct packet_info {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t saddr[16], daddr[16];	/* network byte order; IPv4 in the first 4 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, or another */
	/* ports read: TCP, UDP, UDP-Lite, SCTP or DCCP, not a later fragment */
	int has_ports;
	uint16_t sport, dport;	/* host byte order */
	uint8_t tcp_flags;
};

/* Returns 0, or -EINVAL for a packet too short or inconsistent to trust,
 * -EPROTONOSUPPORT for a network protocol other than IPv4 and IPv6.  On
 * -EINVAL pkt still holds what could be read: family (0 when even the
 * addresses were unreadable), addresses, protocol, and the ports when
 * has_ports is set. */
int packet_parse(const uint8_t *data, size_t len, struct packet_info *pkt);

/* "tcp", "udp", "udplite", "sctp", "dccp" or the protocol number */
const char *packet_proto_name(uint8_t proto, char *buf, size_t cap);
/* The one spelling of the transports with ports: "tcp", "udp", "udplite",
 * "sctp" or "dccp", NULL for any other protocol; and back for the two the
 * policy names ("tcp" or "udp"), 0 for any other name. */
const char *packet_l4_name(uint8_t proto);
uint8_t packet_l4_parse(const char *name);
/* The protocol whose policy entries apply: UDP-Lite is guarded as UDP,
 * SCTP and DCCP as TCP (MPTCP is TCP on the wire); others unchanged. */
uint8_t packet_policy_proto(uint8_t proto);

#endif
