// SPDX-License-Identifier: GPL-2.0-or-later
/* Round trip: expressions into a rule message, parsed back with libnftnl. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <string.h>

#include "nftexpr.h"
#include "nftmsg.h"

#define EXPRS_MAX 8

struct rule_back {
	struct nftnl_rule *r;
	struct nftnl_expr *e[EXPRS_MAX];
	unsigned n;
};

static int collect(struct nftnl_expr *e, void *data)
{
	struct rule_back *back = data;

	if (back->n < EXPRS_MAX)
		back->e[back->n++] = e;
	return 0;
}

/* The rule as the kernel would read it: built into a message, parsed back */
static void round_trip(struct nftnl_rule *r, struct rule_back *back)
{
	static char buf[BATCH_MSG_MAX];

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "t");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "c");
	memset(back, 0, sizeof(*back));
	back->r = nftnl_rule_alloc();
	assert_int_equal(nftnl_rule_nlmsg_parse(nftmsg_build(buf, NFT_MSG_NEWRULE, 0, 1, NFTMSG_RULE,
							     r), back->r), 0);
	nftnl_expr_foreach(back->r, collect, back);
	nftnl_rule_free(r);
}

static const char *name_of(const struct rule_back *back, unsigned i)
{
	return nftnl_expr_get_str(back->e[i], NFTNL_EXPR_NAME);
}

static void expr_port_key__two_registers__meta_then_dport(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_back back;

	assert_int_equal(expr_port_key(r), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 2);
	assert_string_equal(name_of(&back, 0), "meta");
	assert_int_equal(nftnl_expr_get_u32(back.e[0], NFTNL_EXPR_META_KEY), NFT_META_L4PROTO);
	assert_int_equal(nftnl_expr_get_u32(back.e[0], NFTNL_EXPR_META_DREG), NFT_REG32_00);
	assert_string_equal(name_of(&back, 1), "payload");
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_PAYLOAD_BASE),
			 NFT_PAYLOAD_TRANSPORT_HEADER);
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_PAYLOAD_OFFSET), 2);
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_PAYLOAD_LEN), 2);
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_PAYLOAD_DREG), NFT_REG32_01);
	nftnl_rule_free(back.r);
}

static void expr_l4proto_is__udp__one_byte_compared(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_back back;
	const uint8_t *data;
	uint32_t len;

	assert_int_equal(expr_l4proto_is(r, IPPROTO_UDP), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 2);
	assert_string_equal(name_of(&back, 1), "cmp");
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_CMP_OP), NFT_CMP_EQ);
	data = nftnl_expr_get(back.e[1], NFTNL_EXPR_CMP_DATA, &len);
	assert_int_equal(len, 1);
	assert_int_equal(data[0], IPPROTO_UDP);
	nftnl_rule_free(back.r);
}

static void expr_lookup__inverted__flag_kept_and_plain_has_none(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_back back;

	assert_int_equal(expr_lookup(r, NFT_REG_1, "wan_ifaces", NFT_LOOKUP_F_INV), 0);
	assert_int_equal(expr_lookup(r, NFT_REG32_00, "guarded", 0), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 2);
	assert_string_equal(nftnl_expr_get_str(back.e[0], NFTNL_EXPR_LOOKUP_SET), "wan_ifaces");
	assert_int_equal(nftnl_expr_get_u32(back.e[0], NFTNL_EXPR_LOOKUP_FLAGS), NFT_LOOKUP_F_INV);
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_LOOKUP_SREG), NFT_REG32_00);
	assert_false(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV);
	nftnl_rule_free(back.r);
}

static void expr_queue__native_and_target__same_queue_and_bypass(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const struct xt_NFQ_info_v3 *info;
	struct rule_back back;
	uint32_t len;

	assert_int_equal(expr_queue(r, 7, 1), 0);
	assert_int_equal(expr_nfqueue_target(r, 7, 0), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 2);
	assert_string_equal(name_of(&back, 0), "queue");
	assert_int_equal(nftnl_expr_get_u16(back.e[0], NFTNL_EXPR_QUEUE_NUM), 7);
	assert_int_equal(nftnl_expr_get_u16(back.e[0], NFTNL_EXPR_QUEUE_FLAGS),
			 NFT_QUEUE_FLAG_BYPASS);
	assert_string_equal(name_of(&back, 1), "target");
	assert_string_equal(nftnl_expr_get_str(back.e[1], NFTNL_EXPR_TG_NAME), "NFQUEUE");
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_TG_REV), 3);
	info = nftnl_expr_get(back.e[1], NFTNL_EXPR_TG_INFO, &len);
	assert_int_equal(len, sizeof(*info));
	assert_int_equal(info->queuenum, 7);
	assert_int_equal(info->flags & NFQ_FLAG_BYPASS, 0);
	nftnl_rule_free(back.r);
}

