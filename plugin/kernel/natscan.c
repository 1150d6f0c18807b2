// SPDX-License-Identifier: GPL-2.0-or-later
/* One rule of the kernel's ruleset, read for the walk to published ports.
 * A rule is read the way the kernel runs it: expressions load values into
 * registers, a cmp compares a register with a constant, an immediate puts
 * a constant into a register that the nat expression takes its target
 * from, or a verdict into the verdict register.  Every register is tracked
 * with what was loaded into it, so that "tcp dport 6379" is told from
 * "iifname docker0" by the load before the cmp, not by its position.  A
 * match that is not read (a source address, an interface, a random
 * number) is left out: the path is taken as reachable, which can only
 * list more, never hide a published port. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_TPROXY.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "allzero.h"
#include "natscan.h"
#include "netaddr.h"
#include "packet.h"

/* the kernel's register file in 32-bit slots: 0-3 verdict, 4-19 data */
#define SLOTS	20

enum loaded {
	L_NONE,
	L_NFPROTO,	/* meta nfproto */
	L_L4PROTO,	/* meta l4proto, ip protocol, ip6 nexthdr */
	L_DPORT,	/* th dport */
	L_DADDR4,	/* ip daddr */
	L_DADDR6,	/* ip6 daddr */
	L_FIBTYPE,	/* fib daddr type */
	L_IMM,		/* an immediate constant */
};

struct scan {
	struct natscan_rule *r;
	struct natscan_entry e;	/* the match and target as read */
	uint8_t loaded[SLOTS];
	uint8_t len[SLOTS];	/* bytes of what was loaded */
	uint8_t prefix[SLOTS];	/* of an address masked by bitwise */
	uint8_t data[SLOTS * 4];	/* immediates */
	int family;		/* from the table, meta nfproto or the nat family */
	int ports;		/* a port match was read */
	int unreadable;		/* the rule as a whole could not be read */
	int nomem;
};

/* Register number (NFT_REG_x or NFT_REG32_xx) to its first 32-bit slot, or
 * -1 when a value of len bytes would not fit. */
static int slot_of(uint32_t reg, uint32_t len)
{
	int slot;

	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		slot = (int)reg * 4;
	else if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		slot = (int)(reg - NFT_REG32_00) + 4;
	else
		return -1;
	if (len == 0 || len > 16 || slot + (int)((len + 3) / 4) > SLOTS)
		return -1;
	return slot;
}

/* What the register holds now; every slot a load covers loses its old
 * meaning. */
static void load(struct scan *s, uint32_t reg, uint32_t len, enum loaded what)
{
	int slot = slot_of(reg, len), i;

	if (slot < 0) {
		s->unreadable = 1;
		return;
	}
	for (i = slot; i < slot + (int)((len + 3) / 4); i++) {
		s->loaded[i] = L_NONE;
		s->len[i] = 0;
	}
	s->loaded[slot] = (uint8_t)what;
	s->len[slot] = (uint8_t)len;
	s->prefix[slot] = (uint8_t)(len * 8);
}

static int family_of_nfproto(int nfproto)
{
	return nfproto == NFPROTO_IPV4 ? AF_INET : nfproto == NFPROTO_IPV6 ? AF_INET6 : 0;
}

/* ---- attributes of one expression, every length checked ---------------- */

#define ATTR_MAX 16	/* above every attribute number read here */

struct attrs {
	const struct nlattr *tb[ATTR_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	if (mnl_attr_get_type(attr) <= ATTR_MAX)
		a->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int has(const struct attrs *a, int type)
{
	return a->tb[type] != NULL;
}

/* A u32 attribute (network order on the wire); def when absent or bad. */
static uint32_t u32_attr(const struct attrs *a, int type, uint32_t def)
{
	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_U32) < 0)
		return def;
	return ntohl(mnl_attr_get_u32(a->tb[type]));
}

static const char *str_attr(const struct attrs *a, int type)
{
	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(a->tb[type]);
}

static const uint8_t *bin_attr(const struct attrs *a, int type, uint32_t *len)
{
	if (!a->tb[type])
		return NULL;
	*len = mnl_attr_get_payload_len(a->tb[type]);
	return mnl_attr_get_payload(a->tb[type]);
}

