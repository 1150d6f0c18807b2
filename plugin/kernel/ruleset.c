// SPDX-License-Identifier: GPL-2.0-or-later
/* The shape of table inet portwarden: which sets, which chains, which
 * rules in which order, each with the comment that explains it.  The
 * expressions are built in nftexpr.c, sets and their elements in nftset.c,
 * the messages in nftmsg.c, the LAN part in rulelan.c; nothing here
 * touches a socket.
 *
 *   chain prerouting (hook prerouting, priority raw)
 *     iif lo accept                          the host's own traffic
 *     fib saddr type local fib saddr . iif oif != 0 accept
 *                                            its own multicast, looped back
 *     ip daddr 127.0.0.0/8 jump martian      loopback addresses from outside
 *     tcp flags & (syn|ack) != syn meta cgroup return
 *                                            segments of the host's own
 *                                            connections (early demux)
 *     tcp flags & (syn|ack) != syn meta l4proto . th dport @blocked drop
 *                                            stray segments: scans, cookies
 *     tcp flags & (syn|ack) != syn return    only connection attempts go on
 *     meta l4proto tcp meta l4proto . th dport . iif . ip saddr . ip daddr @logged_v4 drop
 *     meta l4proto tcp meta l4proto . th dport . iif . ip6 saddr . ip6 daddr @logged_v6 drop
 *                                            a flood's repeats, before routing
 *     meta l4proto . th dport @guarded fib saddr type local drop
 *                                            forged own source: martian
 *     meta l4proto . th dport . ip saddr @sources_v4 fib saddr . iif oif != 0 accept
 *     meta l4proto . th dport . ip6 saddr @sources_v6 fib saddr . iif oif != 0 accept
 *                                            `from` (rulesources.c)
 *     meta l4proto . th dport @lan_only jump lan
 *     meta l4proto . th dport @blocked fib daddr type != unicast jump blocked
 *     meta l4proto . th dport @served accept   a public server holds it
 *     meta l4proto . th dport @guarded fib daddr type != unicast queue
 *   chain input (hook input, priority filter - 10)
 *     iif lo accept
 *     tcp flags & (syn|ack) != syn meta cgroup return
 *                                            segments of the host's own
 *                                            connections (early demux)
 *     tcp flags & (syn|ack) != syn meta l4proto . th dport @blocked drop
 *                                            stray segments: scans, cookies
 *   chain lan:     accept from the LAN, else return (see rulelan.c)
 *   chain blocked: repeats (UDP; TCP seen under other addresses) drop; a new
 *                  attempt is logged (under log_rate per source address,
 *                  per /64 for IPv6: log_sources_v4/6) and remembered in
 *                  logged_v4/6 for a second; drop
 *   chain martian: limit + log group N; drop
 *
 * The decision sits before the destination NAT of every other table
 * (dstnat, priority -100): a connection is decided by the port the client
 * connected to, so a port published by DNAT (a container's -p, a router's
 * port forward) is guarded like a port of this host, and a port an admin
 * redirects elsewhere is decided by the port that was published.  "fib
 * daddr type != unicast" (local, broadcast, multicast) keeps forwarded
 * traffic out of it; it is evaluated only after a port-set hit.
 *
 * No conntrack on the host: TCP needs none to find first packets, and the
 * first `ct` expression would track every flow of the namespace.  UDP
 * replies to the host's own sockets are told apart by the worker (see
 * daemon.c), which never blocks UDP ports of the ephemeral range.
 *
 * Router mode (wan_interfaces) adds, for the hosts behind the router:
 *   chain forward (hook forward, priority filter - 10)
 *     iifname != @wan_ifaces return
 *     tcp flags & (syn|ack) != syn return
 *     udp ct state established,related return   (routers track anyway)
 *     ct status dnat return                      decided in prerouting
 *     meta l4proto . th dport @guarded jump forward_blocked
 *   chain forward_blocked: limit + log group N; counter drop
 */
