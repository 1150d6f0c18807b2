// SPDX-License-Identifier: GPL-2.0-or-later
/* The paths ruleset.c's decision does not see by itself (see rulepaths.h).
 *
 *   chain routed: first packets to guarded ports of an address this host
 *   does not hold, after chain lan let the LAN through (goto from chain
 *   decide, so whatever returns here is accepted)
 *     iifname @lan_ifaces return          from a bridge or LAN interface
 *     fib daddr . iif oif != 0 jump blocked
 *                                         the route leads back out where
 *                                         the packet came in: a DNAT,
 *                                         REDIRECT or TPROXY of an address
 *                                         routed to this host (a failover
 *                                         or load balancer address)
 *   What is routed on, into a container or VM bridge, is decided in chain
 *   forward (ruleset.c), in host mode as in router mode.
 *   chain transports (jumped to for the protocols of set transports):
 *   UDP-Lite, SCTP and DCCP, guarded by the entries of the UDP or TCP port
 *   they reach: the port sets are looked up with the
 *   protocol number replaced (udplite -> udp, sctp and dccp -> tcp), so no
 *   set holds more elements; the worker reads TCP and UDP only, so the
 *   kernel decides these alone
 *     meta l4proto & udp | udp . udplite dport @lan_only jump lan
 *     ... @guarded fib daddr type unicast goto routed
 *     ... @guarded jump blocked
 *   chain would_block (monitor mode): where "jump blocked" goes instead:
 *     limit + log "portwarden would-block"; accept
 *
 * "fib daddr type" is asked only after a port-set hit, as in ruleset.c.
 * Nothing here uses connection tracking: a DNAT is recognised by where the
 * route of the address the client connected to leads, before any NAT. */
#include <errno.h>
#include <netinet/in.h>	/* before linux/: it defines the same structs */
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "nftexpr.h"
#include "nftmsg.h"
#include "nftset.h"
#include "rulelan.h"
#include "rulepaths.h"

const char *rulepaths_refuse_chain(const struct ruleset_spec *spec)
{
	return spec->cfg->monitor ? RULEPATHS_CHAIN_WOULD_BLOCK : RULESET_CHAIN_BLOCKED;
}

/* ---- routed destinations -------------------------------------------------- */

int rulepaths_body_routed(struct nftnl_rule *r, const void *arg)
{
	uint32_t unicast = RTN_UNICAST;

	(void)arg;
	if (expr_port_key(r) < 0 || expr_lookup(r, NFT_REG32_00, RULESET_SET_GUARDED, 0) < 0 ||
	    expr_fib(r, NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &unicast, sizeof(unicast)) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_GOTO, RULEPATHS_CHAIN_ROUTED);
}

static int body_inside(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_meta(r, NFT_META_IIFNAME, NFT_REG_1) < 0 ||
	    expr_lookup(r, NFT_REG_1, RULELAN_SET_IFACES, 0) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* "fib daddr . iif oif != 0": the route to the destination leaves through
 * the interface the packet came in on */
static int body_routed_back(struct nftnl_rule *r, const void *arg)
{
	uint32_t none = 0;

	if (expr_fib(r, NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 ||
	    expr_cmp(r, NFT_CMP_NEQ, &none, sizeof(none)) < 0 || expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_JUMP, arg);
}

static int put_routed(struct batch *b, const struct ruleset_spec *spec)
{
	const struct nftmsg_rule rules[] = {
		{ "from a container or VM bridge or a LAN interface: the inside's own connections",
		  body_inside, NULL },
		{ "routed back out where it came in: DNAT, REDIRECT or TPROXY of an address routed "
		  "to this host", body_routed_back, rulepaths_refuse_chain(spec) },
	};
	int ret = nftmsg_put_chain(b, RULESET_TABLE, RULEPATHS_CHAIN_ROUTED, -1, 0,
				   "first packets to guarded ports of addresses this host routes; "
				   "the rest is accepted");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULEPATHS_CHAIN_ROUTED,
					    NFTMSG_RULES(rules));
}

/* ---- UDP-Lite, SCTP, DCCP -------------------------------------------------- */

int rulepaths_body_transports(struct nftnl_rule *r, const void *arg)
{
	static const uint8_t first = IPPROTO_DCCP, last = IPPROTO_UDPLITE;

	(void)arg;
	/* 33-136 first: TCP and UDP stop at one compare */
	if (expr_meta(r, NFT_META_L4PROTO, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_GTE, &first, 1) < 0 || expr_cmp(r, NFT_CMP_LTE, &last, 1) < 0 ||
	    expr_lookup(r, NFT_REG_1, RULEPATHS_SET_TRANSPORTS, 0) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_JUMP, RULEPATHS_CHAIN_TRANSPORTS);
}

static int put_transport_set(struct batch *b)
{
	static const uint8_t protos[] = { IPPROTO_DCCP, IPPROTO_SCTP, IPPROTO_UDPLITE };
	static const char *const why[] = { "DCCP: the entries of the TCP port",
					   "SCTP: the entries of the TCP port",
					   "UDP-Lite: the entries of the UDP port" };
	struct nftset_elems el = { .b = b, .table = RULESET_TABLE, .set = RULEPATHS_SET_TRANSPORTS };
	unsigned i;
	int ret = nftset_put_empty(b, RULESET_TABLE, RULEPATHS_SET_TRANSPORTS,
				   NFTSET_TYPE_INET_PROTOCOL, 1, 0,
				   "transports guarded like TCP or UDP (chain transports)");

	for (i = 0; ret == 0 && i < sizeof(protos); i++)
		ret = nftset_elems_push(&el, nftset_elem_new(&protos[i], 1, 0, why[i]));
	return nftset_elems_end(&el, ret);
}

struct alias_rule {
	uint8_t proto, alias;	/* the packet's protocol, whose entries apply */
	const char *set;
	int routed;		/* only to addresses this host routes */
	int code;
	const char *chain;
};

/* "meta l4proto & udp | udp . udplite dport @set", as nft lists it: the key
 * of the port sets with the protocol whose entries apply */
static int body_alias(struct nftnl_rule *r, const void *arg)
{
	static const uint8_t zero;
	const struct alias_rule *a = arg;
	uint32_t unicast = RTN_UNICAST;

	/* the register becomes the alias: (l4proto & 0) ^ alias */
	if (expr_l4proto_is(r, a->proto) < 0 || expr_meta(r, NFT_META_L4PROTO, NFT_REG32_00) < 0 ||
	    expr_bitwise(r, NFT_REG32_00, &zero, &a->alias, 1) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01) < 0 ||
	    expr_lookup(r, NFT_REG32_00, a->set, 0) < 0)
		return -ENOMEM;
	if (a->routed && (expr_fib(r, NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE) < 0 ||
			  expr_cmp(r, NFT_CMP_EQ, &unicast, sizeof(unicast)) < 0))
		return -ENOMEM;
	return expr_verdict(r, a->code, a->chain);
}

