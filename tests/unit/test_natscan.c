// SPDX-License-Identifier: GPL-2.0-or-later
/* Round trip: DNAT rules built with libnftnl the way nft and iptables-nft
 * write them, serialised into the netlink message a rule dump carries,
 * read back by natscan.  No kernel, no root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "natscan.h"

static struct nftnl_rule *rule_new(uint32_t nfproto, const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	assert_non_null(r);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, nfproto);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

static void add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	assert_non_null(e);
	nftnl_rule_add_expr(r, e);
}

static void meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	add(r, e);
}

static void payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	add(r, e);
}

static void cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

static void imm(struct nftnl_rule *r, uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	add(r, e);
}

/* "iifname != docker0": a cmp on another register value, to be ignored */
static void not_docker0(struct nftnl_rule *r)
{
	char name[16] = "docker0";

	meta(r, NFT_META_IIFNAME);
	cmp(r, NFT_CMP_NEQ, name, sizeof(name));
}

static void l4proto(struct nftnl_rule *r, uint8_t proto)
{
	meta(r, NFT_META_L4PROTO);
	cmp(r, NFT_CMP_EQ, &proto, 1);
}

static void dport(struct nftnl_rule *r, uint32_t op, uint16_t port)
{
	uint16_t be = htons(port);

	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	cmp(r, op, &be, 2);
}

static void xt_dnat(struct nftnl_rule *r, int family, const char *addr, uint16_t port,
		    uint32_t rev)
{
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	struct nf_nat_range2 *info = calloc(1, sizeof(*info));

	assert_non_null(info);
	info->flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	assert_int_equal(inet_pton(family, addr, &info->min_addr), 1);
	info->max_addr = info->min_addr;
	info->min_proto.all = info->max_proto.all = htons(port);
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "DNAT");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, rev);
	/* libnftnl frees the info with the expression */
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info,
		       rev == 2 ? sizeof(struct nf_nat_range2) : sizeof(struct nf_nat_range));
	add(r, e);
}

static void nat(struct nftnl_rule *r, uint32_t type, uint32_t nfproto, int ports, int range)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, nfproto);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_1);
	if (ports) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, range ? NFT_REG_3 : NFT_REG_2);
	}
	add(r, e);
}

/* native "dnat ip to ADDR:PORT" (or :LO-HI) as nft writes it */
static void dnat_to(struct nftnl_rule *r, int family, const char *addr, uint16_t lo, uint16_t hi)
{
	uint8_t a[16];
	uint16_t plo = htons(lo), phi = htons(hi);

	assert_int_equal(inet_pton(family, addr, a), 1);
	imm(r, NFT_REG_1, a, family == AF_INET ? 4 : 16);
	if (lo)
		imm(r, NFT_REG_2, &plo, 2);
	if (hi != lo)
		imm(r, NFT_REG_3, &phi, 2);
	nat(r, NFT_NAT_DNAT, family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6, lo != 0, hi != lo);
}

/* Serialises r as a dump's NFT_MSG_NEWRULE and reads it back. */
static int round_trip(struct nftnl_rule *r, struct natscan_entry *e)
{
	char *buf = calloc(1, 8192);
	struct nlmsghdr *nlh;
	int ret;

	assert_non_null(buf);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, (uint16_t)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY),
				    0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	memset(e, 0, sizeof(*e));
	ret = natscan_msg(nlh, e);
	free(buf);
	nftnl_rule_free(r);
	return ret;
}

static void target(const struct natscan_entry *e, const char *want)
{
	char text[64];

	natscan_target_text(e, text, sizeof(text));
	assert_string_equal(text, want);
}

static void natscan_msg__iptables_nft_docker_rule__published_port_and_target(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_IPV4, "nat", "DOCKER");
	struct natscan_entry e;

	not_docker0(r);
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_EQ, 6379);
	add(r, nftnl_expr_alloc("counter"));
	xt_dnat(r, AF_INET, "203.0.113.2", 6379, 2);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.family, AF_INET);
	assert_int_equal(e.proto, IPPROTO_TCP);
	assert_int_equal(e.port_lo, 6379);
	assert_int_equal(e.port_hi, 6379);
	assert_int_equal(e.daddr_prefix, 0);
	assert_int_equal(e.writer, NATSCAN_XTABLES);
	assert_string_equal(e.table, "ip nat");
	assert_string_equal(e.chain, "DOCKER");
	target(&e, "203.0.113.2:6379");
}