#include <errno.h>
#include <netinet/in.h>	/* before linux/: it defines the same structs */
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "nftexpr.h"
#include "nftmsg.h"
#include "nftset.h"
#include "portmap.h"
#include "rulelan.h"
#include "ruleset.h"
#include "rulesources.h"

#define PROBE_TABLE	"portwarden-probe"
#define PRIORITY_FILTER	(-10)	/* just before the usual filter chains */
#define PRIORITY_PREROUTING	(-300)	/* raw: before routing, conntrack and DNAT */

#define TYPE_PORT_IF_KEY	((NFTSET_TYPE_PORT_KEY << NFTSET_TYPE_BITS) | NFTSET_TYPE_IFINDEX)
#define TYPE_SOURCE_V4_KEY \
	((((TYPE_PORT_IF_KEY << NFTSET_TYPE_BITS) | NFTSET_TYPE_IPADDR) << NFTSET_TYPE_BITS) | \
	 NFTSET_TYPE_IPADDR)
#define TYPE_SOURCE_V6_KEY \
	((((TYPE_PORT_IF_KEY << NFTSET_TYPE_BITS) | NFTSET_TYPE_IP6ADDR) << NFTSET_TYPE_BITS) | \
	 NFTSET_TYPE_IP6ADDR)
/* protocol, port, interface: a 32-bit register each; then both addresses */
#define SOURCE_V4_KEYLEN	(4 + 4 + 4 + 4 + 4)
#define SOURCE_V6_KEYLEN	(4 + 4 + 4 + 16 + 16)

#define SYN_ONLY_COMMENT	"only TCP connection attempts (SYN without ACK) are checked"
#define LOOPBACK_COMMENT	"loopback: the host's own traffic is never touched"
#define DROP_COMMENT	"drop: no answer, not even a reset"

#define LOGGED_MAX	65536	/* sources remembered as logged in the last second */
#define LOGGED_TIMEOUT_MS	1000

/* ---- objects of table portwarden ------------------------------------------ */

static int put_chain(struct batch *b, const char *name, int hook, const char *comment)
{
	int32_t prio = hook == NF_INET_PRE_ROUTING ? PRIORITY_PREROUTING : PRIORITY_FILTER;

	return nftmsg_put_chain(b, RULESET_TABLE, name, hook, prio, comment);
}

static struct nftset_elems elems_of(struct batch *b, const char *set, int del)
{
	return (struct nftset_elems){ .b = b, .table = RULESET_TABLE, .set = set, .del = del };
}

/* ---- rules -------------------------------------------------------------- */

static int queue_to(struct nftnl_rule *r, enum ruleset_queue_backend backend, uint16_t num,
		    int fail_open)
{
	if (backend == RULESET_QUEUE_NATIVE)
		return expr_queue(r, num, fail_open);
	return expr_nfqueue_target(r, num, fail_open);
}

static int fib_saddr(struct nftnl_rule *r, uint32_t flags, uint32_t result)
{
	return expr_fib(r, NFTA_FIB_F_SADDR | flags, result);
}

static int body_loopback(struct nftnl_rule *r, const void *arg)
{
	uint32_t lo = 1;	/* the loopback device is ifindex 1 in every netns */

	(void)arg;
	if (expr_meta(r, NFT_META_IIF, NFT_REG_1) < 0 || expr_cmp(r, NFT_CMP_EQ, &lo, 4) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

static int body_martian4(struct nftnl_rule *r, const void *arg)
{
	uint8_t net = 127;

	(void)arg;
	if (expr_nfproto_is(r, NFPROTO_IPV4) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 1, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &net, 1) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_JUMP, "martian");
}

/* Segments that are not connection attempts (everything but a SYN
 * without ACK) to a port in @blocked are only legitimate for a connection
 * of this host, which is what early demultiplexing found before the input
 * hook: it attaches the established socket to the packet.  meta cgroup
 * reads that socket and stops the rule when there is none, so no socket
 * look-up and no connection tracking happen here.  Listeners are never
 * attached, so a guessed SYN cookie or a FIN/NULL/Xmas scan meets the
 * drop whether or not something listens. */
static int tcp_not_first(struct nftnl_rule *r)
{
	uint8_t mask = 0x12, syn = 0x02;	/* SYN|ACK, SYN */

	if (expr_l4proto_is(r, IPPROTO_TCP) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1) < 0 ||
	    expr_bitwise_and(r, &mask, 1) < 0 || expr_cmp(r, NFT_CMP_NEQ, &syn, 1) < 0)
		return -ENOMEM;
	return 0;
}

