// SPDX-License-Identifier: GPL-2.0-or-later
/* Judging the other tables' rules for one first packet, as the kernel runs
 * them: expressions load values into registers, comparisons read them,
 * verdicts end a chain or jump to another.  A value is known byte by byte
 * (the protocol, the port, TCP's SYN, the family; the source when asked
 * about one), known to differ from one value (the input interface is not
 * lo, a route back exists), one of the host's addresses, or unknown.  A
 * rule matches, does not, or may: a "may" keeps both ways open, so a port
 * is "dropped" only when every way through the tables drops it. */
#include <netinet/in.h>	/* before linux/: it defines the same structs */
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "otherfw.h"

#define SLOTS		20	/* the register file in 32-bit slots: 0-3 verdict, 4-19 data */
#define DEPTH_MAX	16	/* jumps, as the kernel allows */
#define STEPS_MAX	200000	/* rules judged for one question */

enum truth { NO, MAYBE, YES };

enum vkind { V_BYTES, V_NOT, V_LOCAL };

/* What a register holds from one slot on. */
struct val {
	uint8_t kind, len;
	uint8_t b[16];
	uint16_t known;		/* V_BYTES: bit i: byte i is known */
	uint8_t mask[16];	/* V_LOCAL: the bits of the address that count */
};

struct packet {
	uint8_t net[40], net_known[40];	/* network header, the bytes known */
	uint8_t th[16], th_known[16];	/* transport header */
	unsigned daddr_off, alen;
};

/* outcomes of a chain: passed (accepted), dropped, returned */
#define B_ACCEPT	1u
#define B_DROP		2u
#define B_RETURN	4u

struct where {
	int set, rejected, by_policy;
	const struct otherfw_chain *chain;
};

/* what a rule's verdict is: a plain one, or a jump or goto */
enum vkind_rule { R_PLAIN, R_JUMP, R_GOTO };

struct judge {
	const struct otherfw *fw;
	const struct otherfw_query *q;
	struct packet pkt;
	struct val reg[SLOTS];
	unsigned steps;
	/* the first place found to drop it, and the first whose rule
	 * matched for certain */
	struct where drop, sure;
};

/* ---- registers ------------------------------------------------------------- */

static int slot_of(uint8_t reg, unsigned len)
{
	int slot;

	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		slot = reg * 4;
	else if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		slot = reg - NFT_REG32_00 + 4;
	else
		return -1;
	if (len == 0 || len > 16 || slot + (int)((len + 3) / 4) > SLOTS)
		return -1;
	return slot;
}

static void store(struct judge *j, uint8_t reg, const struct val *v)
{
	int slot = slot_of(reg, v->len), i;

	if (slot < 0)
		return;
	for (i = slot; i < slot + (v->len + 3) / 4; i++)
		memset(&j->reg[i], 0, sizeof(j->reg[i]));	/* unknown, of length 0 */
	j->reg[slot] = *v;
}

static struct val unknown(unsigned len)
{
	struct val v = { .kind = V_BYTES, .len = (uint8_t)len };

	return v;
}

static struct val known(const void *p, unsigned len)
{
	struct val v = { .kind = V_BYTES, .len = (uint8_t)len };

	memcpy(v.b, p, len);
	v.known = (uint16_t)((1u << len) - 1);
	return v;
}

static struct val known_u32(uint32_t x)
{
	return known(&x, 4);
}

static struct val not_equal(const void *p, unsigned len)
{
	struct val v = { .kind = V_NOT, .len = (uint8_t)len };

	memcpy(v.b, p, len);
	return v;
}

/* what slot holds for len bytes: a value loaded there, or unknown */
static struct val load_reg(const struct judge *j, uint8_t reg, unsigned len)
{
	int slot = slot_of(reg, len);
	struct val v;

	if (slot < 0 || j->reg[slot].len < len)
		return unknown(len);
	v = j->reg[slot];
	if (v.kind == V_BYTES)
		v.known &= (uint16_t)((1u << len) - 1);
	v.len = (uint8_t)len;
	return v;
}

/* ---- the packet -------------------------------------------------------------- */

static void set_bytes(uint8_t *dst, uint8_t *known_bytes, unsigned off, const void *src, unsigned n)
{
	memcpy(dst + off, src, n);
	memset(known_bytes + off, 1, n);
}