static void natscan_msg__iptables_nft_loopback_bind__destination_kept(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_IPV4, "nat", "DOCKER");
	uint8_t lo[4] = { 127, 0, 0, 1 };
	struct natscan_entry e;

	l4proto(r, IPPROTO_UDP);
	payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	cmp(r, NFT_CMP_EQ, lo, 4);
	dport(r, NFT_CMP_EQ, 5353);
	xt_dnat(r, AF_INET, "203.0.113.2", 53, 1);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.proto, IPPROTO_UDP);
	assert_int_equal(e.daddr_prefix, 32);
	assert_memory_equal(e.daddr, lo, 4);
	assert_int_equal(natscan_target_port(&e, 5353), 53);
	target(&e, "203.0.113.2:53");
}

static void natscan_msg__ip6tables_nft__ipv6_target(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_IPV6, "nat", "PREROUTING");
	struct natscan_entry e;

	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_EQ, 6379);
	xt_dnat(r, AF_INET6, "2001:db8:3::2", 6379, 2);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.family, AF_INET6);
	assert_string_equal(e.table, "ip6 nat");
	target(&e, "[2001:db8:3::2]:6379");
}

static void natscan_msg__xtables_revision0__ipv4_multi_range(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_IPV4, "nat", "PREROUTING");
	struct nftnl_expr *t = nftnl_expr_alloc("target");
	struct nf_nat_ipv4_multi_range_compat *info = calloc(1, sizeof(*info));
	struct natscan_entry e;

	assert_non_null(info);
	info->rangesize = 1;
	info->range[0].flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	info->range[0].min_ip = info->range[0].max_ip = htonl(0xcb007105);	/* 203.0.113.5 */
	info->range[0].min.all = info->range[0].max.all = htons(8080);
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_EQ, 80);
	nftnl_expr_set_str(t, NFTNL_EXPR_TG_NAME, "DNAT");
	nftnl_expr_set_u32(t, NFTNL_EXPR_TG_REV, 0);
	nftnl_expr_set(t, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	add(r, t);
	assert_int_equal(round_trip(r, &e), 1);
	target(&e, "203.0.113.5:8080");
}

static void natscan_msg__xtables_tcp_match__port_range(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_IPV4, "nat", "PREROUTING");
	struct nftnl_expr *m = nftnl_expr_alloc("match");
	struct xt_tcp *info = calloc(1, sizeof(*info));
	struct natscan_entry e;

	assert_non_null(info);
	info->spts[1] = 0xffff;
	info->dpts[0] = 8000;
	info->dpts[1] = 8010;
	nftnl_expr_set_str(m, NFTNL_EXPR_MT_NAME, "tcp");
	nftnl_expr_set_u32(m, NFTNL_EXPR_MT_REV, 0);
	nftnl_expr_set(m, NFTNL_EXPR_MT_INFO, info, sizeof(*info));
	add(r, m);
	xt_dnat(r, AF_INET, "203.0.113.2", 0, 2);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.proto, IPPROTO_TCP);
	assert_int_equal(e.port_lo, 8000);
	assert_int_equal(e.port_hi, 8010);
}

static void natscan_msg__nft_inet_ipv6__nfproto_and_destination(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_INET, "fw", "pre");
	uint8_t nfproto = NFPROTO_IPV6, daddr[16];
	struct natscan_entry e;

	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", daddr), 1);
	meta(r, NFT_META_NFPROTO);
	cmp(r, NFT_CMP_EQ, &nfproto, 1);
	payload(r, NFT_PAYLOAD_NETWORK_HEADER, 24, 16);
	cmp(r, NFT_CMP_EQ, daddr, 16);
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_EQ, 6379);
	dnat_to(r, AF_INET6, "2001:db8:3::2", 6379, 6379);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.family, AF_INET6);
	assert_int_equal(e.daddr_prefix, 128);
	assert_memory_equal(e.daddr, daddr, 16);
	assert_int_equal(e.writer, NATSCAN_NFT);
	assert_string_equal(e.table, "inet fw");
	target(&e, "[2001:db8:3::2]:6379");
}