static int body_tcp_not_syn(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (tcp_not_first(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

static int body_own_connection(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (tcp_not_first(r) < 0 || expr_meta(r, NFT_META_CGROUP, NFT_REG_1) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

static int body_stray_segment(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (tcp_not_first(r) < 0 || expr_port_key(r) < 0 ||
	    expr_lookup(r, NFT_REG32_00, RULESET_SET_BLOCKED, 0) < 0 || expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_DROP, NULL);
}

static int body_udp_established(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_l4proto_is(r, IPPROTO_UDP) < 0 ||
	    expr_ct_any_bit(r, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
					    NF_CT_STATE_BIT(IP_CT_RELATED)) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* "ct status dnat return": routers track connections anyway */
static int body_dnat_return(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_ct_any_bit(r, NFT_CT_STATUS, IPS_DST_NAT) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

struct port_lookup {
	const char *set;
	int code;
	const char *chain;
	const struct ruleset_spec *spec;	/* set for the queue rule */
	int local;	/* only packets addressed to this host */
};

/* "fib daddr type != unicast": local, broadcast or multicast, i.e. not
 * routed through; a route lookup, so it follows a port-set hit. */
static int to_this_host(struct nftnl_rule *r)
{
	uint32_t unicast = RTN_UNICAST;

	if (expr_fib(r, NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE) < 0)
		return -ENOMEM;
	return expr_cmp(r, NFT_CMP_NEQ, &unicast, sizeof(unicast));
}

static int body_port_lookup(struct nftnl_rule *r, const void *arg)
{
	const struct port_lookup *p = arg;

	if (expr_port_key(r) < 0 || expr_lookup(r, NFT_REG32_00, p->set, 0) < 0)
		return -ENOMEM;
	if (p->local && to_this_host(r) < 0)
		return -ENOMEM;
	if (p->spec) {
		if (expr_counter(r) < 0)
			return -ENOMEM;
		return queue_to(r, p->spec->backend, p->spec->cfg->queue_num,
				p->spec->cfg->fail_open);
	}
	return expr_verdict(r, p->code, p->chain);
}

struct log_drop {
	unsigned rate;
	uint16_t group;
	const char *prefix;
};

static int body_log(struct nftnl_rule *r, const void *arg)
{
	const struct log_drop *l = arg;

	if (expr_limit(r, l->rate) < 0)
		return -ENOMEM;
	return expr_log(r, l->group, l->prefix);
}

static int body_not_from_wan(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_meta(r, NFT_META_IIFNAME, NFT_REG_1) < 0 ||
	    expr_lookup(r, NFT_REG_1, RULESET_SET_WAN_IFACES, NFT_LOOKUP_F_INV) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* The kernel log of a blocked port: a source is logged at most once a
 * second per port, new sources under the global log_rate.  The attempts
 * logged in the last second sit in logged_v4/6, keyed by protocol, port,
 * input interface, source and destination; further SYNs with the same key
 * are dropped in chain prerouting, before the routing decision, so a flood
 * costs the kernel less than an ordinary drop rule in the input hook.
 * The interface is in the key so that a source spoofed on one interface
 * cannot lock the real one out on another, the destination so that a
 * router never drops a connection it forwards to another host. */
struct source_log {
	int v6;
	const char *set;
	const struct log_drop *log;	/* NULL: the "already logged" rule */
	int tcp_only;	/* in prerouting, where UDP must not pay the look-up */
};

/* the key of logged_v4/6 into 32-bit registers 0-4 (IPv6: 0-10) */
static int source_key(struct nftnl_rule *r, int v6)
{
	uint32_t alen = v6 ? 16 : 4, saddr = v6 ? 8 : 12, daddr = v6 ? 24 : 16;

	if (expr_nfproto_is(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 || expr_port_key(r) < 0 ||
	    expr_meta(r, NFT_META_IIF, NFT_REG32_02) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, saddr, alen, NFT_REG32_03) < 0)
		return -ENOMEM;
	return expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, daddr, alen,
			    v6 ? NFT_REG32_07 : NFT_REG32_04);
}

/* The log limit of one source (an IPv4 address, an IPv6 /64): its element
 * of log_sources_v4/6 carries its own limiter, so a flood from one source
 * (or from many addresses of one /64) spends only its own budget. */
static int source_limit(struct nftnl_rule *r, int v6, unsigned rate)
{
	static const uint8_t prefix64[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct nftnl_expr *lim = expr_limit_new(rate);

	if (!lim)
		return -ENOMEM;
	if (expr_nfproto_is(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1) < 0 ||
	    (v6 && expr_bitwise_and(r, prefix64, 16) < 0)) {
		nftnl_expr_free(lim);
		return -ENOMEM;
	}
	return expr_dynset(r, NFT_DYNSET_OP_UPDATE, NFT_REG_1,
			   v6 ? "log_sources_v6" : "log_sources_v4", lim);
}

static int body_source_log(struct nftnl_rule *r, const void *arg)
{
	const struct source_log *sl = arg;

	if (sl->tcp_only && expr_l4proto_is(r, IPPROTO_TCP) < 0)
		return -ENOMEM;
	/* the limiter first: its key register is the one source_key reuses */
	if (sl->log && source_limit(r, sl->v6, sl->log->rate) < 0)
		return -ENOMEM;
	if (source_key(r, sl->v6) < 0)
		return -ENOMEM;
	if (!sl->log) {
		if (expr_lookup(r, NFT_REG32_00, sl->set, 0) < 0 || expr_counter(r) < 0)
			return -ENOMEM;
		return expr_verdict(r, NF_DROP, NULL);
	}
	/* remembered only once the source's limiter let it through */
	if (expr_dynset(r, NFT_DYNSET_OP_ADD, NFT_REG32_00, sl->set, NULL) < 0)
		return -ENOMEM;
	return expr_log(r, sl->log->group, sl->log->prefix);
}

static int body_drop(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_DROP, NULL);
}

/* ---- port sets ------------------------------------------------------------ */

void ruleset_entry_comment(char *out, size_t cap, const struct policy_entry *e)
{
	const char *base = strrchr(e->file, '/');

	snprintf(out, cap, "%s %s (%s:%u)", e->service, policy_kind_name(e->kind),
		 base ? base + 1 : e->file, e->line);
}

/* One element of a port set, commented with the entry that put it there */
static int add_entry_elem(struct nftset_elems *el, uint8_t proto, uint16_t port,
			  const struct policy_entry *e)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];

	ruleset_entry_comment(comment, sizeof(comment), e);
	return nftset_elems_add_port(el, proto, port, comment);
}

/* A port set holding every port of the given kinds */
static int put_policy_set(struct batch *b, const char *set, const char *comment,
			  const struct policy_db *db, unsigned kinds)
{
	struct nftset_elems el = elems_of(b, set, 0);
	struct portmap_pos it = PORTMAP_START;
	int ret = nftset_put_empty(b, RULESET_TABLE, set, NFTSET_TYPE_PORT_KEY, NFTSET_PORT_KEYLEN,
				   0, comment);

	while (ret == 0 && portmap_next(&it)) {
		const struct policy_entry *e = policy_lookup(db, it.proto, it.port);

		if (e && (kinds & (1u << e->kind)))
			ret = add_entry_elem(&el, it.proto, it.port, e);
	}
	return nftset_elems_end(&el, ret);
}

/* @blocked, each element with its own counter, and the ports carried over */
static int put_blocked_set(struct batch *b, const struct ruleset_spec *spec)
{
	struct nftnl_set *s = nftset_new(RULESET_TABLE, RULESET_SET_BLOCKED, NFTSET_TYPE_PORT_KEY,
					 NFTSET_PORT_KEYLEN, NFT_SET_EXPR);
	struct nftnl_expr *ctr = nftnl_expr_alloc("counter");
	struct nftset_elems el = elems_of(b, RULESET_SET_BLOCKED, 0);
	unsigned i;
	int ret;

	if (!s || !ctr) {
		if (s)
			nftnl_set_free(s);
		if (ctr)
			nftnl_expr_free(ctr);
		return -ENOMEM;
	}
	nftnl_set_add_expr(s, ctr);
	ret = nftset_put(b, s, "ports decided by the queue worker: the kernel drops further attempts");
	for (i = 0; ret == 0 && i < spec->nblocked; i++) {
		const struct ruleset_port *p = &spec->blocked[i];
		const struct policy_entry *e = policy_lookup(spec->db, p->proto, p->port);

		if (!e || e->kind == POLICY_OPEN)
			continue;	/* no longer guarded after a reload */
		if (e->kind == POLICY_LAN_ONLY && spec->cfg->learning)
			continue;	/* an adoption window: logged, not dropped */
		ret = add_entry_elem(&el, p->proto, p->port, e);
	}
	return nftset_elems_end(&el, ret);
}

static int put_port_sets(struct batch *b, const struct ruleset_spec *spec)
{
	int ret = put_policy_set(b, RULESET_SET_GUARDED,
				 "loopback-only and lan-only ports: first packets go to the queue",
				 spec->db, 1u << POLICY_LOOPBACK_ONLY | 1u << POLICY_LAN_ONLY);

	if (ret == 0)
		ret = put_policy_set(b, RULESET_SET_LAN_ONLY,
				     "lan-only ports: reachable from lan_networks and lan_interfaces",
				     spec->db, 1u << POLICY_LAN_ONLY);
	return ret ? ret : put_blocked_set(b, spec);
}

/* ---- the whole table -------------------------------------------------------- */

/* The host's own multicast and broadcast come back on the interface they
 * left by, not on lo: a source address of this host that nonetheless
 * routes back through the input interface.  A packet from outside that
 * forges one of the host's addresses fails the second test (the route to a
 * local address is local), in both families; the kernel's fib expression
 * answers the input interface for looped-back packets. */
static int body_own_looped(struct nftnl_rule *r, const void *arg)
{
	uint32_t local = RTN_LOCAL, none = 0;

	(void)arg;
	if (fib_saddr(r, 0, NFT_FIB_RESULT_ADDRTYPE) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &local, 4) < 0 ||
	    fib_saddr(r, NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 ||
	    expr_cmp(r, NFT_CMP_NEQ, &none, 4) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

/* A first packet to a guarded port whose source is one of this host's
 * addresses, not looped back (the rule before accepted those): forged.  The
 * routing decision would drop it as a martian; dropped here, before the
 * decision moved in front of routing could queue and log it. */
static int body_forged_own_source(struct nftnl_rule *r, const void *arg)
{
	uint32_t local = RTN_LOCAL;

	(void)arg;
	if (expr_port_key(r) < 0 || expr_lookup(r, NFT_REG32_00, RULESET_SET_GUARDED, 0) < 0 ||
	    fib_saddr(r, 0, NFT_FIB_RESULT_ADDRTYPE) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &local, 4) < 0 || expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_DROP, NULL);
}

/* Elements decided by who listens, after every set exists; one without a
 * comment takes out, in the same batch, an element the database put there. */
static int put_extra(struct batch *b, const struct ruleset_spec *spec)
{
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < spec->nextra; i++)
		ret = ruleset_build_elem(b, &spec->extra[i], !spec->extra[i].comment);
	return ret;
}

/* A chain that logs (rate-limited) and drops everything jumping to it */
static int put_drop_chain(struct batch *b, const struct ruleset_spec *spec, const char *chain,
			  const char *comment, const char *prefix)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group, prefix };
	const struct nftmsg_rule rules[] = {
		{ "log, rate-limited by log_rate", body_log, &log },
		{ DROP_COMMENT, body_drop, NULL },
	};
	int ret = put_chain(b, chain, -1, comment);

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, chain, NFTMSG_RULES(rules));
}

/* A set the rules fill themselves, whose elements live a second */
static int put_second_set(struct batch *b, const char *name, uint32_t type, uint32_t keylen,
			  const char *comment)
{
	struct nftnl_set *s = nftset_new(RULESET_TABLE, name, type, keylen,
					 NFT_SET_TIMEOUT | NFT_SET_EVAL);

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, LOGGED_TIMEOUT_MS);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, LOGGED_MAX);
	return nftset_put(b, s, comment);
}

