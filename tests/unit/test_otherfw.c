// SPDX-License-Identifier: GPL-2.0-or-later
/* Other tables' verdicts: chains and rules built as the kernel dumps them
 * (libnftnl), read into the model, judged for first packets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <stdlib.h>
#include <string.h>

#include "nftexpr.h"
#include "otherfw.h"

static char buf[16384];

static void add(struct otherfw *fw, struct nlmsghdr *nlh)
{
	assert_int_equal(otherfw_add_msg(fw, nlh), 0);
}

static void chain(struct otherfw *fw, uint8_t family, const char *table, const char *name,
		  int hook, int32_t prio, int policy_drop)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, family, 0, 1);

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy_drop ? NF_DROP : NF_ACCEPT);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	}
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	add(fw, nlh);
}

static struct nftnl_rule *rule_new(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	assert_non_null(r);
	return r;
}

static void rule_add(struct otherfw *fw, uint8_t family, const char *table, const char *chain_name,
		     struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, family, 0, 1);

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_name);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	add(fw, nlh);
}

static void xt(struct nftnl_rule *r, int target, const char *name, uint32_t rev, const void *info,
	       size_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc(target ? "target" : "match");
	void *copy = malloc(len ? len : 1);

	memcpy(copy, info, len);
	nftnl_expr_set_str(e, target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME, name);
	nftnl_expr_set_u32(e, target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV, rev);
	/* libnftnl keeps the pointer and frees it with the expression */
	nftnl_expr_set(e, target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO, copy, (uint32_t)len);
	nftnl_rule_add_expr(r, e);
}

/* "tcp dport PORT" / "udp dport PORT" as nft writes it */
static void dport(struct nftnl_rule *r, uint8_t proto, uint16_t port)
{
	uint16_t be = htons(port);

	assert_int_equal(expr_l4proto_is(r, proto), 0);
	assert_int_equal(expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1), 0);
	assert_int_equal(expr_cmp(r, NFT_CMP_EQ, &be, 2), 0);
}

static void verdict(struct nftnl_rule *r, int code, const char *to)
{
	assert_int_equal(expr_verdict(r, code, to), 0);
}

static const char *judge(const struct otherfw *fw, int family, uint8_t proto, uint16_t port,
			 const char *src, struct otherfw_verdict *v)
{
	static char text[256];
	uint8_t saddr[16];
	struct otherfw_query q = { family, proto, port, NULL, NULL, NULL, 0 };

	if (src) {
		assert_int_equal(inet_pton(family, src, saddr), 1);
		q.saddr = saddr;
	}
	otherfw_judge(fw, &q, v);
	otherfw_text(v, text, sizeof(text));
	return text;
}

/* ufw as iptables-nft writes it: policy drop, the user's accepts in a
 * chain of their own, the usual conntrack, loopback and address checks */
