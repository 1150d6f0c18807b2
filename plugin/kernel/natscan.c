// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading published ports out of the kernel's DNAT rules.  A rule is read
 * the way the kernel runs it: expressions load values into registers, a
 * cmp compares a register with a constant, an immediate puts a constant
 * into a register that the nat expression takes its target from.  Every
 * register is tracked with what was loaded into it, so that "tcp dport
 * 6379" is told from "iifname docker0" by the load before the cmp, not by
 * its position.  What the rule alone cannot tell (a port set, a target
 * from a map) makes the rule unreadable rather than half read. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "natscan.h"
#include "nftdump.h"
#include "nlsock.h"
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
	L_IMM,		/* an immediate constant */
};

struct scan {
	struct natscan_entry e;
	uint8_t loaded[SLOTS];
	uint8_t prefix[SLOTS];	/* of an address masked by bitwise */
	uint8_t data[SLOTS * 4];	/* immediates */
	int family;		/* from the table, meta nfproto or the nat family */
	int ports;		/* a port match was read */
	int dnat;		/* the rule's target is DNAT */
	int unreadable;
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
	for (i = slot; i < slot + (int)((len + 3) / 4); i++)
		s->loaded[i] = L_NONE;
	s->loaded[slot] = (uint8_t)what;
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

static void set_ports(struct scan *s, uint32_t op, uint16_t port)
{
	if (!s->ports) {
		s->e.port_lo = 0;
		s->e.port_hi = 65535;
		s->ports = 1;
	}
	switch (op) {
	case NFT_CMP_EQ:
		s->e.port_lo = s->e.port_hi = port;
		break;
	case NFT_CMP_GTE:
		s->e.port_lo = port;
		break;
	case NFT_CMP_GT:
		s->e.port_lo = (uint16_t)(port + 1);
		break;
	case NFT_CMP_LTE:
		s->e.port_hi = port;
		break;
	case NFT_CMP_LT:
		s->e.port_hi = (uint16_t)(port - 1);
		break;
	default:	/* "tcp dport != 22": every port but one, not read */
		s->unreadable = 1;
	}
	if (s->e.port_hi < s->e.port_lo)
		s->unreadable = 1;
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
		if (op != NFT_CMP_EQ)
			s->unreadable = 1;
		else
			s->e.proto = d[0];
		break;
	case L_DPORT:
		if (len != 2)
			s->unreadable = 1;
		else
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
	default:
		break;
	}
}

static void on_cmp(struct scan *s, const struct attrs *a)
{
	uint32_t len = 0;
	const uint8_t *d = data_attr(a, NFTA_CMP_DATA, &len);
	int slot = d ? slot_of(u32_attr(a, NFTA_CMP_SREG, 0), len) : -1;

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

	if (slot < 0 || s->loaded[slot] != L_DPORT)
		return;
	if (!from || !to || flen != 2 || tlen != 2 ||
	    u32_attr(a, NFTA_RANGE_OP, ~0u) != NFT_RANGE_EQ) {
		s->unreadable = 1;
		return;
	}
	set_ports(s, NFT_CMP_GTE, (uint16_t)(from[0] << 8 | from[1]));
	set_ports(s, NFT_CMP_LTE, (uint16_t)(to[0] << 8 | to[1]));
}

/* A set or map look-up: ports or addresses from a set cannot be read
 * without the set, and a map's result is no longer a constant. */
static void on_lookup(struct scan *s, const struct attrs *a)
{
	int slot = slot_of(u32_attr(a, NFTA_LOOKUP_SREG, 0), 2);

	if (slot >= 0 && (s->loaded[slot] == L_DPORT || s->loaded[slot] == L_L4PROTO))
		s->unreadable = 1;
	if (has(a, NFTA_LOOKUP_DREG))
		load(s, u32_attr(a, NFTA_LOOKUP_DREG, 0), 16, L_NONE);
}