static void packet_init(struct packet *p, const struct otherfw_query *q)
{
	uint8_t port[2] = { (uint8_t)(q->dport >> 8), (uint8_t)q->dport }, syn = 0x02;

	memset(p, 0, sizeof(*p));
	if (q->family == AF_INET) {
		set_bytes(p->net, p->net_known, 9, &q->proto, 1);
		if (q->saddr)
			set_bytes(p->net, p->net_known, 12, q->saddr, 4);
		p->daddr_off = 16;
		p->alen = 4;
	} else {
		set_bytes(p->net, p->net_known, 6, &q->proto, 1);
		if (q->saddr)
			set_bytes(p->net, p->net_known, 8, q->saddr, 16);
		p->daddr_off = 24;
		p->alen = 16;
	}
	if (q->daddr)
		set_bytes(p->net, p->net_known, p->daddr_off, q->daddr, p->alen);
	set_bytes(p->th, p->th_known, 2, port, 2);
	if (q->proto == IPPROTO_TCP)
		set_bytes(p->th, p->th_known, 13, &syn, 1);	/* SYN, no ACK */
}

static struct val payload(const struct judge *j, const struct otherfw_op *op)
{
	const struct packet *p = &j->pkt;
	const uint8_t *src, *k;
	unsigned size, i;
	struct val v;

	if (op->a == NFT_PAYLOAD_NETWORK_HEADER) {
		src = p->net, k = p->net_known, size = sizeof(p->net);
		/* the destination is one of the host's addresses */
		if (!j->q->daddr && op->x == p->daddr_off && op->len <= p->alen) {
			v = unknown(op->len);
			v.kind = V_LOCAL;
			memset(v.mask, 0xff, op->len);
			return v;
		}
	} else if (op->a == NFT_PAYLOAD_TRANSPORT_HEADER) {
		src = p->th, k = p->th_known, size = sizeof(p->th);
	} else {
		return unknown(op->len);
	}
	v = unknown(op->len);
	for (i = 0; i < op->len && op->x + i < size; i++)
		if (k[op->x + i]) {
			v.b[i] = src[op->x + i];
			v.known |= (uint16_t)(1u << i);
		}
	return v;
}

static struct val meta(const struct judge *j, uint8_t key)
{
	static const char lo[16] = "lo";
	uint8_t nfproto = j->q->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	uint8_t ethertype[2] = { 0x86, 0xdd }, host = PACKET_HOST;
	uint32_t loindex = 1;

	if (j->q->family == AF_INET)
		ethertype[0] = 0x08, ethertype[1] = 0x00;
	switch (key) {
	case NFT_META_L4PROTO:
		return known(&j->q->proto, 1);
	case NFT_META_NFPROTO:
		return known(&nfproto, 1);
	case NFT_META_PROTOCOL:
		return known(ethertype, 2);
	case NFT_META_PKTTYPE:
		return known(&host, 1);
	case NFT_META_IIF:
		return not_equal(&loindex, 4);
	case NFT_META_IIFNAME:
		return not_equal(lo, 16);	/* from outside: not the loopback */
	default:
		return unknown(16);
	}
}

static struct val ct(const struct judge *j, uint8_t key)
{
	uint8_t original = IP_CT_DIR_ORIGINAL;

	switch (key) {
	case NFT_CT_STATE:	/* a new connection */
		return known_u32(NF_CT_STATE_BIT(IP_CT_NEW));
	case NFT_CT_STATUS:	/* nothing seen back, not NATed on its way in */
		return known_u32(0);
	case NFT_CT_DIRECTION:
		return known(&original, 1);
	case NFT_CT_PROTOCOL:
		return known(&j->q->proto, 1);
	default:
		return unknown(16);
	}
}

static struct val fib(const struct otherfw_op *op)
{
	static const uint8_t none[16];
	uint8_t yes = 1;

	if (op->x & NFTA_FIB_F_PRESENT)
		return known(&yes, 1);	/* "exists": a route back is there */
	switch (op->y) {
	case NFT_FIB_RESULT_ADDRTYPE:
		return known_u32((op->x & NFTA_FIB_F_DADDR) ? RTN_LOCAL : RTN_UNICAST);
	case NFT_FIB_RESULT_OIF:
		return not_equal(none, 4);
	case NFT_FIB_RESULT_OIFNAME:
		return not_equal(none, 16);
	}
	return unknown(16);
}