static void expr_dynset__with_limit__limit_carried_per_element(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_back back;
	struct nftnl_expr *inner;

	assert_int_equal(expr_dynset(r, NFT_DYNSET_OP_UPDATE, NFT_REG_1, "log_sources_v4",
				     expr_limit_new(5)), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 1);
	assert_string_equal(name_of(&back, 0), "dynset");
	assert_int_equal(nftnl_expr_get_u32(back.e[0], NFTNL_EXPR_DYNSET_OP), NFT_DYNSET_OP_UPDATE);
	assert_string_equal(nftnl_expr_get_str(back.e[0], NFTNL_EXPR_DYNSET_SET_NAME),
			    "log_sources_v4");
	inner = (struct nftnl_expr *)nftnl_expr_get(back.e[0], NFTNL_EXPR_DYNSET_EXPR, NULL);
	assert_non_null(inner);
	assert_string_equal(nftnl_expr_get_str(inner, NFTNL_EXPR_NAME), "limit");
	assert_int_equal(nftnl_expr_get_u64(inner, NFTNL_EXPR_LIMIT_RATE), 5);
	assert_int_equal(nftnl_expr_get_u32(inner, NFTNL_EXPR_LIMIT_BURST), 5);
	nftnl_rule_free(back.r);
}

static void expr_ct_any_bit__status__masked_and_compared_with_zero(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_back back;
	const uint32_t *mask, *zero;
	uint32_t len;

	assert_int_equal(expr_ct_any_bit(r, NFT_CT_STATUS, 0x20), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 3);
	assert_string_equal(name_of(&back, 0), "ct");
	assert_int_equal(nftnl_expr_get_u32(back.e[0], NFTNL_EXPR_CT_KEY), NFT_CT_STATUS);
	assert_string_equal(name_of(&back, 1), "bitwise");
	mask = nftnl_expr_get(back.e[1], NFTNL_EXPR_BITWISE_MASK, &len);
	assert_int_equal(len, 4);
	assert_int_equal(*mask, 0x20);
	assert_string_equal(name_of(&back, 2), "cmp");
	assert_int_equal(nftnl_expr_get_u32(back.e[2], NFTNL_EXPR_CMP_OP), NFT_CMP_NEQ);
	zero = nftnl_expr_get(back.e[2], NFTNL_EXPR_CMP_DATA, &len);
	assert_int_equal(*zero, 0);
	nftnl_rule_free(back.r);
}

static void expr_verdict__jump__chain_named(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_back back;

	assert_int_equal(expr_verdict(r, NFT_JUMP, "lan"), 0);
	assert_int_equal(expr_verdict(r, NF_DROP, NULL), 0);
	round_trip(r, &back);
	assert_int_equal(back.n, 2);
	assert_int_equal((int)nftnl_expr_get_u32(back.e[0], NFTNL_EXPR_IMM_VERDICT), NFT_JUMP);
	assert_string_equal(nftnl_expr_get_str(back.e[0], NFTNL_EXPR_IMM_CHAIN), "lan");
	assert_int_equal(nftnl_expr_get_u32(back.e[1], NFTNL_EXPR_IMM_VERDICT), NF_DROP);
	assert_false(nftnl_expr_is_set(back.e[1], NFTNL_EXPR_IMM_CHAIN));
	nftnl_rule_free(back.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expr_port_key__two_registers__meta_then_dport),
		cmocka_unit_test(expr_l4proto_is__udp__one_byte_compared),
		cmocka_unit_test(expr_lookup__inverted__flag_kept_and_plain_has_none),
		cmocka_unit_test(expr_queue__native_and_target__same_queue_and_bypass),
		cmocka_unit_test(expr_dynset__with_limit__limit_carried_per_element),
		cmocka_unit_test(expr_ct_any_bit__status__masked_and_compared_with_zero),
		cmocka_unit_test(expr_verdict__jump__chain_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
