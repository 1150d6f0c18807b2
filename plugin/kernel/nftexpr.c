// SPDX-License-Identifier: GPL-2.0-or-later
/* libnftnl expressions, one builder each, appended to a rule. */
#include <errno.h>
#include <netinet/in.h>	/* before linux/: it defines the same structs */
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdlib.h>

#include "nftexpr.h"

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

int expr_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
	return add_expr(r, e);
}

int expr_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		 uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	}
	return add_expr(r, e);
}

int expr_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add_expr(r, e);
}

int expr_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask, const void *xor,
		 uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
	}
	return add_expr(r, e);
}

int expr_bitwise_and(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];

	return expr_bitwise(r, NFT_REG_1, mask, zero, len);
}

int expr_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set, uint32_t flags)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		if (flags)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, flags);
	}
	return add_expr(r, e);
}

int expr_counter(struct nftnl_rule *r)
{
	return add_expr(r, nftnl_expr_alloc("counter"));
}

int expr_verdict(struct nftnl_rule *r, int code, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
		if (chain)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	}
	return add_expr(r, e);
}

int expr_fib(struct nftnl_rule *r, uint32_t flags, uint32_t result)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, flags);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, result);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	return add_expr(r, e);
}

int expr_ct_any_bit(struct nftnl_rule *r, uint32_t key, uint32_t mask)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct");
	uint32_t zero = 0;

	if (ct) {
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	if (add_expr(r, ct) < 0 || expr_bitwise_and(r, &mask, 4) < 0)
		return -ENOMEM;
	return expr_cmp(r, NFT_CMP_NEQ, &zero, 4);
}

struct nftnl_expr *expr_limit_new(unsigned rate)
{
	struct nftnl_expr *e = nftnl_expr_alloc("limit");

	if (e) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, rate);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	}
	return e;
}

int expr_limit(struct nftnl_rule *r, unsigned rate)
{
	return add_expr(r, expr_limit_new(rate));
}

int expr_log(struct nftnl_rule *r, uint16_t group, const char *prefix)
{
	struct nftnl_expr *e = nftnl_expr_alloc("log");

	if (e) {
		nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, group);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, 128);
	}
	return add_expr(r, e);
}

int expr_dynset(struct nftnl_rule *r, uint32_t op, uint32_t sreg, const char *set,
		struct nftnl_expr *per_elem)
{
	struct nftnl_expr *e = nftnl_expr_alloc("dynset");

	if (!e) {
		if (per_elem)
			nftnl_expr_free(per_elem);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, op);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	if (per_elem)
		nftnl_expr_add_expr(e, NFTNL_EXPR_DYNSET_EXPRESSIONS, per_elem);
	return add_expr(r, e);
}

int expr_queue(struct nftnl_rule *r, uint16_t num, int bypass)
{
	struct nftnl_expr *e = nftnl_expr_alloc("queue");

	if (e) {
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, num);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, bypass ? NFT_QUEUE_FLAG_BYPASS : 0);
	}
	return add_expr(r, e);
}

int expr_nfqueue_target(struct nftnl_rule *r, uint16_t num, int bypass)
{
	struct xt_NFQ_info_v3 *info = calloc(1, sizeof(*info));
	struct nftnl_expr *e = info ? nftnl_expr_alloc("target") : NULL;

	if (!e) {
		free(info);
		return -ENOMEM;
	}
	info->queuenum = num;
	info->queues_total = 1;
	info->flags = bypass ? NFQ_FLAG_BYPASS : 0;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	/* libnftnl keeps this pointer and frees it with the expression */
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	return add_expr(r, e);
}

int expr_port_key(struct nftnl_rule *r)
{
	if (expr_meta(r, NFT_META_L4PROTO, NFT_REG32_00) < 0)
		return -ENOMEM;
	return expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
}

int expr_l4proto_is(struct nftnl_rule *r, uint8_t proto)
{
	if (expr_meta(r, NFT_META_L4PROTO, NFT_REG_1) < 0)
		return -ENOMEM;
	return expr_cmp(r, NFT_CMP_EQ, &proto, 1);
}

int expr_nfproto_is(struct nftnl_rule *r, uint8_t nfproto)
{
	if (expr_meta(r, NFT_META_NFPROTO, NFT_REG_1) < 0)
		return -ENOMEM;
	return expr_cmp(r, NFT_CMP_EQ, &nfproto, 1);
}

int expr_tcp_not_first(struct nftnl_rule *r)
{
	uint8_t mask = 0x12, syn = 0x02;	/* SYN|ACK, SYN */

	if (expr_l4proto_is(r, IPPROTO_TCP) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1) < 0 ||
	    expr_bitwise_and(r, &mask, 1) < 0)
		return -ENOMEM;
	return expr_cmp(r, NFT_CMP_NEQ, &syn, 1);
}