/* The constant of an NFTA_DATA nest (NFTA_DATA_VALUE), at most 16 bytes. */
static const uint8_t *data_attr(const struct attrs *a, int type, uint32_t *len)
{
	struct attrs in = { { NULL } };
	const uint8_t *d;

	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a->tb[type], attr_cb, &in) < 0)
		return NULL;
	d = bin_attr(&in, NFTA_DATA_VALUE, len);
	return d && *len >= 1 && *len <= 16 ? d : NULL;
}

/* ---- expressions ---------------------------------------------------------- */

static void on_meta(struct scan *s, const struct attrs *a)
{
	uint32_t key = u32_attr(a, NFTA_META_KEY, 0);
	enum loaded what = key == NFT_META_NFPROTO ? L_NFPROTO :
			   key == NFT_META_L4PROTO ? L_L4PROTO : L_NONE;

	if (has(a, NFTA_META_DREG))
		load(s, u32_attr(a, NFTA_META_DREG, 0), 4, what);
}

static enum loaded payload_meaning(const struct scan *s, uint32_t base, uint32_t off,
				   uint32_t len)
{
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER && off == 2 && len == 2)
		return L_DPORT;
	if (base != NFT_PAYLOAD_NETWORK_HEADER)
		return L_NONE;
	if (s->family == AF_INET && off == 9 && len == 1)
		return L_L4PROTO;
	/* nft loads only the whole bytes of a prefix: 198.51.100.0/24 is 3 */
	if (s->family == AF_INET && off == 16 && len <= 4)
		return L_DADDR4;
	if (s->family == AF_INET6 && off == 6 && len == 1)
		return L_L4PROTO;
	if (s->family == AF_INET6 && off == 24 && len <= 16)
		return L_DADDR6;
	return L_NONE;
}

static void on_payload(struct scan *s, const struct attrs *a)
{
	uint32_t len = u32_attr(a, NFTA_PAYLOAD_LEN, 0);

	if (!has(a, NFTA_PAYLOAD_DREG))
		return;		/* a payload write (mangle) */
	load(s, u32_attr(a, NFTA_PAYLOAD_DREG, 0), len,
	     payload_meaning(s, u32_attr(a, NFTA_PAYLOAD_BASE, ~0u),
			     u32_attr(a, NFTA_PAYLOAD_OFFSET, ~0u), len));
}

/* Leading one bits of a mask, or -1 when it is not a prefix. */
static int prefix_len(const uint8_t *mask, uint32_t len)
{
	int bits = 0;
	uint32_t i = 0;

	while (i < len && mask[i] == 0xff) {
		bits += 8;
		i++;
	}
	if (i < len) {
		uint8_t m = mask[i++];

		while (m & 0x80) {
			bits++;
			m = (uint8_t)(m << 1);
		}
		if (m)
			return -1;
	}
	for (; i < len; i++)
		if (mask[i])
			return -1;
	return bits;
}

/* "ip daddr 198.51.100.0/23" is an AND with a prefix mask before the cmp */
static void on_bitwise(struct scan *s, const struct attrs *a)
{
	uint32_t len = u32_attr(a, NFTA_BITWISE_LEN, 0), mlen = 0;
	uint32_t dreg = u32_attr(a, NFTA_BITWISE_DREG, 0);
	int src = slot_of(u32_attr(a, NFTA_BITWISE_SREG, 0), len);
	const uint8_t *mask = data_attr(a, NFTA_BITWISE_MASK, &mlen);
	enum loaded what = L_NONE;
	int bits = -1, dst;

	if (src >= 0 && mask && mlen == len && u32_attr(a, NFTA_BITWISE_OP, NFT_BITWISE_BOOL) ==
	    NFT_BITWISE_BOOL && (s->loaded[src] == L_DADDR4 || s->loaded[src] == L_DADDR6)) {
		what = (enum loaded)s->loaded[src];
		bits = prefix_len(mask, len);
	}
	if (bits < 0)
		what = L_NONE;
	load(s, dreg, len, what);
	dst = slot_of(dreg, len);
	if (dst >= 0 && what != L_NONE)
		s->prefix[dst] = (uint8_t)bits;
}

static void contradicts(struct scan *s)
{
	s->r->contradictory = 1;
}

/* The rule's port interval narrowed by one comparison.  Bounds past the
 * port space ("tcp dport > 65535", "< 0") leave no port, never every port. */