static void on_immediate(struct scan *s, const struct attrs *a)
{
	uint32_t reg = u32_attr(a, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT), len = 0;
	const uint8_t *d;
	int slot;

	if (reg == NFT_REG_VERDICT)
		return;
	d = data_attr(a, NFTA_IMMEDIATE_DATA, &len);
	slot = d ? slot_of(reg, len) : -1;
	if (slot < 0) {
		s->unreadable = 1;
		return;
	}
	load(s, reg, len, L_IMM);
	memcpy(&s->data[slot * 4], d, len);
}

/* A constant of len bytes from a register the nat expression names. */
static const uint8_t *constant(struct scan *s, const struct attrs *a, int type, uint32_t len)
{
	int slot;

	if (!has(a, type))
		return NULL;
	slot = slot_of(u32_attr(a, type, 0), len);
	if (slot < 0 || s->loaded[slot] != L_IMM) {
		s->unreadable = 1;	/* from a map: not one target */
		return NULL;
	}
	return &s->data[slot * 4];
}

static void on_nat(struct scan *s, const struct attrs *a)
{
	int family = family_of_nfproto((int)u32_attr(a, NFTA_NAT_FAMILY, 0));
	const uint8_t *addr, *lo, *hi;

	if (u32_attr(a, NFTA_NAT_TYPE, ~0u) != NFT_NAT_DNAT)
		return;
	if (!family) {
		s->unreadable = 1;
		return;
	}
	s->family = family;
	addr = constant(s, a, NFTA_NAT_REG_ADDR_MIN, family == AF_INET ? 4 : 16);
	lo = constant(s, a, NFTA_NAT_REG_PROTO_MIN, 2);
	hi = constant(s, a, NFTA_NAT_REG_PROTO_MAX, 2);
	if (!addr) {
		s->unreadable = 1;
		return;
	}
	memcpy(s->e.to_addr, addr, family == AF_INET ? 4 : 16);
	if (lo) {
		s->e.to_lo = (uint16_t)(lo[0] << 8 | lo[1]);
		s->e.to_hi = hi ? (uint16_t)(hi[0] << 8 | hi[1]) : s->e.to_lo;
	}
	s->e.writer = NATSCAN_NFT;
	s->dnat = 1;
}

/* The DNAT target's range: revision 0 is IPv4's multi-range, 1 and 2 the
 * family-neutral nf_nat_range(2), whose first fields are the same. */
static void xt_dnat(struct scan *s, const uint8_t *info, uint32_t len, uint32_t rev)
{
	struct nf_nat_ipv4_multi_range_compat v0;
	struct nf_nat_range r;

	s->e.writer = NATSCAN_XTABLES;
	if (rev == 0 && s->family == AF_INET && len >= sizeof(v0)) {
		memcpy(&v0, info, sizeof(v0));
		if (v0.rangesize != 1 || !(v0.range[0].flags & NF_NAT_RANGE_MAP_IPS))
			goto unreadable;
		memcpy(s->e.to_addr, &v0.range[0].min_ip, 4);
		if (v0.range[0].flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			s->e.to_lo = ntohs(v0.range[0].min.all);
			s->e.to_hi = ntohs(v0.range[0].max.all);
		}
	} else if ((rev == 1 || rev == 2) && s->family && len >= sizeof(r)) {
		memcpy(&r, info, sizeof(r));
		if (!(r.flags & NF_NAT_RANGE_MAP_IPS))
			goto unreadable;
		memcpy(s->e.to_addr, &r.min_addr, s->family == AF_INET ? 4 : 16);
		if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			s->e.to_lo = ntohs(r.min_proto.all);
			s->e.to_hi = ntohs(r.max_proto.all);
		}
	} else {
		goto unreadable;
	}
	s->dnat = 1;
	return;
unreadable:
	s->unreadable = 1;
}