/* ---- comparisons -------------------------------------------------------- */

static enum truth not_of(enum truth t)
{
	return t == MAYBE ? MAYBE : t == YES ? NO : YES;
}

/* An equality with data, over the host's addresses masked */
static enum truth local_equals(const struct judge *j, const struct val *v, const uint8_t *data,
			       unsigned len)
{
	unsigned i, k, hits = 0;

	for (i = 0; i < j->q->nlocals; i++) {
		int same = 1;

		for (k = 0; k < len && same; k++)
			same = (j->q->locals[i][k] & v->mask[k]) == data[k];
		hits += same;
	}
	if (!hits)
		return NO;
	return hits == j->q->nlocals ? YES : MAYBE;
}

static enum truth equals(const struct judge *j, const struct val *v, const uint8_t *data,
			 unsigned len)
{
	unsigned i;

	if (v->kind == V_LOCAL)
		return local_equals(j, v, data, len);
	if (v->kind == V_NOT)
		return !memcmp(v->b, data, len) ? NO : MAYBE;
	for (i = 0; i < len; i++)
		if ((v->known & (1u << i)) && v->b[i] != data[i])
			return NO;
	return v->known == (uint16_t)((1u << len) - 1) ? YES : MAYBE;
}

static int all_known(const struct val *v, unsigned len)
{
	return v->kind == V_BYTES && v->known == (uint16_t)((1u << len) - 1);
}

static enum truth compare(const struct judge *j, const struct otherfw_op *op)
{
	struct val v = load_reg(j, op->sreg, op->len);
	int d;

	if (op->a == NFT_CMP_EQ)
		return equals(j, &v, op->data, op->len);
	if (op->a == NFT_CMP_NEQ)
		return not_of(equals(j, &v, op->data, op->len));
	if (!all_known(&v, op->len))
		return MAYBE;
	d = memcmp(v.b, op->data, op->len);
	switch (op->a) {
	case NFT_CMP_LT:
		return d < 0 ? YES : NO;
	case NFT_CMP_LTE:
		return d <= 0 ? YES : NO;
	case NFT_CMP_GT:
		return d > 0 ? YES : NO;
	case NFT_CMP_GTE:
		return d >= 0 ? YES : NO;
	}
	return MAYBE;
}

static enum truth in_range(const struct judge *j, const struct otherfw_op *op)
{
	struct val v = load_reg(j, op->sreg, op->len);
	enum truth t;

	if (!all_known(&v, op->len))
		return MAYBE;
	t = memcmp(v.b, op->data, op->len) >= 0 && memcmp(v.b, op->data2, op->len) <= 0 ? YES : NO;
	return op->a == NFT_RANGE_NEQ ? not_of(t) : t;
}

static void bitwise(struct judge *j, const struct otherfw_op *op)
{
	struct val v = load_reg(j, op->sreg, op->len), out = unknown(op->len);
	unsigned i;

	if (op->a) {	/* an operation not read */
		store(j, op->dreg, &out);
		return;
	}
	if (v.kind == V_LOCAL) {
		out = v;
		for (i = 0; i < op->len; i++)
			out.mask[i] &= op->data[i];
		if (memcmp(op->data2, (uint8_t[16]){ 0 }, op->len))
			out = unknown(op->len);
	} else if (v.kind == V_BYTES) {
		for (i = 0; i < op->len; i++) {
			if (!(v.known & (1u << i)) && op->data[i])
				continue;
			out.b[i] = (uint8_t)((v.b[i] & op->data[i]) ^ op->data2[i]);
			out.known |= (uint16_t)(1u << i);
		}
	}
	store(j, op->dreg, &out);
}

/* ---- xtables matches and targets ------------------------------------------------ */

static enum truth port_in(uint16_t port, uint16_t lo, uint16_t hi, int inv)
{
	int in = port >= lo && port <= hi;

	return in != !!inv ? YES : NO;
}

static enum truth all_of(enum truth a, enum truth b)
{
	if (a == NO || b == NO)
		return NO;
	return a == YES && b == YES ? YES : MAYBE;
}