static void set_ports(struct scan *s, uint32_t op, uint16_t port)
{
	if (!s->ports) {
		s->e.port_lo = 0;
		s->e.port_hi = 65535;
		s->ports = 1;
	}
	switch (op) {
	case NFT_CMP_EQ:
		if (port < s->e.port_lo || port > s->e.port_hi)
			contradicts(s);
		s->e.port_lo = s->e.port_hi = port;
		break;
	case NFT_CMP_GTE:
		if (port > s->e.port_lo)
			s->e.port_lo = port;
		break;
	case NFT_CMP_GT:
		if (port == 65535)
			contradicts(s);
		else if (port + 1 > s->e.port_lo)
			s->e.port_lo = (uint16_t)(port + 1);
		break;
	case NFT_CMP_LTE:
		if (port < s->e.port_hi)
			s->e.port_hi = port;
		break;
	case NFT_CMP_LT:
		if (port == 0)
			contradicts(s);
		else if (port - 1 < s->e.port_hi)
			s->e.port_hi = (uint16_t)(port - 1);
		break;
	default:	/* "tcp dport != 22": every port but one, taken as every port */
		break;
	}
	if (s->e.port_hi < s->e.port_lo)
		contradicts(s);
}

static void compare(struct scan *s, enum loaded what, uint32_t op, const uint8_t *d,
		    uint32_t len, uint8_t prefix)
{
	unsigned alen = what == L_DADDR4 ? 4 : 16;

	switch (what) {
	case L_NFPROTO:
		if (op == NFT_CMP_EQ)
			s->family = family_of_nfproto(d[0]);
		break;
	case L_L4PROTO:
		/* "meta l4proto != tcp" is taken as any protocol */
		if (op == NFT_CMP_EQ) {
			if (s->e.proto && s->e.proto != d[0])
				contradicts(s);
			s->e.proto = d[0];
		}
		break;
	case L_DPORT:
		if (len == 2)
			set_ports(s, op, (uint16_t)(d[0] << 8 | d[1]));
		break;
	case L_DADDR4:
	case L_DADDR6:
		/* "! -d ADDR" leaves every other address published */
		if (op == NFT_CMP_EQ && len <= alen && prefix <= len * 8) {
			memset(s->e.daddr, 0, sizeof(s->e.daddr));
			memcpy(s->e.daddr, d, len);
			s->e.daddr_prefix = prefix;
		}
		break;
	case L_FIBTYPE:
		/* "fib daddr type local", as iptables-nft writes -m addrtype */
		if (op == NFT_CMP_EQ && len == 4) {
			uint32_t type;

			memcpy(&type, d, 4);
			if (type == RTN_LOCAL)
				s->e.local = 1;
			else
				contradicts(s);	/* not delivered here: no local port published */
		}
		break;
	default:
		break;
	}
}

static void on_cmp(struct scan *s, const struct attrs *a)
{
	uint32_t len = 0;
	const uint8_t *d = data_attr(a, NFTA_CMP_DATA, &len);
	int slot = d ? slot_of(u32_attr(a, NFTA_CMP_SREG, 0), len) : -1;

	s->r->conditional = 1;
	if (slot >= 0)
		compare(s, (enum loaded)s->loaded[slot], u32_attr(a, NFTA_CMP_OP, ~0u), d, len,
			s->prefix[slot]);
}

/* "tcp dport 1000-1010" */
static void on_range(struct scan *s, const struct attrs *a)
{
	uint32_t flen = 0, tlen = 0;
	const uint8_t *from = data_attr(a, NFTA_RANGE_FROM_DATA, &flen);
	const uint8_t *to = data_attr(a, NFTA_RANGE_TO_DATA, &tlen);
	int slot = slot_of(u32_attr(a, NFTA_RANGE_SREG, 0), 2);

	s->r->conditional = 1;
	if (slot < 0 || s->loaded[slot] != L_DPORT)
		return;
	/* "tcp dport != 1000-1010" is taken as every port */
	if (!from || !to || flen != 2 || tlen != 2 ||
	    u32_attr(a, NFTA_RANGE_OP, ~0u) != NFT_RANGE_EQ)
		return;
	set_ports(s, NFT_CMP_GTE, (uint16_t)(from[0] << 8 | from[1]));
	set_ports(s, NFT_CMP_LTE, (uint16_t)(to[0] << 8 | to[1]));
}

static char *dup_name(struct scan *s, const char *name)
{
	char *d = strdup(name);

	if (!d)
		s->nomem = 1;
	return d;
}