/* logged_v4/6, then log_sources_v4/6: sources with their log limiter; an
 * element lives while its source keeps sending (the rule updates it), and
 * a second after. */
static int put_source_log_sets(struct batch *b)
{
	static const char logged[] =
		"attempts logged in the last second: port, interface, source, destination";
	int ret;

	ret = put_second_set(b, "logged_v4", TYPE_SOURCE_V4_KEY, SOURCE_V4_KEYLEN, logged);
	if (!ret)
		ret = put_second_set(b, "logged_v6", TYPE_SOURCE_V6_KEY, SOURCE_V6_KEYLEN, logged);
	if (!ret)
		ret = put_second_set(b, "log_sources_v4", NFTSET_TYPE_IPADDR, 4,
				     "log_rate per source address: a flood spends only its own budget");
	if (!ret)
		ret = put_second_set(b, "log_sources_v6", NFTSET_TYPE_IP6ADDR, 16,
				     "log_rate per source /64: a flood spends only its own budget");
	return ret;
}

#define REPEAT_COMMENT "repeat of an attempt dropped and logged within the last second"

/* Both families' "already logged" rules, in prerouting (TCP SYNs) and in
 * blocked (UDP, and SYNs that reached it) */
static const struct source_log seen_tcp4 = { 0, "logged_v4", NULL, 1 },
			       seen_tcp6 = { 1, "logged_v6", NULL, 1 },
			       seen4 = { 0, "logged_v4", NULL, 0 },
			       seen6 = { 1, "logged_v6", NULL, 0 };