static void build_ufw(struct otherfw *fw)
{
	struct xt_conntrack_mtinfo3 ctinfo = { 0 };
	struct xt_addrtype_info_v1 local = { .dest = XT_ADDRTYPE_LOCAL };
	struct xt_multiport_v1 mp = { .flags = XT_MULTIPORT_DESTINATION, .count = 3,
				      .ports = { 80, 8000, 8100 }, .pflags = { 0, 1, 0 } };
	struct xt_udp dhcp = { .spts = { 67, 67 }, .dpts = { 68, 68 } };
	static const char lo[3] = "lo";
	uint8_t net[3] = { 203, 0, 113 };
	struct nftnl_rule *r;

	chain(fw, NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, 0, 1);
	chain(fw, NFPROTO_IPV4, "filter", "ufw-before-input", -1, 0, 0);
	chain(fw, NFPROTO_IPV4, "filter", "ufw-not-local", -1, 0, 0);
	chain(fw, NFPROTO_IPV4, "filter", "ufw-user-input", -1, 0, 0);
	r = rule_new();
	expr_counter(r);
	verdict(r, NFT_JUMP, "ufw-before-input");
	rule_add(fw, NFPROTO_IPV4, "filter", "INPUT", r);
	r = rule_new();		/* -i lo -j ACCEPT */
	expr_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	expr_cmp(r, NFT_CMP_EQ, lo, sizeof(lo));
	verdict(r, NF_ACCEPT, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-before-input", r);
	r = rule_new();		/* --ctstate RELATED,ESTABLISHED -j ACCEPT */
	ctinfo.match_flags = XT_CONNTRACK_STATE;
	ctinfo.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) |
			    XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
	xt(r, 0, "conntrack", 3, &ctinfo, sizeof(ctinfo));
	verdict(r, NF_ACCEPT, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-before-input", r);
	r = rule_new();		/* --ctstate INVALID -j DROP */
	ctinfo.state_mask = XT_CONNTRACK_STATE_INVALID;
	xt(r, 0, "conntrack", 3, &ctinfo, sizeof(ctinfo));
	verdict(r, NF_DROP, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-before-input", r);
	r = rule_new();		/* -p udp --sport 67 --dport 68 -j ACCEPT (xt match) */
	expr_l4proto_is(r, IPPROTO_UDP);
	xt(r, 0, "udp", 0, &dhcp, sizeof(dhcp));
	verdict(r, NF_ACCEPT, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-before-input", r);
	r = rule_new();
	verdict(r, NFT_JUMP, "ufw-not-local");
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-before-input", r);
	r = rule_new();
	verdict(r, NFT_JUMP, "ufw-user-input");
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-before-input", r);
	r = rule_new();		/* -m addrtype --dst-type LOCAL -j RETURN */
	xt(r, 0, "addrtype", 1, &local, sizeof(local));
	verdict(r, NFT_RETURN, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-not-local", r);
	r = rule_new();		/* -m limit -j LOG */
	nftnl_rule_add_expr(r, expr_limit_new(3));
	xt(r, 1, "LOG", 0, "", 0);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-not-local", r);
	r = rule_new();
	verdict(r, NF_DROP, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-not-local", r);
	r = rule_new();		/* ufw allow 22/tcp */
	dport(r, IPPROTO_TCP, 22);
	verdict(r, NF_ACCEPT, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-user-input", r);
	r = rule_new();		/* ufw allow 80,8000:8100/tcp */
	expr_l4proto_is(r, IPPROTO_TCP);
	xt(r, 0, "multiport", 1, &mp, sizeof(mp));
	verdict(r, NF_ACCEPT, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-user-input", r);
	r = rule_new();		/* ufw allow from 203.0.113.0/24 to any port 5433 */
	expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 3, NFT_REG_1);
	expr_cmp(r, NFT_CMP_EQ, net, 3);
	dport(r, IPPROTO_TCP, 5433);
	verdict(r, NF_ACCEPT, NULL);
	rule_add(fw, NFPROTO_IPV4, "filter", "ufw-user-input", r);
	assert_int_equal(otherfw_finish(fw), 0);
}

static void otherfw_judge__ufw__allowed_pass_the_rest_dropped_by_its_policy(void **state)
{
	struct otherfw fw = { 0 };
	struct otherfw_verdict v;

	build_ufw(&fw);
	assert_int_equal(fw.nchains, 4);
	assert_int_equal(fw.skipped, 0);
	judge(&fw, AF_INET, IPPROTO_TCP, 22, NULL, &v);
	assert_int_equal(v.result, OTHERFW_PASSES);
	judge(&fw, AF_INET, IPPROTO_TCP, 8050, NULL, &v);
	assert_int_equal(v.result, OTHERFW_PASSES);
	assert_string_equal(judge(&fw, AF_INET, IPPROTO_TCP, 5432, NULL, &v),
			    "dropped by table ip filter (chain INPUT, its policy)");
	assert_int_equal(v.result, OTHERFW_DROPPED);
	assert_true(v.by_policy);
	/* UDP 68 is DHCP's, from 67 only: the source port is not known */
	assert_int_equal((judge(&fw, AF_INET, IPPROTO_UDP, 68, NULL, &v), v.result), OTHERFW_MAY_DROP);
	assert_int_equal((judge(&fw, AF_INET, IPPROTO_UDP, 161, NULL, &v), v.result), OTHERFW_DROPPED);
	/* a rule for some sources: maybe; for a source asked about: known */
	assert_string_equal(judge(&fw, AF_INET, IPPROTO_TCP, 5433, NULL, &v),
			    "may be dropped by table ip filter (chain INPUT, its policy)");
	judge(&fw, AF_INET, IPPROTO_TCP, 5433, "203.0.113.7", &v);
	assert_int_equal(v.result, OTHERFW_PASSES);
	judge(&fw, AF_INET, IPPROTO_TCP, 5433, "198.51.100.7", &v);
	assert_int_equal(v.result, OTHERFW_DROPPED);
	/* an ip table says nothing about IPv6 */
	assert_int_equal((judge(&fw, AF_INET6, IPPROTO_TCP, 5432, NULL, &v), v.result), OTHERFW_PASSES);
	otherfw_free(&fw);
}

/* A plain nft table: a drop and a reject in an inet input chain */
static void otherfw_judge__plain_nft__drop_and_reject_named(void **state)
{
	struct otherfw fw = { 0 };
	struct otherfw_verdict v;
	struct nftnl_rule *r;

	chain(&fw, NFPROTO_INET, "plain", "input", NF_INET_LOCAL_IN, 0, 0);
	r = rule_new();
	dport(r, IPPROTO_TCP, 6379);
	expr_counter(r);
	verdict(r, NF_DROP, NULL);
	rule_add(&fw, NFPROTO_INET, "plain", "input", r);
	r = rule_new();
	dport(r, IPPROTO_UDP, 161);
	nftnl_rule_add_expr(r, nftnl_expr_alloc("reject"));
	rule_add(&fw, NFPROTO_INET, "plain", "input", r);
	otherfw_finish(&fw);
	assert_string_equal(judge(&fw, AF_INET6, IPPROTO_TCP, 6379, NULL, &v),
			    "dropped by table inet plain (chain input)");
	assert_string_equal(judge(&fw, AF_INET, IPPROTO_UDP, 161, NULL, &v),
			    "rejected by table inet plain (chain input)");
	assert_int_equal((judge(&fw, AF_INET, IPPROTO_TCP, 161, NULL, &v), v.result), OTHERFW_PASSES);
	otherfw_free(&fw);
}

/* Docker's direct-routing drops: to a container's address, not from its
 * bridge.  A first packet to one of the host's own addresses passes. */
static void otherfw_judge__container_address_rule__host_addresses_pass(void **state)
{
	static const uint8_t locals[2][16] = { { 198, 51, 100, 1 }, { 192, 0, 2, 1 } };
	uint8_t ct_addr[4] = { 203, 0, 113, 2 };
	static const char bridge[16] = "docker0";
	struct otherfw fw = { 0 };
	struct otherfw_query q = { AF_INET, IPPROTO_TCP, 6379, NULL, NULL, locals, 2 };
	struct otherfw_verdict v;
	struct nftnl_rule *r;

	chain(&fw, NFPROTO_IPV4, "raw", "PREROUTING", NF_INET_PRE_ROUTING, -300, 0);
	r = rule_new();
	expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
	expr_cmp(r, NFT_CMP_EQ, ct_addr, 4);
	expr_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	expr_cmp(r, NFT_CMP_NEQ, bridge, 16);
	verdict(r, NF_DROP, NULL);
	rule_add(&fw, NFPROTO_IPV4, "raw", "PREROUTING", r);
	otherfw_finish(&fw);
	otherfw_judge(&fw, &q, &v);
	assert_int_equal(v.result, OTHERFW_PASSES);
	/* to the container's address itself: dropped unless it comes in on
	 * the bridge, which the question does not say */
	q.daddr = ct_addr;
	otherfw_judge(&fw, &q, &v);
	assert_int_equal(v.result, OTHERFW_MAY_DROP);
	otherfw_free(&fw);
}

/* What the packet does not tell (a set, a rate, an expression unknown
 * here) is a "may"; a goto's return is its caller's; portwarden's own
 * table is not another firewall. */
static void otherfw_judge__unknowns_gotos_and_our_table(void **state)
{
	struct otherfw fw = { 0 };
	struct otherfw_verdict v;
	struct nftnl_rule *r;

	chain(&fw, NFPROTO_INET, "portwarden", "prerouting", NF_INET_PRE_ROUTING, -300, 1);
	chain(&fw, NFPROTO_INET, "t", "in", NF_INET_LOCAL_IN, 10, 1);
	chain(&fw, NFPROTO_INET, "t", "zone", -1, 0, 0);
	chain(&fw, NFPROTO_INET, "t2", "in", NF_INET_LOCAL_IN, 20, 0);
	r = rule_new();		/* tcp dport @allowed accept */
	expr_port_key(r);
	expr_lookup(r, NFT_REG32_00, "allowed", 0);
	verdict(r, NF_ACCEPT, NULL);
	rule_add(&fw, NFPROTO_INET, "t", "in", r);
	r = rule_new();
	verdict(r, NFT_GOTO, "zone");
	rule_add(&fw, NFPROTO_INET, "t", "in", r);
	r = rule_new();		/* never reached: the goto returns to the base chain's policy */
	verdict(r, NF_ACCEPT, NULL);
	rule_add(&fw, NFPROTO_INET, "t", "in", r);
	r = rule_new();
	dport(r, IPPROTO_TCP, 22);
	verdict(r, NF_ACCEPT, NULL);
	rule_add(&fw, NFPROTO_INET, "t", "zone", r);
	r = rule_new();		/* a rate: may stop, may not */
	dport(r, IPPROTO_TCP, 2222);
	nftnl_rule_add_expr(r, expr_limit_new(5));
	verdict(r, NF_DROP, NULL);
	rule_add(&fw, NFPROTO_INET, "t2", "in", r);
	otherfw_finish(&fw);
	assert_int_equal(fw.nchains, 3);	/* ours is not read */
	assert_string_equal(judge(&fw, AF_INET, IPPROTO_TCP, 5432, NULL, &v),
			    "may be dropped by table inet t (chain in, its policy)");
	assert_int_equal((judge(&fw, AF_INET, IPPROTO_TCP, 22, NULL, &v), v.result), OTHERFW_PASSES);
	judge(&fw, AF_INET, IPPROTO_TCP, 2222, NULL, &v);
	assert_int_equal(v.result, OTHERFW_MAY_DROP);
	otherfw_free(&fw);
}

static void otherfw_add_msg__rule_before_its_chain_or_malformed__skipped(void **state)
{
	struct otherfw fw = { 0 };
	struct nftnl_rule *r = rule_new();
	struct nlmsghdr *nlh;

	verdict(r, NF_DROP, NULL);
	rule_add(&fw, NFPROTO_INET, "t", "nochain", r);
	assert_int_equal(fw.nrules, 0);
	assert_int_equal(fw.skipped, 1);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, 0, 1);
	nlh->nlmsg_len = 8;	/* shorter than its own header */
	assert_int_equal(otherfw_add_msg(&fw, nlh), 0);
	/* nothing read (a host without other tables) judges as passing */
	assert_int_equal(otherfw_finish(&fw), 0);
	assert_int_equal((judge(&fw, AF_INET, IPPROTO_TCP, 22, NULL, &(struct otherfw_verdict){ 0 }),
			  fw.nrules), 0);
	otherfw_free(&fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(otherfw_judge__ufw__allowed_pass_the_rest_dropped_by_its_policy),
		cmocka_unit_test(otherfw_judge__plain_nft__drop_and_reject_named),
		cmocka_unit_test(otherfw_judge__container_address_rule__host_addresses_pass),
		cmocka_unit_test(otherfw_judge__unknowns_gotos_and_our_table),
		cmocka_unit_test(otherfw_add_msg__rule_before_its_chain_or_malformed__skipped),
	};

	return cmocka_run_group_tests_name("otherfw", tests, NULL, NULL);
}