static enum truth xt_tcpudp(const struct judge *j, const char *name, const uint8_t *info,
			    uint32_t len)
{
	struct xt_tcp t;
	struct xt_udp u;
	enum truth r;

	if (!strcmp(name, "tcp")) {
		if (j->q->proto != IPPROTO_TCP)
			return NO;
		if (len < sizeof(t))
			return MAYBE;
		memcpy(&t, info, sizeof(t));
		r = port_in(j->q->dport, t.dpts[0], t.dpts[1], t.invflags & XT_TCP_INV_DSTPT);
		if (t.spts[0] != 0 || t.spts[1] != 0xffff || t.option)
			r = all_of(r, MAYBE);
		if (t.flg_mask)
			r = all_of(r, ((0x02 & t.flg_mask) == t.flg_cmp) != !!(t.invflags & XT_TCP_INV_FLAGS)
				       ? YES : NO);
		return r;
	}
	if (j->q->proto != IPPROTO_UDP)
		return NO;
	if (len < sizeof(u))
		return MAYBE;
	memcpy(&u, info, sizeof(u));
	r = port_in(j->q->dport, u.dpts[0], u.dpts[1], u.invflags & XT_UDP_INV_DSTPT);
	return u.spts[0] != 0 || u.spts[1] != 0xffff ? all_of(r, MAYBE) : r;
}

static enum truth xt_multiport(const struct judge *j, const uint8_t *info, uint32_t len)
{
	struct xt_multiport_v1 m;
	unsigned i;
	int hit = 0;

	if (len < sizeof(m))
		return MAYBE;
	memcpy(&m, info, sizeof(m));
	if (m.count > XT_MULTI_PORTS || m.flags == XT_MULTIPORT_SOURCE)
		return MAYBE;
	for (i = 0; i < m.count && !hit; i++) {
		uint16_t lo = m.ports[i], hi = m.pflags[i] && i + 1 < m.count ? m.ports[++i] : lo;

		hit = j->q->dport >= lo && j->q->dport <= hi;
	}
	if (m.flags == XT_MULTIPORT_EITHER && !hit)
		return MAYBE;	/* the source port could match */
	return hit != !!m.invert ? YES : NO;
}

static enum truth ct_state_bit(unsigned mask, int inverted)
{
	return !!(mask & XT_CONNTRACK_STATE_BIT(IP_CT_NEW)) != !!inverted ? YES : NO;
}

static enum truth xt_conntrack(const uint8_t *info, uint32_t len, uint32_t rev)
{
	struct xt_conntrack_mtinfo3 m3;
	struct xt_conntrack_mtinfo2 m2;
	struct xt_conntrack_mtinfo1 m1;
	unsigned flags, inv, state;

	if (rev == 3 && len >= sizeof(m3)) {
		memcpy(&m3, info, sizeof(m3));
		flags = m3.match_flags, inv = m3.invert_flags, state = m3.state_mask;
	} else if (rev == 2 && len >= sizeof(m2)) {
		memcpy(&m2, info, sizeof(m2));
		flags = m2.match_flags, inv = m2.invert_flags, state = m2.state_mask;
	} else if (rev == 1 && len >= sizeof(m1)) {
		memcpy(&m1, info, sizeof(m1));
		flags = m1.match_flags, inv = m1.invert_flags, state = m1.state_mask;
	} else {
		return MAYBE;
	}
	if (flags & ~XT_CONNTRACK_STATE)
		return (flags & XT_CONNTRACK_STATE) && ct_state_bit(state, inv & XT_CONNTRACK_STATE) == NO
		       ? NO : MAYBE;
	return flags ? ct_state_bit(state, inv & XT_CONNTRACK_STATE) : YES;
}

static enum truth xt_match(const struct judge *j, const struct otherfw_op *op)
{
	const char *name = otherfw_str(j->fw, op->str);
	const uint8_t *info = (const uint8_t *)otherfw_str(j->fw, op->blob);
	uint32_t len = op->blob ? op->blob_len : 0;

