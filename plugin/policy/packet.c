// SPDX-License-Identifier: GPL-2.0-or-later
/* Header parsing of queued packets.  The bytes come from the network: each
 * read is checked against the length the kernel copied, never against what
 * a header claims. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "packet.h"

#define IPV6_MAX_EXT_HEADERS 16

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The shortest header of each transport with ports, 0 for the others */
static size_t header_min(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return 8;
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return 12;
	default:
		return 0;
	}
}

/* The ports come first in every transport read here: a header cut after
 * them still names the port the packet was for, which is what a malformed
 * packet is blocked by. */
static int parse_transport(const uint8_t *l4, size_t len, struct packet_info *pkt)
{
	size_t min = header_min(pkt->proto);

	if (!min)
		return 0;
	if (len < 4)
		return -EINVAL;
	pkt->sport = get16(l4);
	pkt->dport = get16(l4 + 2);
	pkt->has_ports = 1;
	if (pkt->proto == IPPROTO_TCP) {
		if (len < 14)
			return -EINVAL;
		pkt->tcp_flags = l4[13];
		return 0;
	}
	return len < min ? -EINVAL : 0;
}

static int parse_ipv4(const uint8_t *d, size_t len, struct packet_info *pkt)
{
	size_t ihl, total;

	if (len < 20)
		return -EINVAL;
	pkt->family = AF_INET;
	pkt->proto = d[9];
	memcpy(pkt->saddr, d + 12, 4);
	memcpy(pkt->daddr, d + 16, 4);
	ihl = (size_t)(d[0] & 0x0f) * 4;
	total = get16(d + 2);
	if (ihl < 20 || ihl > len || total < ihl)
		return -EINVAL;
	/* the kernel may copy less than the whole packet, never more */
	if (total < len)
		len = total;
	if (get16(d + 6) & 0x1fff)	/* a later fragment carries no ports */
		return 0;
	return parse_transport(d + ihl, len - ihl, pkt);
}

/* Walks the extension header chain as far as the copied bytes reach; each
 * header is at least 8 bytes long, so the walk ends.  Returns the offset
 * of the transport header, 0 for a later fragment, or -EINVAL. */
static long ipv6_transport(const uint8_t *d, size_t len, struct packet_info *pkt, int *hops)
{
	size_t off = 40;
	uint8_t next = d[6];

	for (*hops = 0;; ++*hops) {
		if (off + 8 > len && (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING ||
				      next == IPPROTO_DSTOPTS || next == IPPROTO_AH ||
				      next == IPPROTO_FRAGMENT)) {
			pkt->proto = next;
			return -EINVAL;
		}
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			next = d[off];
			off += ((size_t)d[off + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			next = d[off];
			off += ((size_t)d[off + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			pkt->proto = d[off];
			if (get16(d + off + 2) & 0xfff8)
				return 0;	/* later fragment: no ports */
			next = d[off];
			off += 8;
			break;
		default:
			pkt->proto = next;
			return off > len ? -EINVAL : (long)off;
		}
	}
}

static int parse_ipv6(const uint8_t *d, size_t len, struct packet_info *pkt)
{
	size_t payload;
	long off;
	int hops, ret;

	if (len < 40)
		return -EINVAL;
	payload = get16(d + 4);
	if (payload + 40 < len)
		len = payload + 40;
	pkt->family = AF_INET6;
	memcpy(pkt->saddr, d + 8, 16);
	memcpy(pkt->daddr, d + 24, 16);
	off = ipv6_transport(d, len, pkt, &hops);
	if (off <= 0)
		return (int)off;
	ret = parse_transport(d + off, len - (size_t)off, pkt);
	/* a chain this long is an attack, not a packet: its facts are read
	 * so that it can be logged and its port blocked */
	if (ret == 0 && hops > IPV6_MAX_EXT_HEADERS)
		return -EINVAL;
	return ret;
}

int packet_parse(const uint8_t *data, size_t len, struct packet_info *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	if (len < 1)
		return -EINVAL;
	switch (data[0] >> 4) {
	case 4:
		return parse_ipv4(data, len, pkt);
	case 6:
		return parse_ipv6(data, len, pkt);
	default:
		return -EPROTONOSUPPORT;
	}
}

const char *packet_l4_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_DCCP:
		return "dccp";
	default:
		return NULL;
	}
}

uint8_t packet_policy_proto(uint8_t proto)
{
	if (proto == IPPROTO_UDPLITE)
		return IPPROTO_UDP;
	return proto == IPPROTO_SCTP || proto == IPPROTO_DCCP ? IPPROTO_TCP : proto;
}

uint8_t packet_l4_parse(const char *name)
{
	if (!strcmp(name, "tcp"))
		return IPPROTO_TCP;
	return strcmp(name, "udp") ? 0 : IPPROTO_UDP;
}

const char *packet_proto_name(uint8_t proto, char *buf, size_t cap)
{
	const char *name = packet_l4_name(proto);

	if (name)
		return name;
	snprintf(buf, cap, "%u", proto);
	return buf;
}