/* The fields of a concatenated key, from the registers it starts at. */
static void key_fields(struct scan *s, int slot)
{
	static const uint8_t meaning[] = {
		[L_L4PROTO] = NATSCAN_KEY_L4PROTO, [L_DPORT] = NATSCAN_KEY_DPORT,
		[L_DADDR4] = NATSCAN_KEY_DADDR4, [L_DADDR6] = NATSCAN_KEY_DADDR6,
	};
	struct natscan_rule *r = s->r;

	while (slot < SLOTS && s->len[slot] && r->nkey < NATSCAN_KEY_FIELDS) {
		uint8_t what = s->loaded[slot];

		r->key_field[r->nkey] = what < sizeof(meaning) ? meaning[what] : NATSCAN_KEY_OTHER;
		/* a prefix is not a whole address: its elements name no destination */
		if ((what == L_DADDR4 || what == L_DADDR6) && s->prefix[slot] != s->len[slot] * 8)
			r->key_field[r->nkey] = NATSCAN_KEY_OTHER;
		r->key_len[r->nkey++] = s->len[slot];
		slot += (s->len[slot] + 3) / 4;
	}
}

/* A set or map look-up: "tcp dport @ports" narrows the ports to a set's
 * elements, "... vmap @service-ips" branches by the elements of a verdict
 * map; a map giving data leaves its register without a known meaning. */
static void on_lookup(struct scan *s, const struct attrs *a)
{
	const char *set = str_attr(a, NFTA_LOOKUP_SET);
	int slot = slot_of(u32_attr(a, NFTA_LOOKUP_SREG, 0), 1);
	int inverted = (int)(u32_attr(a, NFTA_LOOKUP_FLAGS, 0) & NFT_LOOKUP_F_INV);

	s->r->conditional = 1;
	if (!set || slot < 0)
		return;
	if (has(a, NFTA_LOOKUP_DREG) && u32_attr(a, NFTA_LOOKUP_DREG, ~0u) == NFT_REG_VERDICT) {
		if (s->r->action == NATSCAN_NONE && !s->r->set) {
			s->r->action = NATSCAN_VMAP;
			s->r->set = dup_name(s, set);
			key_fields(s, slot);
		}
		return;
	}
	if (has(a, NFTA_LOOKUP_DREG)) {
		load(s, u32_attr(a, NFTA_LOOKUP_DREG, 0), 16, L_NONE);
		return;
	}
	if (!inverted && s->loaded[slot] == L_DPORT && !s->r->set) {
		s->r->set = dup_name(s, set);
		s->r->port_set = 1;
	}
}