static void natscan_msg__nft_port_range__mapped_port_for_port(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_INET, "fw", "pre");
	struct natscan_entry e;

	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_GTE, 1000);
	dport(r, NFT_CMP_LTE, 1010);
	dnat_to(r, AF_INET, "203.0.113.2", 2000, 2010);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.port_lo, 1000);
	assert_int_equal(e.port_hi, 1010);
	assert_int_equal(natscan_target_port(&e, 1003), 2003);
	target(&e, "203.0.113.2:2000-2010");
}

static void natscan_msg__nft_whole_address__every_port(void **state)
{
	struct nftnl_rule *r = rule_new(NFPROTO_IPV4, "nat", "pre");
	uint8_t daddr[4] = { 198, 51, 100, 0 }, mask[4] = { 255, 255, 255, 0 }, zero[4] = { 0 };
	struct nftnl_expr *b = nftnl_expr_alloc("bitwise");
	struct natscan_entry e;

	payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(b, NFTNL_EXPR_BITWISE_MASK, mask, 4);
	nftnl_expr_set(b, NFTNL_EXPR_BITWISE_XOR, zero, 4);
	add(r, b);
	cmp(r, NFT_CMP_EQ, daddr, 4);
	dnat_to(r, AF_INET, "203.0.113.5", 0, 0);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.proto, 0);
	assert_int_equal(e.port_lo, 0);
	assert_int_equal(e.port_hi, 65535);
	assert_int_equal(e.daddr_prefix, 24);
	assert_int_equal(natscan_target_port(&e, 22), 22);
	target(&e, "203.0.113.5");
}

static void natscan_msg__not_published__not_read(void **state)
{
	struct natscan_entry e;
	struct nftnl_rule *r;
	struct nftnl_expr *x;

	/* source NAT */
	r = rule_new(NFPROTO_IPV4, "nat", "post");
	{
		uint8_t a[4] = { 203, 0, 113, 2 };

		imm(r, NFT_REG_1, a, 4);
		nat(r, NFT_NAT_SNAT, NFPROTO_IPV4, 0, 0);
	}
	assert_int_equal(round_trip(r, &e), 0);
	/* ports from a set: the rule alone does not say which */
	r = rule_new(NFPROTO_INET, "fw", "pre");
	l4proto(r, IPPROTO_TCP);
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	x = nftnl_expr_alloc("lookup");
	nftnl_expr_set_u32(x, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(x, NFTNL_EXPR_LOOKUP_SET, "__set0");
	add(r, x);
	dnat_to(r, AF_INET, "203.0.113.2", 0, 0);
	assert_int_equal(round_trip(r, &e), 0);
	/* a truncated xtables target */
	r = rule_new(NFPROTO_IPV4, "nat", "pre");
	x = nftnl_expr_alloc("target");
	nftnl_expr_set_str(x, NFTNL_EXPR_TG_NAME, "DNAT");
	nftnl_expr_set_u32(x, NFTNL_EXPR_TG_REV, 2);
	nftnl_expr_set(x, NFTNL_EXPR_TG_INFO, calloc(1, 8), 8);
	add(r, x);
	assert_int_equal(round_trip(r, &e), 0);
}

/* What cannot be read exactly is read wider, never left out: a published
 * port is listed rather than hidden. */
static void natscan_msg__inexact_match_or_target__read_wider(void **state)
{
	struct natscan_entry e;
	struct nftnl_rule *r;

	/* every port but one: every port */
	r = rule_new(NFPROTO_IPV4, "nat", "pre");
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_NEQ, 22);
	dnat_to(r, AF_INET, "203.0.113.2", 0, 0);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.port_lo, 0);
	assert_int_equal(e.port_hi, 65535);
	/* a target from a map: the address register was not an immediate */
	r = rule_new(NFPROTO_IPV4, "nat", "pre");
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_EQ, 80);
	payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	nat(r, NFT_NAT_DNAT, NFPROTO_IPV4, 0, 0);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.port_lo, 80);
	assert_true(e.to_map);
	target(&e, "(a map)");
}