/* Segments without SYN reach a socket of this host only in the input hook
 * (early demux attaches it after prerouting): there, one that belongs to no
 * connection of this host and goes to a blocked port is dropped, so scans
 * and guessed SYN cookies learn nothing. */
static int put_input(struct batch *b)
{
	static const struct nftmsg_rule rules[] = {
		{ LOOPBACK_COMMENT, body_loopback, NULL },
		{ "segments of the host's own connections (socket attached by early demux)",
		  body_own_connection, NULL },
		{ "no SYN, no connection of this host, port blocked: scans, guessed cookies",
		  body_stray_segment, NULL },
	};
	int ret = put_chain(b, RULESET_CHAIN_INPUT, NF_INET_LOCAL_IN,
			    "segments without SYN to blocked ports: only the host's own connections");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_INPUT,
					    NFTMSG_RULES(rules));
}

/* The whole decision, in front of every DNAT: by the port the client
 * connected to, whatever port or host it is redirected to afterwards. */
static int put_prerouting(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup to_lan = { RULESET_SET_LAN_ONLY, NFT_JUMP, RULELAN_CHAIN,
						   NULL, 0 },
					to_blocked = { RULESET_SET_BLOCKED, NFT_JUMP, "blocked",
						       NULL, 1 },
					to_served = { RULESET_SET_SERVED, NF_ACCEPT, NULL, NULL, 0 };
	const struct port_lookup to_queue = { RULESET_SET_GUARDED, 0, NULL, spec, 1 };
	char queue_comment[160];
	const struct nftmsg_rule rules[] = {
		{ LOOPBACK_COMMENT, body_loopback, NULL },
		{ "the host's own multicast and broadcast, looped back", body_own_looped, NULL },
		/* IPv6 needs no guard: the kernel drops ::1 from outside itself */
		{ "martian guard: 127.0.0.0/8 from outside (route_localnet, CVE-2020-8558)",
		  body_martian4, NULL },
		{ SYN_ONLY_COMMENT, body_tcp_not_syn, NULL },
		/* in a flood, the last rules a repeated SYN meets */
		{ REPEAT_COMMENT, body_source_log, &seen_tcp4 },
		{ REPEAT_COMMENT, body_source_log, &seen_tcp6 },
		{ "guarded port, source forged as one of this host's addresses: martian",
		  body_forged_own_source, NULL },
		rulesources_rule(spec->db, AF_INET),
		rulesources_rule(spec->db, AF_INET6),
		{ "lan-only port: from the LAN, accepted in chain lan", body_port_lookup, &to_lan },
		{ "ports already decided, addressed to this host: dropped in the kernel",
		  body_port_lookup, &to_blocked },
		{ "served: the listener is a public server of the protocol", body_port_lookup,
		  &to_served },
		{ queue_comment, body_port_lookup, &to_queue },
	};
	const char *c = RULESET_CHAIN_PREROUTING;
	int ret;

	snprintf(queue_comment, sizeof(queue_comment),
		 "first packet to a guarded port of this host: ask portwarden (fail %s%s%s)",
		 spec->cfg->fail_open ? "open" : "closed",
		 spec->cfg->monitor ? RULESET_MONITOR_NOTE : "",
		 spec->cfg->learning ? RULESET_LEARNING_NOTE : "");
	ret = put_chain(b, c, NF_INET_PRE_ROUTING,
			"connections to this host, decided by the port the client "
			"connected to, before any DNAT");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, c, NFTMSG_RULES(rules));
}

