// SPDX-License-Identifier: GPL-2.0-or-later
/* The ruleset as a graph: chains, rules and verdict maps built with
 * libnftnl the way iptables-nft and nft write kube-proxy's, serialised into
 * the messages a dump carries, and walked from the prerouting hook.  A
 * DNAT without a port match of its own is tied to the match that leads to
 * it.  No kernel, no root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "natscan.h"

static char buf[16384];

static void feed_chain(struct natscan_model *m, const char *name, int base)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "nat");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (base) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_PRE_ROUTING);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -100);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_IPV4, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	assert_int_equal(natscan_model_chain(m, nlh), 0);
	nftnl_chain_free(c);
}

static struct nftnl_rule *rule(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "nat");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

static void feed_rule(struct natscan_model *m, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4, 0, 1);

	nftnl_rule_nlmsg_build_payload(nlh, r);
	assert_int_equal(natscan_model_rule(m, nlh), 0);
	nftnl_rule_free(r);
}

static void add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	assert_non_null(e);
	nftnl_rule_add_expr(r, e);
}

static void load_meta(struct nftnl_rule *r, uint32_t key, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
	add(r, e);
}

static void load_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg);
	add(r, e);
}

static void cmp_eq(struct nftnl_rule *r, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

static void tcp_dport(struct nftnl_rule *r, uint16_t port)
{
	uint8_t tcp = IPPROTO_TCP;
	uint16_t be = htons(port);

	load_meta(r, NFT_META_L4PROTO, NFT_REG_1);
	cmp_eq(r, &tcp, 1);
	load_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
	cmp_eq(r, &be, 2);
}

static void daddr(struct nftnl_rule *r, const char *addr)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	load_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
	cmp_eq(r, a, 4);
}

/* "fib daddr type local", as iptables-nft writes -m addrtype --dst-type LOCAL */
static void fib_local(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");
	uint32_t local = RTN_LOCAL;

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	add(r, e);
	cmp_eq(r, &local, 4);
}

static void verdict(struct nftnl_rule *r, int code, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	add(r, e);
}

/* "meta l4proto tcp dnat to ADDR:PORT" */
static void dnat(struct nftnl_rule *r, const char *addr, uint16_t port)
{
	struct nftnl_expr *e;
	uint8_t a[4], tcp = IPPROTO_TCP;
	uint16_t be = htons(port);

	load_meta(r, NFT_META_L4PROTO, NFT_REG_1);
	cmp_eq(r, &tcp, 1);
	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, a, 4);
	add(r, e);
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &be, 2);
	add(r, e);
	e = nftnl_expr_alloc("nat");
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
	add(r, e);
}

static void jump_rule(struct natscan_model *m, const char *from, const char *to)
{
	struct nftnl_rule *r = rule(from);

	verdict(r, NFT_JUMP, to);
	feed_rule(m, r);
}

/* kube-proxy's iptables mode, as iptables-nft writes it: PREROUTING jumps
 * to KUBE-SERVICES; a ClusterIP rule and, last, the local-destination rule
 * to KUBE-NODEPORTS; the NodePort's KUBE-EXT marks and jumps to the
 * Service's KUBE-SVC, which splits to KUBE-SEPs whose DNAT has no port. */
static struct natscan_model *kube_iptables(natscan_local_fn local)
{
	struct natscan_model *m = natscan_model_new();
	static const char *const chains[] = { "KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-EXT-X",
					      "KUBE-MARK-MASQ", "KUBE-SVC-X", "KUBE-SEP-A", "KUBE-SEP-B" };
	struct nftnl_rule *r;
	unsigned i;

	assert_non_null(m);
	natscan_model_local(m, local, NULL);
	feed_chain(m, "PREROUTING", 1);
	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		feed_chain(m, chains[i], 0);
	jump_rule(m, "PREROUTING", "KUBE-SERVICES");
	r = rule("KUBE-SERVICES");
	daddr(r, "203.0.113.130");
	tcp_dport(r, 5432);
	verdict(r, NFT_JUMP, "KUBE-SVC-X");
	feed_rule(m, r);
	r = rule("KUBE-SERVICES");
	fib_local(r);
	verdict(r, NFT_JUMP, "KUBE-NODEPORTS");
	feed_rule(m, r);
	r = rule("KUBE-NODEPORTS");
	tcp_dport(r, 30432);
	verdict(r, NFT_JUMP, "KUBE-EXT-X");
	feed_rule(m, r);
	jump_rule(m, "KUBE-EXT-X", "KUBE-MARK-MASQ");
	jump_rule(m, "KUBE-EXT-X", "KUBE-SVC-X");
	jump_rule(m, "KUBE-SVC-X", "KUBE-SEP-A");
	jump_rule(m, "KUBE-SVC-X", "KUBE-SEP-B");
	r = rule("KUBE-SEP-A");
	dnat(r, "203.0.113.2", 5432);
	feed_rule(m, r);
	r = rule("KUBE-SEP-B");
	dnat(r, "203.0.113.3", 5432);
	feed_rule(m, r);
	return m;
}

static const struct natscan_entry *on_port(const struct natscan_list *l, uint16_t port)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].port_lo == port)
			return &l->v[i];
	return NULL;
}