/* Comparisons past the port space match no port; they never wrap around
 * to every port. */
static void natscan_msg__port_bound_past_the_ends__no_port(void **state)
{
	struct natscan_entry e;
	struct nftnl_rule *r;

	r = rule_new(NFPROTO_IPV4, "nat", "pre");
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_LT, 0);
	dnat_to(r, AF_INET, "203.0.113.2", 0, 0);
	assert_int_equal(round_trip(r, &e), 0);
	r = rule_new(NFPROTO_IPV4, "nat", "pre");
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_GT, 65535);
	dnat_to(r, AF_INET, "203.0.113.2", 0, 0);
	assert_int_equal(round_trip(r, &e), 0);
	/* a bound inside it still narrows */
	r = rule_new(NFPROTO_IPV4, "nat", "pre");
	l4proto(r, IPPROTO_TCP);
	dport(r, NFT_CMP_GT, 65534);
	dnat_to(r, AF_INET, "203.0.113.2", 0, 0);
	assert_int_equal(round_trip(r, &e), 1);
	assert_int_equal(e.port_lo, 65535);
	assert_int_equal(e.port_hi, 65535);
}

static void natscan_find__family_protocol_port_and_destination(void **state)
{
	struct natscan_entry v[2] = { { 0 } };
	struct natscan_list l = { v, 2, 0, 1 };
	uint8_t lo[16] = { 127, 0, 0, 1 }, pub[16] = { 198, 51, 100, 1 };

	v[0].family = AF_INET;
	v[0].proto = IPPROTO_UDP;
	v[0].port_lo = v[0].port_hi = 5353;
	v[0].daddr_prefix = 8;
	memcpy(v[0].daddr, lo, 4);
	v[1].family = AF_INET;
	v[1].proto = IPPROTO_TCP;
	v[1].port_lo = 6000;
	v[1].port_hi = 6010;
	assert_ptr_equal(natscan_find(&l, AF_INET, IPPROTO_UDP, 5353, lo), &v[0]);
	assert_null(natscan_find(&l, AF_INET, IPPROTO_UDP, 5353, pub));
	assert_null(natscan_find(&l, AF_INET, IPPROTO_TCP, 5353, lo));
	assert_ptr_equal(natscan_find(&l, AF_INET, IPPROTO_TCP, 6010, pub), &v[1]);
	assert_null(natscan_find(&l, AF_INET, IPPROTO_TCP, 6011, pub));
	assert_null(natscan_find(&l, AF_INET6, IPPROTO_TCP, 6005, pub));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(natscan_msg__iptables_nft_docker_rule__published_port_and_target),
		cmocka_unit_test(natscan_msg__iptables_nft_loopback_bind__destination_kept),
		cmocka_unit_test(natscan_msg__ip6tables_nft__ipv6_target),
		cmocka_unit_test(natscan_msg__xtables_revision0__ipv4_multi_range),
		cmocka_unit_test(natscan_msg__xtables_tcp_match__port_range),
		cmocka_unit_test(natscan_msg__nft_inet_ipv6__nfproto_and_destination),
		cmocka_unit_test(natscan_msg__nft_port_range__mapped_port_for_port),
		cmocka_unit_test(natscan_msg__nft_whole_address__every_port),
		cmocka_unit_test(natscan_msg__not_published__not_read),
		cmocka_unit_test(natscan_msg__inexact_match_or_target__read_wider),
		cmocka_unit_test(natscan_msg__port_bound_past_the_ends__no_port),
		cmocka_unit_test(natscan_find__family_protocol_port_and_destination),
	};

	return cmocka_run_group_tests_name("natscan", tests, NULL, NULL);
}