static int put_blocked_chain(struct batch *b, const struct ruleset_spec *spec)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group,
				      RULESET_LOG_PREFIX_BLOCKED };
	const struct source_log new4 = { 0, "logged_v4", &log, 0 }, new6 = { 1, "logged_v6", &log, 0 };
	const struct nftmsg_rule rules[] = {
		/* UDP repeats, and TCP ones that prerouting saw under another
		 * address or port (DNAT) */
		{ REPEAT_COMMENT, body_source_log, &seen4 },
		{ REPEAT_COMMENT, body_source_log, &seen6 },
		{ "new attempt: log, at most log_rate a second per source address",
		  body_source_log, &new4 },
		{ "new attempt: log, at most log_rate a second per source /64",
		  body_source_log, &new6 },
		{ DROP_COMMENT, body_drop, NULL },
	};
	int ret = put_chain(b, "blocked", -1, "connection attempts to blocked ports");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, "blocked", NFTMSG_RULES(rules));
}

/* Router mode: connections from the WAN to guarded ports of the hosts
 * behind the router are dropped in the kernel, no queue involved. */
static int put_forward(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup to_blocked = { RULESET_SET_GUARDED, NFT_JUMP,
						       RULESET_CHAIN_FORWARD_DROP, NULL, 0 };
	static const struct nftmsg_rule rules[] = {
		{ "only what arrives on a WAN interface is checked", body_not_from_wan, NULL },
		{ SYN_ONLY_COMMENT, body_tcp_not_syn, NULL },
		{ "replies and established UDP flows pass", body_udp_established, NULL },
		{ "DNAT: decided in prerouting by the published port", body_dnat_return, NULL },
		{ "loopback-only and lan-only ports of inside hosts: dropped", body_port_lookup,
		  &to_blocked },
	};
	int ret;

	ret = put_drop_chain(b, spec, RULESET_CHAIN_FORWARD_DROP,
			     "connections from the WAN to guarded ports behind this router",
			     RULESET_LOG_PREFIX_FORWARD);
	if (!ret)
		ret = put_chain(b, "forward", NF_INET_FORWARD,
				"connections routed through this host (wan_interfaces)");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, "forward", NFTMSG_RULES(rules));
}