/* "jump KUBE-SVC-...", "goto ...", "accept", "return" */
static void verdict(struct scan *s, const struct attrs *a)
{
	struct attrs data = { { NULL } }, v = { { NULL } };
	const char *chain;
	int32_t code;

	if (!a->tb[NFTA_IMMEDIATE_DATA] ||
	    mnl_attr_validate(a->tb[NFTA_IMMEDIATE_DATA], MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a->tb[NFTA_IMMEDIATE_DATA], attr_cb, &data) < 0 ||
	    !data.tb[NFTA_DATA_VERDICT] ||
	    mnl_attr_validate(data.tb[NFTA_DATA_VERDICT], MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(data.tb[NFTA_DATA_VERDICT], attr_cb, &v) < 0)
		return;
	code = (int32_t)u32_attr(&v, NFTA_VERDICT_CODE, (uint32_t)NFT_CONTINUE);
	chain = str_attr(&v, NFTA_VERDICT_CHAIN);
	if (s->r->action != NATSCAN_NONE)
		return;
	if ((code == NFT_JUMP || code == NFT_GOTO) && chain) {
		s->r->action = code == NFT_JUMP ? NATSCAN_JUMP : NATSCAN_GOTO;
		s->r->target = dup_name(s, chain);
	} else if (code == NF_ACCEPT || code == NF_DROP || code == NFT_RETURN) {
		s->r->action = NATSCAN_STOP;
	}
}

static void on_immediate(struct scan *s, const struct attrs *a)
{
	uint32_t reg = u32_attr(a, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT), len = 0;
	const uint8_t *d;
	int slot;

	if (reg == NFT_REG_VERDICT) {
		verdict(s, a);
		return;
	}
	d = data_attr(a, NFTA_IMMEDIATE_DATA, &len);
	slot = d ? slot_of(reg, len) : -1;
	if (slot < 0) {
		s->unreadable = 1;
		return;
	}
	load(s, reg, len, L_IMM);
	memcpy(&s->data[slot * 4], d, len);
}

static void on_fib(struct scan *s, const struct attrs *a)
{
	uint32_t flags = u32_attr(a, NFTA_FIB_FLAGS, 0);
	int daddr_type = u32_attr(a, NFTA_FIB_RESULT, 0) == NFT_FIB_RESULT_ADDRTYPE &&
			 (flags & NFTA_FIB_F_DADDR) && !(flags & (NFTA_FIB_F_IIF | NFTA_FIB_F_OIF));

	if (has(a, NFTA_FIB_DREG))
		load(s, u32_attr(a, NFTA_FIB_DREG, 0), 4, daddr_type ? L_FIBTYPE : L_NONE);
}

/* A constant of len bytes from a register the nat expression names. */
static const uint8_t *constant(struct scan *s, const struct attrs *a, int type, uint32_t len)
{
	int slot;

	if (!has(a, type))
		return NULL;
	slot = slot_of(u32_attr(a, type, 0), len);
	if (slot < 0 || s->loaded[slot] != L_IMM) {
		s->e.to_map = 1;	/* from a map: not one target */
		return NULL;
	}
	return &s->data[slot * 4];
}

/* The rule translates: the first such statement is the rule's action. */
static int translates(struct scan *s, enum natscan_action action, enum natscan_writer writer)
{
	if (s->r->action != NATSCAN_NONE)
		return 0;
	s->r->action = action;
	s->e.action = (uint8_t)action;
	s->e.writer = writer;
	return 1;
}

static void on_nat(struct scan *s, const struct attrs *a)
{
	int family = family_of_nfproto((int)u32_attr(a, NFTA_NAT_FAMILY, 0));
	const uint8_t *addr, *lo, *hi;

	if (u32_attr(a, NFTA_NAT_TYPE, ~0u) != NFT_NAT_DNAT || !translates(s, NATSCAN_DNAT, NATSCAN_NFT))
		return;
	if (!family) {
		s->unreadable = 1;
		return;
	}
	s->family = family;
	addr = constant(s, a, NFTA_NAT_REG_ADDR_MIN, netaddr_len(family));
	lo = constant(s, a, NFTA_NAT_REG_PROTO_MIN, 2);
	hi = constant(s, a, NFTA_NAT_REG_PROTO_MAX, 2);
	if (addr)
		memcpy(s->e.to_addr, addr, netaddr_len(family));
	else if (!has(a, NFTA_NAT_REG_ADDR_MIN))
		s->unreadable = 1;	/* a DNAT without an address */
	if (lo) {
		s->e.to_lo = (uint16_t)(lo[0] << 8 | lo[1]);
		s->e.to_hi = hi ? (uint16_t)(hi[0] << 8 | hi[1]) : s->e.to_lo;
	}
}

/* "redirect to :143": to the host itself, the port changed or kept */
static void on_redir(struct scan *s, const struct attrs *a)
{
	const uint8_t *lo, *hi;

	if (!translates(s, NATSCAN_REDIRECT, NATSCAN_NFT))
		return;
	lo = constant(s, a, NFTA_REDIR_REG_PROTO_MIN, 2);
	hi = constant(s, a, NFTA_REDIR_REG_PROTO_MAX, 2);
	if (lo) {
		s->e.to_lo = (uint16_t)(lo[0] << 8 | lo[1]);
		s->e.to_hi = hi ? (uint16_t)(hi[0] << 8 | hi[1]) : s->e.to_lo;
	}
}

/* "tproxy to :8080": a local socket takes the connection, its address kept */
static void on_tproxy(struct scan *s, const struct attrs *a)
{
	int family = family_of_nfproto((int)u32_attr(a, NFTA_TPROXY_FAMILY, 0));
	const uint8_t *addr, *port;

	if (!translates(s, NATSCAN_TPROXY, NATSCAN_NFT))
		return;
	if (family)
		s->family = family;
	addr = s->family ? constant(s, a, NFTA_TPROXY_REG_ADDR, netaddr_len(s->family)) : NULL;
	port = constant(s, a, NFTA_TPROXY_REG_PORT, 2);
	if (addr)
		memcpy(s->e.to_addr, addr, netaddr_len(s->family));
	if (port)
		s->e.to_lo = s->e.to_hi = (uint16_t)(port[0] << 8 | port[1]);
}

/* The range of an xtables DNAT or REDIRECT target: revision 0 of IPv4 is
 * its multi-range, the rest the family-neutral nf_nat_range(2), whose
 * first fields are the same.  need_ips: DNAT names an address. */
static void xt_range(struct scan *s, const uint8_t *info, uint32_t len, uint32_t rev, int need_ips)
{
	struct nf_nat_ipv4_multi_range_compat v0;
	struct nf_nat_range r;

	if (rev == 0 && s->family == AF_INET && len >= sizeof(v0)) {
		memcpy(&v0, info, sizeof(v0));
		if (v0.rangesize != 1 || (need_ips && !(v0.range[0].flags & NF_NAT_RANGE_MAP_IPS)))
			goto unreadable;
		memcpy(s->e.to_addr, &v0.range[0].min_ip, 4);
		if (v0.range[0].flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			s->e.to_lo = ntohs(v0.range[0].min.all);
			s->e.to_hi = ntohs(v0.range[0].max.all);
		}
	} else if (rev <= 2 && s->family && len >= sizeof(r)) {
		memcpy(&r, info, sizeof(r));
		if (need_ips && !(r.flags & NF_NAT_RANGE_MAP_IPS))
			goto unreadable;
		memcpy(s->e.to_addr, &r.min_addr, netaddr_len(s->family));
		if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			s->e.to_lo = ntohs(r.min_proto.all);
			s->e.to_hi = ntohs(r.max_proto.all);
		}
	} else {
		goto unreadable;
	}
	if (!need_ips)
		memset(s->e.to_addr, 0, sizeof(s->e.to_addr));
	return;
unreadable:
	s->unreadable = 1;
}