static void on_target(struct scan *s, const struct attrs *a)
{
	const char *name = str_attr(a, NFTA_TARGET_NAME);
	uint32_t len = 0;
	const uint8_t *info = bin_attr(a, NFTA_TARGET_INFO, &len);

	if (!name || strcmp(name, "DNAT"))
		return;
	if (!info) {
		s->unreadable = 1;
		return;
	}
	xt_dnat(s, info, len, u32_attr(a, NFTA_TARGET_REV, ~0u));
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

	proto = name ? packet_l4_parse(name) : 0;
	if (!proto)
		return;
	tcp = proto == IPPROTO_TCP;
	if (!info || len < (tcp ? sizeof(struct xt_tcp) : sizeof(u))) {
		s->unreadable = 1;
		return;
	}
	memcpy(&u, info, sizeof(u));
	if ((tcp ? info[offsetof(struct xt_tcp, invflags)] : u.invflags) & XT_TCP_INV_DSTPT) {
		s->unreadable = 1;
		return;
	}
	s->e.proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
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
		{ "match", on_match },
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

static void name_rule(struct natscan_entry *e, unsigned nfproto, const struct attrs *rule)
{
	const char *table = str_attr(rule, NFTA_RULE_TABLE), *chain = str_attr(rule, NFTA_RULE_CHAIN);

	snprintf(e->table, sizeof(e->table), "%s %.24s", family_name(nfproto), table ? table : "");
	snprintf(e->chain, sizeof(e->chain), "%s", chain ? chain : "");
}

int natscan_msg(const struct nlmsghdr *nlh, struct natscan_entry *out)
{
	const struct nfgenmsg *nfg;
	struct attrs rule = { { NULL } };
	const struct nlattr *elem;
	struct scan *s;
	int found;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE ||
	    mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, &rule) < 0 ||
	    !rule.tb[NFTA_RULE_EXPRESSIONS] ||
	    mnl_attr_validate(rule.tb[NFTA_RULE_EXPRESSIONS], MNL_TYPE_NESTED) < 0)
		return 0;
	nfg = mnl_nlmsg_get_payload(nlh);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->family = family_of_nfproto(nfg->nfgen_family);
	mnl_attr_for_each_nested(elem, rule.tb[NFTA_RULE_EXPRESSIONS]) {
		if (s->unreadable)
			break;
		on_expr(s, elem);
	}
	found = s->dnat && !s->unreadable && s->family;
	if (found) {
		*out = s->e;
		out->family = s->family;
		if (!s->ports)
			out->port_hi = 65535;	/* every port: a whole address published */
		name_rule(out, nfg->nfgen_family, &rule);
	}
	free(s);
	return found;
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	struct natscan_list *l = data;
	struct natscan_entry e, *grown;
	int ret = natscan_msg(nlh, &e);

	if (ret <= 0)
		return ret;
	grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	l->v = grown;
	l->v[l->n++] = e;
	return 0;
}

static int dump_rules(struct nlsock *nl, void *data)
{
	uint32_t buf[(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))) / 4];
	struct nlmsghdr *nlh;

	natscan_free(data);	/* every try starts afresh */
	/* no table and family UNSPEC: the rules of every table */
	nlh = nftnl_nlmsg_build_hdr((char *)buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP | NLM_F_ACK,
				    nlsock_seq(nl));
	return nlsock_request(nl, buf, nlh->nlmsg_len, on_rule, data);
}

int natscan_read(struct natscan_list *l)
{
	struct natscan_list fresh = { NULL, 0 };
	struct nlsock nl;
	int ret;

	ret = nlsock_open(&nl);
	if (ret < 0)
		return ret;
	ret = nftdump_consistent(&nl, dump_rules, &fresh);
	nlsock_close(&nl);
	if (ret < 0) {
		free(fresh.v);
		return ret;
	}
	natscan_free(l);
	*l = fresh;
	return 0;
}

void natscan_free(struct natscan_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
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
	char addr[INET6_ADDRSTRLEN];
	const char *open = e->family == AF_INET6 ? "[" : "", *close = e->family == AF_INET6 ? "]" : "";

	natscan_addr_text(e, e->to_addr, addr, sizeof(addr));
	if (!e->to_lo)
		snprintf(out, cap, "%s", addr);
	else if (e->to_hi > e->to_lo)
		snprintf(out, cap, "%s%s%s:%u-%u", open, addr, close, e->to_lo, e->to_hi);
	else
		snprintf(out, cap, "%s%s%s:%u", open, addr, close, e->to_lo);
}