int ruleset_build(struct batch *b, const struct ruleset_spec *spec)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];
	int ret = 0;

	/* nft lists the compat queue rule with an iptables-nft warning: the
	 * table says where that comes from */
	snprintf(comment, sizeof(comment), "portwarden%s: enforces %s; managed by portwarden(8)",
		 spec->backend == RULESET_QUEUE_COMPAT ? " (queue: xtables NFQUEUE via nft_compat)" : "",
		 spec->source ? spec->source : "the port policy database");
	/* delete + add in one batch: the old ruleset stays until the new one
	 * is complete, so a reload or restart never opens a gap */
	if (spec->replace)
		ret = ruleset_build_delete(b);
	if (!ret)
		ret = nftmsg_put_table(b, RULESET_TABLE, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
				       spec->table_flags, comment);
	if (!ret)
		ret = put_port_sets(b, spec);
	if (!ret)
		ret = rulesources_build(b, spec->db);
	/* Ports a served-by executable holds (the daemon's listener watcher
	 * adds and removes them): accepted before the queue, so a public
	 * server costs no user space after the first look. */
	if (!ret)
		ret = nftset_put_empty(b, RULESET_TABLE, RULESET_SET_SERVED, NFTSET_TYPE_PORT_KEY,
				       NFTSET_PORT_KEYLEN, 0,
				       "guarded ports served by a public server of the protocol (served-by)");
	if (!ret)
		ret = put_extra(b, spec);
	if (!ret)
		ret = nftset_put_ifnames(b, RULESET_TABLE, RULESET_SET_WAN_IFACES,
					 spec->cfg->wan_ifaces, spec->cfg->nwan_ifaces,
					 "wan_interfaces of portwarden.conf: the Internet side of this router");
	if (!ret)
		ret = put_source_log_sets(b);
	if (!ret)
		ret = put_blocked_chain(b, spec);
	if (!ret)
		ret = put_drop_chain(b, spec, "martian", "loopback addresses arriving from outside",
				     RULESET_LOG_PREFIX_MARTIAN);
	if (!ret)
		ret = rulelan_build(b, spec->lan, spec->cfg->nwan_ifaces != 0);
	if (!ret)
		ret = put_prerouting(b, spec);
	if (!ret && !spec->no_socket_match)
		ret = put_input(b);
	if (!ret && spec->cfg->nwan_ifaces)
		ret = put_forward(b, spec);
	return ret;
}