static void xt_tproxy(struct scan *s, const uint8_t *info, uint32_t len, uint32_t rev)
{
	struct xt_tproxy_target_info v0;
	struct xt_tproxy_target_info_v1 v1;

	if (rev == 0 && s->family == AF_INET && len >= sizeof(v0)) {
		memcpy(&v0, info, sizeof(v0));
		memcpy(s->e.to_addr, &v0.laddr, 4);
		s->e.to_lo = s->e.to_hi = ntohs(v0.lport);
	} else if (rev == 1 && s->family && len >= sizeof(v1)) {
		memcpy(&v1, info, sizeof(v1));
		memcpy(s->e.to_addr, &v1.laddr, netaddr_len(s->family));
		s->e.to_lo = s->e.to_hi = ntohs(v1.lport);
	} else {
		s->unreadable = 1;
	}
}

static void on_target(struct scan *s, const struct attrs *a)
{
	const char *name = str_attr(a, NFTA_TARGET_NAME);
	uint32_t len = 0, rev = u32_attr(a, NFTA_TARGET_REV, ~0u);
	const uint8_t *info = bin_attr(a, NFTA_TARGET_INFO, &len);
	enum natscan_action action;

	if (!name)
		return;
	action = !strcmp(name, "DNAT") ? NATSCAN_DNAT : !strcmp(name, "REDIRECT") ? NATSCAN_REDIRECT :
		 !strcmp(name, "TPROXY") ? NATSCAN_TPROXY : NATSCAN_NONE;
	if (action == NATSCAN_NONE || !translates(s, action, NATSCAN_XTABLES))
		return;
	if (!info)
		s->unreadable = 1;
	else if (action == NATSCAN_TPROXY)
		xt_tproxy(s, info, len, rev);
	else
		xt_range(s, info, len, rev, action == NATSCAN_DNAT);
}

/* "-m addrtype --dst-type LOCAL" of iptables-nft versions that keep it an
 * xtables match */
static void xt_addrtype(struct scan *s, const uint8_t *info, uint32_t len, uint32_t rev)
{
	struct xt_addrtype_info_v1 v1;

	if (rev != 1 || len < sizeof(v1))
		return;
	memcpy(&v1, info, sizeof(v1));
	if (v1.dest == XT_ADDRTYPE_LOCAL && !(v1.flags & XT_ADDRTYPE_INVERT_DEST))
		s->e.local = 1;
}