	if (!strcmp(name, "tcp") || !strcmp(name, "udp"))
		return xt_tcpudp(j, name, info, len);
	if (!strcmp(name, "multiport") && op->x == 1)
		return xt_multiport(j, info, len);
	if (!strcmp(name, "conntrack"))
		return xt_conntrack(info, len, op->x);
	if (!strcmp(name, "state") && len >= sizeof(struct xt_state_info)) {
		struct xt_state_info s;

		memcpy(&s, info, sizeof(s));
		return (s.statemask & XT_STATE_BIT(IP_CT_NEW)) ? YES : NO;
	}
	if (!strcmp(name, "addrtype") && op->x == 1 && len >= sizeof(struct xt_addrtype_info_v1)) {
		struct xt_addrtype_info_v1 a;
		enum truth src = YES, dst = YES;

		memcpy(&a, info, sizeof(a));
		if (a.source)
			src = !!(a.source & XT_ADDRTYPE_UNICAST) != !!(a.flags & XT_ADDRTYPE_INVERT_SOURCE)
			      ? YES : NO;
		if (a.dest)
			dst = !!(a.dest & XT_ADDRTYPE_LOCAL) != !!(a.flags & XT_ADDRTYPE_INVERT_DEST)
			      ? YES : NO;
		return all_of(src, dst);
	}
	if (!strcmp(name, "pkttype") && len >= sizeof(struct xt_pkttype_info)) {
		struct xt_pkttype_info p;

		memcpy(&p, info, sizeof(p));
		return (p.pkttype == PACKET_HOST) != !!p.invert ? YES : NO;
	}
	if (!strcmp(name, "comment"))
		return YES;
	if (!strcmp(name, "icmp") || !strcmp(name, "icmp6"))
		return NO;	/* never a TCP or UDP packet */
	return MAYBE;
}

/* the outcome of an xtables target: REJECT drops, the watchers go on */
static unsigned xt_target(const struct judge *j, const struct otherfw_op *op, int *rejected)
{
	static const char *const go_on[] = { "LOG", "NFLOG", "ULOG", "TRACE", "AUDIT", "MARK",
					     "CONNMARK", "CT", "NOTRACK", "TCPMSS", "CLASSIFY",
					     "DSCP", "TOS", "SECMARK", "CONNSECMARK" };
	const char *name = otherfw_str(j->fw, op->str);
	size_t i;

	if (!strcmp(name, "REJECT")) {
		*rejected = 1;
		return B_DROP;
	}
	for (i = 0; i < sizeof(go_on) / sizeof(go_on[0]); i++)
		if (!strcmp(name, go_on[i]))
			return 0;
	return B_ACCEPT | B_DROP;
}

/* ---- rules and chains ----------------------------------------------------- */

