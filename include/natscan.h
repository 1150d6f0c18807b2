/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NATSCAN_H
#define PORTWARDEN_NATSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Ports published by destination NAT (a container's -p, a router's port
 * forward), read from the kernel's rules of every table and family: the
 * nft "dnat to" statement and iptables-nft's xtables DNAT target, each with
 * the port match of its rule.  Parsing is pure; natscan_read() dumps the
 * rules through nlsock. */

#define NATSCAN_NAME_MAX 32

enum natscan_writer {
	NATSCAN_NFT,		/* native nat expression */
	NATSCAN_XTABLES,	/* xtables DNAT target (iptables-nft) */
};

struct natscan_entry {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, or 0: both */
	uint16_t port_lo, port_hi;	/* published ports, host byte order */
	uint8_t daddr_prefix;	/* 0: any destination address */
	uint8_t daddr[16];	/* the destination the rule matches, network order */
	uint8_t to_addr[16];	/* the target, network order */
	uint16_t to_lo, to_hi;	/* target ports; 0: the published port */
	enum natscan_writer writer;
	char table[NATSCAN_NAME_MAX];	/* "ip nat" */
	char chain[NATSCAN_NAME_MAX];
};

struct natscan_list {
	struct natscan_entry *v;
	unsigned n;
};

struct nlmsghdr;

/* One message of a rule dump (NFT_MSG_NEWRULE): 1 with *out filled when the
 * rule publishes ports by DNAT in a form read here, 0 when it does not, is
 * malformed, or uses what cannot be read from the rule alone (a port set,
 * a target from a map), -ENOMEM. */
int natscan_msg(const struct nlmsghdr *nlh, struct natscan_entry *out);

/* Every DNAT rule of every table: 0, or -errno (-EPERM without
 * CAP_NET_ADMIN).  The list is replaced only on success. */
int natscan_read(struct natscan_list *l);
void natscan_free(struct natscan_list *l);

/* The entry that DNATs a connection to daddr (family's length) and port,
 * or NULL. */
const struct natscan_entry *natscan_find(const struct natscan_list *l, int family, uint8_t proto,
					 uint16_t port, const uint8_t *daddr);
/* The port a connection to the published port goes to. */
uint16_t natscan_target_port(const struct natscan_entry *e, uint16_t port);
/* "203.0.113.2:6379", "[2001:db8::2]:6379", "203.0.113.2:2000-2010" */
void natscan_target_text(const struct natscan_entry *e, char *out, size_t cap);
void natscan_addr_text(const struct natscan_entry *e, const uint8_t *addr, char *out, size_t cap);

#endif