/* Older iptables-nft writes "-p tcp --dport N" as the xtables tcp match. */
static void on_match(struct scan *s, const struct attrs *a)
{
	const char *name = str_attr(a, NFTA_MATCH_NAME);
	uint32_t len = 0;
	const uint8_t *info = bin_attr(a, NFTA_MATCH_INFO, &len);
	struct xt_udp u;	/* the tcp match starts the same way */
	uint8_t proto;
	int tcp;

	s->r->conditional = 1;
	if (name && info && !strcmp(name, "addrtype")) {
		xt_addrtype(s, info, len, u32_attr(a, NFTA_MATCH_REV, ~0u));
		return;
	}
	proto = name ? packet_l4_parse(name) : 0;
	if (!proto)
		return;
	tcp = proto == IPPROTO_TCP;
	if (!info || len < (tcp ? sizeof(struct xt_tcp) : sizeof(u))) {
		s->unreadable = 1;
		return;
	}
	memcpy(&u, info, sizeof(u));
	if (s->e.proto && s->e.proto != proto)
		contradicts(s);
	s->e.proto = proto;
	/* "--dport ! 22" is taken as every port */
	if ((tcp ? info[offsetof(struct xt_tcp, invflags)] : u.invflags) & XT_TCP_INV_DSTPT)
		return;
	set_ports(s, NFT_CMP_GTE, u.dpts[0]);
	set_ports(s, NFT_CMP_LTE, u.dpts[1]);
}

/* One NFTA_LIST_ELEM of the rule's expressions. */
static void on_expr(struct scan *s, const struct nlattr *elem)
{
	static const struct {
		const char *name;
		void (*fn)(struct scan *, const struct attrs *);
	} handlers[] = {
		{ "meta", on_meta }, { "payload", on_payload }, { "bitwise", on_bitwise },
		{ "cmp", on_cmp }, { "range", on_range }, { "lookup", on_lookup },
		{ "immediate", on_immediate }, { "nat", on_nat }, { "target", on_target },
		{ "match", on_match }, { "fib", on_fib }, { "redir", on_redir },
		{ "tproxy", on_tproxy },
	};
	struct attrs outer = { { NULL } }, in = { { NULL } };
	const char *name;
	unsigned i;

	if (mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(elem, attr_cb, &outer) < 0 ||
	    !(name = str_attr(&outer, NFTA_EXPR_NAME))) {
		s->unreadable = 1;
		return;
	}
	if (outer.tb[NFTA_EXPR_DATA] &&
	    (mnl_attr_validate(outer.tb[NFTA_EXPR_DATA], MNL_TYPE_NESTED) < 0 ||
	     mnl_attr_parse_nested(outer.tb[NFTA_EXPR_DATA], attr_cb, &in) < 0)) {
		s->unreadable = 1;
		return;
	}
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(name, handlers[i].name)) {
			handlers[i].fn(s, &in);
			return;
		}
	/* any other expression that loads a register leaves it unknown; one
	 * that loads nothing (counter, log, limit) changes nothing read here */
	if (in.tb[1] && (!strcmp(name, "numgen") || !strcmp(name, "hash") || !strcmp(name, "ct") ||
			 !strcmp(name, "exthdr") || !strcmp(name, "socket") || !strcmp(name, "osf") ||
			 !strcmp(name, "rt") || !strcmp(name, "xfrm") || !strcmp(name, "inner")))
		load(s, u32_attr(&in, 1, 0), 16, L_NONE);
}

/* ---- rules ---------------------------------------------------------------- */

static const char *family_name(unsigned nfproto)
{
	switch (nfproto) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	}
	return "?";
}

void natscan_rule_free(struct natscan_rule *r)
{
	free(r->target);
	free(r->set);
	r->target = r->set = NULL;
}

int natscan_rule_parse(const struct nlmsghdr *nlh, struct natscan_rule *r)
{
	const struct nfgenmsg *nfg;
	struct attrs rule = { { NULL } };
	const struct nlattr *elem;
	const char *table, *chain;
	struct scan *s;
	int ok;

	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE ||
	    mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, &rule) < 0 ||
	    !rule.tb[NFTA_RULE_EXPRESSIONS] ||
	    mnl_attr_validate(rule.tb[NFTA_RULE_EXPRESSIONS], MNL_TYPE_NESTED) < 0 ||
	    !(table = str_attr(&rule, NFTA_RULE_TABLE)) || !(chain = str_attr(&rule, NFTA_RULE_CHAIN)))
		return 0;
	nfg = mnl_nlmsg_get_payload(nlh);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->r = r;
	r->nfproto = nfg->nfgen_family;
	s->family = family_of_nfproto(nfg->nfgen_family);
	mnl_attr_for_each_nested(elem, rule.tb[NFTA_RULE_EXPRESSIONS]) {
		if (s->unreadable || s->nomem)
			break;
		on_expr(s, elem);
	}
	ok = !s->unreadable && !s->nomem;
	if (ok) {
		r->family = s->family;
		r->cond.proto = s->e.proto;
		r->cond.port_lo = s->ports ? s->e.port_lo : 0;
		r->cond.port_hi = s->ports ? s->e.port_hi : 65535;
		r->cond.daddr_prefix = s->e.daddr_prefix;
		memcpy(r->cond.daddr, s->e.daddr, sizeof(r->cond.daddr));
		r->cond.local = s->e.local;
		r->nat = s->e;
		r->nat.family = s->family;
		r->nat.endpoints = 1;
		snprintf(r->nat.table, sizeof(r->nat.table), "%s %.24s", family_name(r->nfproto), table);
		snprintf(r->nat.chain, sizeof(r->nat.chain), "%s", chain);
		snprintf(r->table, sizeof(r->table), "%s", table);
		snprintf(r->chain, sizeof(r->chain), "%s", chain);
	}
	if (s->nomem) {
		natscan_rule_free(r);
		free(s);
		return -ENOMEM;
	}
	free(s);
	if (!ok)
		natscan_rule_free(r);
	return ok;
}