int ruleset_build_elem(struct batch *b, const struct ruleset_elem *e, int del)
{
	struct nftset_elems el = elems_of(b, e->set, del);

	return nftset_elems_end(&el, nftset_elems_add_port(&el, e->proto, e->port,
							   del ? NULL : e->comment));
}

int ruleset_build_delete(struct batch *b)
{
	return nftmsg_put_table(b, RULESET_TABLE, NFT_MSG_DELTABLE, 0, 0, NULL);
}

static int body_probe(struct nftnl_rule *r, const void *arg)
{
	return queue_to(r, *(const enum ruleset_queue_backend *)arg, 0, 1);
}

/* A throwaway table holding one rule, created and deleted in one batch:
 * the kernel accepts the batch only if it knows every expression in it. */
static int put_probe(struct batch *b, const char *what, nftmsg_rule_body body, const void *arg)
{
	int ret;

	ret = nftmsg_put_table(b, PROBE_TABLE, NFT_MSG_NEWTABLE, NLM_F_CREATE, 0, NULL);
	if (!ret)
		ret = nftmsg_put_chain(b, PROBE_TABLE, "probe", -1, 0, what);
	if (!ret)
		ret = nftmsg_put_rule(b, PROBE_TABLE, "probe", what, body, arg);
	if (!ret)
		ret = nftmsg_put_table(b, PROBE_TABLE, NFT_MSG_DELTABLE, 0, 0, NULL);
	return ret;
}

int ruleset_build_socket_probe(struct batch *b)
{
	return put_probe(b, "socket match probe", body_own_connection, NULL);
}

int ruleset_build_probe(struct batch *b, enum ruleset_queue_backend backend)
{
	return put_probe(b, "queue backend probe", body_probe, &backend);
}

const char *ruleset_backend_name(enum ruleset_queue_backend backend)
{
	return backend == RULESET_QUEUE_NATIVE ? "native nft queue" : "xtables NFQUEUE via nft_compat";
}