static void natscan_model_walk__kube_iptables__nodeport_tied_to_its_pods(void **state)
{
	struct natscan_model *m = kube_iptables(NULL);
	struct natscan_list l = { 0 };
	const struct natscan_entry *e;
	char text[64];
	unsigned i;

	assert_int_equal(natscan_model_walk(m, &l), 0);
	assert_int_equal(l.n, 2);
	e = on_port(&l, 30432);
	assert_non_null(e);
	assert_int_equal(e->port_hi, 30432);
	assert_int_equal(e->proto, IPPROTO_TCP);
	assert_int_equal(e->local, 1);
	assert_int_equal(e->daddr_prefix, 0);
	assert_int_equal(e->endpoints, 2);
	assert_string_equal(e->via[0], "KUBE-SERVICES");
	assert_string_equal(e->via[1], "KUBE-NODEPORTS");
	natscan_target_text(e, text, sizeof(text));
	assert_string_equal(text, "203.0.113.2:5432");
	/* the ClusterIP: one address, one port */
	e = on_port(&l, 5432);
	assert_non_null(e);
	assert_int_equal(e->daddr_prefix, 32);
	assert_int_equal(e->endpoints, 2);
	/* no translation reads as every port */
	for (i = 0; i < l.n; i++)
		assert_false(l.v[i].port_lo == 0 && l.v[i].port_hi == 65535);
	natscan_free(&l);
	natscan_model_free(m);
}

static int nothing_local(const void *ctx, int family, const uint8_t *addr)
{
	return 0;
}

/* The daemon's view: only the host's own addresses; the ClusterIP's
 * match is not followed, the NodePort's is */
static void natscan_model_walk__only_local__clusterip_left_out(void **state)
{
	struct natscan_model *m = kube_iptables(nothing_local);
	struct natscan_list l = { 0 };

	assert_int_equal(natscan_model_walk(m, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].port_lo, 30432);
	natscan_free(&l);
	natscan_model_free(m);
}

/* What the reader is asked to read: the base chain first, then what its
 * rules jump to, never a chain nothing reaches */
static void natscan_model_next__reached_chains_only(void **state)
{
	struct natscan_model *m = natscan_model_new();
	struct natscan_want w;

	feed_chain(m, "LEFT-ALONE", 0);
	feed_chain(m, "PREROUTING", 1);
	feed_chain(m, "DOCKER", 0);
	assert_int_equal(natscan_model_next(m, &w), 1);
	assert_string_equal(w.name, "PREROUTING");
	jump_rule(m, "PREROUTING", "DOCKER");
	natscan_model_done(m, &w);
	assert_int_equal(natscan_model_next(m, &w), 1);
	assert_string_equal(w.name, "DOCKER");
	natscan_model_done(m, &w);
	assert_int_equal(natscan_model_next(m, &w), 0);
	natscan_model_free(m);
}

/* kube-proxy's nftables mode: "meta l4proto . th dport vmap
 * @service-nodeports"; each element's key narrows the path */
static void natscan_model_walk__verdict_map__element_keys_narrow(void **state)
{
	struct natscan_model *m = natscan_model_new();
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *el = nftnl_set_elem_alloc();
	struct natscan_list l = { 0 };
	struct nftnl_rule *r = rule("services");
	struct nftnl_expr *e;
	struct nlmsghdr *nlh;
	uint8_t key[8] = { IPPROTO_TCP, 0, 0, 0, 0x7a, 0xb8, 0, 0 };	/* tcp . 31416 */

	feed_chain(m, "nat-prerouting", 1);
	feed_chain(m, "services", 0);
	feed_chain(m, "external-pg", 0);
	jump_rule(m, "nat-prerouting", "services");
	load_meta(r, NFT_META_L4PROTO, NFT_REG32_00);
	load_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
	e = nftnl_expr_alloc("lookup");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "service-nodeports");
	add(r, e);
	feed_rule(m, r);
	r = rule("external-pg");
	dnat(r, "203.0.113.21", 5432);
	feed_rule(m, r);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "nat");
	nftnl_set_set_str(s, NFTNL_SET_NAME, "service-nodeports");
	nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, key, sizeof(key));
	nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_GOTO);
	nftnl_set_elem_set_str(el, NFTNL_SET_ELEM_CHAIN, "external-pg");
	nftnl_set_elem_add(s, el);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_IPV4, 0, 1);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	assert_int_equal(natscan_model_elems(m, nlh), 0);
	nftnl_set_free(s);
	assert_int_equal(natscan_model_walk(m, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].proto, IPPROTO_TCP);
	assert_int_equal(l.v[0].port_lo, 31416);
	assert_int_equal(l.v[0].port_hi, 31416);
	assert_string_equal(l.v[0].via[1], "service-nodeports");
	natscan_free(&l);
	natscan_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(natscan_model_walk__kube_iptables__nodeport_tied_to_its_pods),
		cmocka_unit_test(natscan_model_walk__only_local__clusterip_left_out),
		cmocka_unit_test(natscan_model_next__reached_chains_only),
		cmocka_unit_test(natscan_model_walk__verdict_map__element_keys_narrow),
	};

	return cmocka_run_group_tests_name("natpath", tests, NULL, NULL);
}