static int translating(const struct natscan_rule *r)
{
	return r->action == NATSCAN_DNAT || r->action == NATSCAN_REDIRECT ||
	       r->action == NATSCAN_TPROXY;
}

int natscan_msg(const struct nlmsghdr *nlh, struct natscan_entry *out)
{
	struct natscan_rule r;
	int ret = natscan_rule_parse(nlh, &r);

	if (ret <= 0)
		return ret;
	ret = translating(&r) && !r.contradictory && !r.port_set && r.family;
	if (ret) {
		*out = r.nat;
		out->proto = r.cond.proto;
		out->port_lo = r.cond.port_lo;
		out->port_hi = r.cond.port_hi;
		out->daddr_prefix = r.cond.daddr_prefix;
		memcpy(out->daddr, r.cond.daddr, sizeof(out->daddr));
		out->local = r.cond.local;
	}
	natscan_rule_free(&r);
	return ret;
}

/* ---- looking up ----------------------------------------------------------- */

void natscan_free(struct natscan_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole))
		return 0;
	return !rest || !((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest)));
}

const struct natscan_entry *natscan_find(const struct natscan_list *l, int family, uint8_t proto,
					 uint16_t port, const uint8_t *daddr)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		const struct natscan_entry *e = &l->v[i];

		if (e->family != family || (e->proto && e->proto != proto) ||
		    port < e->port_lo || port > e->port_hi)
			continue;
		if (e->daddr_prefix && !prefix_match(e->daddr, daddr, e->daddr_prefix))
			continue;
		return e;
	}
	return NULL;
}

uint16_t natscan_target_port(const struct natscan_entry *e, uint16_t port)
{
	unsigned off = (unsigned)(port - e->port_lo);

	if (!e->to_lo)
		return port;
	/* ranges of one size map port for port, as Docker's -p 8000-8010:80-90 */
	if (e->to_hi - e->to_lo == e->port_hi - e->port_lo && off <= (unsigned)(e->to_hi - e->to_lo))
		return (uint16_t)(e->to_lo + off);
	return e->to_lo;
}

void natscan_addr_text(const struct natscan_entry *e, const uint8_t *addr, char *out, size_t cap)
{
	if (!inet_ntop(e->family, addr, out, (socklen_t)cap))
		snprintf(out, cap, "?");
}

void natscan_target_text(const struct natscan_entry *e, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN] = "";
	const char *open = e->family == AF_INET6 ? "[" : "", *close = e->family == AF_INET6 ? "]" : "";

	if (e->to_map) {
		snprintf(out, cap, "(a map)");
		return;
	}
	/* a redirect, or a tproxy to the arriving address: only the port */
	if (e->action == NATSCAN_REDIRECT || (e->action == NATSCAN_TPROXY &&
					      all_zero(e->to_addr, sizeof(e->to_addr))))
		open = close = "";
	else
		natscan_addr_text(e, e->to_addr, addr, sizeof(addr));
	if (!e->to_lo)
		snprintf(out, cap, "%s", addr[0] ? addr : "(same port)");
	else if (e->to_hi > e->to_lo)
		snprintf(out, cap, "%s%s%s:%u-%u", open, addr, close, e->to_lo, e->to_hi);
	else
		snprintf(out, cap, "%s%s%s:%u", open, addr, close, e->to_lo);
}