static int find(const struct otherfw *fw, uint8_t family, uint32_t table, const char *name)
{
	unsigned lo = 0, hi = fw->nchains;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct otherfw_chain *c = &fw->chains[mid];
		int d = (int)family - (int)c->family;

		if (!d)
			d = strcmp(otherfw_str(fw, table), otherfw_str(fw, c->table));
		if (!d)
			d = strcmp(name, otherfw_str(fw, c->name));
		if (!d)
			return (int)mid;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static unsigned chain_outcome(struct judge *j, const struct otherfw_chain *c, unsigned depth);

static void note_drop(struct judge *j, const struct otherfw_chain *c, int rejected, int by_policy,
		      enum truth applies)
{
	struct where w = { 1, rejected, by_policy, c };

	if (!j->drop.set)
		j->drop = w;
	if (!j->sure.set && applies == YES)
		j->sure = w;
}

/* The outcome of a verdict: accept, drop, return; a jump or goto yields
 * the outcome of its chain, whose B_RETURN the caller reads */
static unsigned verdict(struct judge *j, const struct otherfw_chain *c, const struct otherfw_op *op,
			unsigned depth, enum truth applies)
{
	int code = (int32_t)op->x, target;

	switch (code) {
	case NF_ACCEPT:
		return B_ACCEPT;
	case NF_DROP:
		note_drop(j, c, 0, 0, applies);
		return B_DROP;
	case NFT_RETURN:
		return B_RETURN;
	case NFT_JUMP:
	case NFT_GOTO:
		target = find(j->fw, c->family, c->table, otherfw_str(j->fw, op->str));
		if (target < 0 || depth >= DEPTH_MAX)
			return B_ACCEPT | B_DROP;
		return chain_outcome(j, &j->fw->chains[target], depth + 1);
	case NFT_CONTINUE:
	case NFT_BREAK:
		return 0;
	}
	return B_ACCEPT | B_DROP;	/* queue, stolen: not told */
}

/* Runs one rule: *applies says whether its matches hold; returns the
 * outcome of its verdict, 0 when it has none (it goes on). */
static unsigned run_rule(struct judge *j, const struct otherfw_chain *c, const struct otherfw_rule *r,
			 unsigned depth, enum truth *applies, enum vkind_rule *kind)
{
	unsigned i, out = 0;
	int rejected = 0;

	*applies = YES;
	*kind = R_PLAIN;
	memset(j->reg, 0, sizeof(j->reg));
	for (i = 0; i < r->nops && *applies != NO; i++) {
		const struct otherfw_op *op = &j->fw->ops[r->first + i];
		struct val v;

		switch (op->kind) {
		case OP_META:
			v = meta(j, op->a);
			v.len = v.len < 16 ? v.len : 16;
			store(j, op->dreg, &v);
			break;
		case OP_PAYLOAD:
			v = payload(j, op);
			store(j, op->dreg, &v);
			break;
		case OP_CT:
			v = ct(j, op->a);
			store(j, op->dreg, &v);
			break;
		case OP_FIB:
			v = fib(op);
			store(j, op->dreg, &v);
			break;
		case OP_BITWISE:
			bitwise(j, op);
			break;
		case OP_IMM_DATA:
			v = known(op->data, op->len);
			store(j, op->dreg, &v);
			break;
		case OP_CMP:
			*applies = all_of(*applies, compare(j, op));
			break;
		case OP_RANGE:
			*applies = all_of(*applies, in_range(j, op));
			break;
		case OP_LOOKUP:
			if (op->a)
				return B_ACCEPT | B_DROP;	/* a verdict map */
			*applies = all_of(*applies, MAYBE);
			if (op->has_dreg) {
				v = unknown(16);
				store(j, op->dreg, &v);
			}
			break;
		case OP_XT_MATCH:
			*applies = all_of(*applies, xt_match(j, op));
			break;
		case OP_GATE:
		case OP_UNKNOWN:
			*applies = all_of(*applies, MAYBE);
			break;
		case OP_NOOP:
			break;
		case OP_REJECT:
			note_drop(j, c, 1, 0, *applies);
			return B_DROP;
		case OP_ANY:
			return B_ACCEPT | B_DROP;
		case OP_XT_TARGET:
			out = xt_target(j, op, &rejected);
			if (out & B_DROP)
				note_drop(j, c, rejected, 0, out == B_DROP ? *applies : MAYBE);
			if (out)
				return out;
			break;
		case OP_VERDICT:
			if ((int32_t)op->x == NFT_JUMP)
				*kind = R_JUMP;
			else if ((int32_t)op->x == NFT_GOTO)
				*kind = R_GOTO;
			return verdict(j, c, op, depth, *applies);
		}
	}
	return 0;
}

/* The outcomes of running chain c: B_ACCEPT, B_DROP, and B_RETURN when
 * some way through it returns (or falls off its end). */
static unsigned chain_outcome(struct judge *j, const struct otherfw_chain *c, unsigned depth)
{
	unsigned i, out = 0;

	for (i = 0; i < c->nrules; i++) {
		const struct otherfw_rule *r = &j->fw->rules[c->first + i];
		enum vkind_rule kind;
		enum truth applies;
		unsigned res;

		if (++j->steps > STEPS_MAX)
			return out | B_ACCEPT | B_DROP;
		res = run_rule(j, c, r, depth, &applies, &kind);
		if (applies == NO || !res)
			continue;
		if (kind == R_JUMP) {
			/* what ended in the jumped-to chain ends here; what
			 * came back goes on with the next rule */
			out |= res & ~B_RETURN;
			if (applies == YES && !(res & B_RETURN))
				return out;
			continue;
		}
		/* a verdict, or a goto whose return is this chain's */
		out |= res;
		if (applies == YES)
			return out;
	}
	return out | B_RETURN;
}

/* ---- the question ----------------------------------------------------------- */

static int applies_to(const struct otherfw_chain *c, int family)
{
	if (!c->base || !c->filter)
		return 0;
	if (c->hook != NF_INET_PRE_ROUTING && c->hook != NF_INET_LOCAL_IN)
		return 0;
	return c->family == NFPROTO_INET ||
	       c->family == (family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
}

/* base chains in the order the packet meets them */
static int before(const struct otherfw_chain *a, const struct otherfw_chain *b)
{
	if (a->hook != b->hook)
		return a->hook == NF_INET_PRE_ROUTING;
	return a->prio < b->prio;
}

static void name_it(const struct otherfw *fw, const struct otherfw_chain *c,
		    const struct otherfw_chain *base, struct otherfw_verdict *v)
{
	static const char *const families[] = { [NFPROTO_INET] = "inet", [NFPROTO_IPV4] = "ip",
						[NFPROTO_ARP] = "arp", [NFPROTO_NETDEV] = "netdev",
						[NFPROTO_BRIDGE] = "bridge", [NFPROTO_IPV6] = "ip6" };
	const char *family = c->family < sizeof(families) / sizeof(families[0]) &&
			     families[c->family] ? families[c->family] : "?";

	snprintf(v->table, sizeof(v->table), "%s %.*s", family, OTHERFW_NAME_MAX - 1,
		 otherfw_str(fw, c->table));
	snprintf(v->chain, sizeof(v->chain), "%s", otherfw_str(fw, c->name));
	snprintf(v->base, sizeof(v->base), "%s", otherfw_str(fw, base->name));
}

void otherfw_judge(const struct otherfw *fw, const struct otherfw_query *q,
		   struct otherfw_verdict *v)
{
	const struct otherfw_chain *done = NULL;
	struct judge j = { .fw = fw, .q = q };
	unsigned n;

	memset(v, 0, sizeof(*v));
	packet_init(&j.pkt, q);
	/* each base chain once, in hook and priority order: a selection
	 * over the few base chains a ruleset has */
	for (n = 0; n < fw->nchains; n++) {
		const struct otherfw_chain *c = NULL;
		unsigned i, out;

		for (i = 0; i < fw->nchains; i++) {
			const struct otherfw_chain *x = &fw->chains[i];

			if (applies_to(x, q->family) && (!done || before(done, x) ||
			    (!before(x, done) && x > done)) && (!c || before(x, c) ||
			    (!before(c, x) && x < c)))
				c = x;
		}
		if (!c)
			break;
		done = c;
		j.drop.set = j.sure.set = 0;
		out = chain_outcome(&j, c, 0);
		if (out & B_RETURN) {
			out &= ~B_RETURN;
			if (c->policy_drop) {
				note_drop(&j, c, 0, 1, YES);
				out |= B_DROP;
			} else {
				out |= B_ACCEPT;
			}
		}
		if (!(out & B_DROP))
			continue;
		if (v->result == OTHERFW_PASSES || out == B_DROP) {
			const struct where *w = out == B_DROP && j.sure.set ? &j.sure : &j.drop;

			v->result = out == B_DROP ? OTHERFW_DROPPED : OTHERFW_MAY_DROP;
			v->rejected = w->rejected;
			v->by_policy = w->by_policy;
			name_it(fw, w->chain ? w->chain : c, c, v);
		}
		if (out == B_DROP)
			return;
	}
}

void otherfw_text(const struct otherfw_verdict *v, char *out, size_t cap)
{
	const char *how = v->rejected ? "rejected" : "dropped";

	if (v->result == OTHERFW_PASSES) {
		snprintf(out, cap, "no other table drops it");
		return;
	}
	if (v->by_policy)
		snprintf(out, cap, "%s%s by table %s (chain %s, its policy)",
			 v->result == OTHERFW_MAY_DROP ? "may be " : "", how, v->table, v->chain);
	else if (strcmp(v->chain, v->base))
		snprintf(out, cap, "%s%s by table %s (chain %s, from %s)",
			 v->result == OTHERFW_MAY_DROP ? "may be " : "", how, v->table, v->chain, v->base);
	else
		snprintf(out, cap, "%s%s by table %s (chain %s)",
			 v->result == OTHERFW_MAY_DROP ? "may be " : "", how, v->table, v->chain);
}