#define ALIAS_RULES(p, to, refuse) \
	{ p, to, RULESET_SET_LAN_ONLY, 0, NFT_JUMP, RULELAN_CHAIN }, \
	{ p, to, RULESET_SET_GUARDED, 1, NFT_GOTO, RULEPATHS_CHAIN_ROUTED }, \
	{ p, to, RULESET_SET_GUARDED, 0, NFT_JUMP, refuse }

static int put_transports(struct batch *b, const struct ruleset_spec *spec)
{
	const char *refuse = rulepaths_refuse_chain(spec);
	const struct alias_rule a[] = {
		ALIAS_RULES(IPPROTO_UDPLITE, IPPROTO_UDP, refuse),
		ALIAS_RULES(IPPROTO_SCTP, IPPROTO_TCP, refuse),
		ALIAS_RULES(IPPROTO_DCCP, IPPROTO_TCP, refuse),
	};
	struct nftmsg_rule rules[sizeof(a) / sizeof(a[0])];
	static const char *const why[] = {
		"lan-only port: from the LAN, accepted in chain lan",
		"guarded port of an address this host routes",
		"guarded port of this host: refused in the kernel (the worker reads TCP and UDP)",
	};
	unsigned i;
	int ret;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		rules[i] = (struct nftmsg_rule){ why[i % 3], body_alias, &a[i] };
	ret = put_transport_set(b);
	if (!ret)
		ret = nftmsg_put_chain(b, RULESET_TABLE, RULEPATHS_CHAIN_TRANSPORTS, -1, 0,
				       "UDP-Lite (as UDP), SCTP and DCCP (as TCP): guarded by the "
				       "entries of the port they reach");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULEPATHS_CHAIN_TRANSPORTS,
					    NFTMSG_RULES(rules));
}

/* ---- monitor mode ------------------------------------------------------------- */

static int body_would_block(struct nftnl_rule *r, const void *arg)
{
	const struct ruleset_spec *spec = arg;

	if (expr_limit(r, spec->cfg->log_rate) < 0 || expr_counter(r) < 0 ||
	    expr_log(r, spec->log_group, RULESET_LOG_PREFIX_WOULD_BLOCK) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

static int body_accept(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

static int put_would_block(struct batch *b, const struct ruleset_spec *spec)
{
	const struct nftmsg_rule rules[] = {
		{ "log, rate-limited by log_rate", body_would_block, spec },
		{ "monitor mode: let through", body_accept, NULL },
	};
	int ret = nftmsg_put_chain(b, RULESET_TABLE, RULEPATHS_CHAIN_WOULD_BLOCK, -1, 0,
				   "monitor mode: what the kernel would refuse by itself");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULEPATHS_CHAIN_WOULD_BLOCK,
					    NFTMSG_RULES(rules));
}

int rulepaths_build(struct batch *b, const struct ruleset_spec *spec)
{
	int ret = spec->cfg->monitor ? put_would_block(b, spec) : 0;

	if (!ret)
		ret = put_routed(b, spec);
	return ret ? ret : put_transports(b, spec);
}
