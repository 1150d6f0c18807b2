// SPDX-License-Identifier: GPL-2.0-or-later
/* The shape of table inet portwarden: which sets, which chains, which
 * rules in which order, each with the comment that explains it.  The
 * expressions are built in nftexpr.c, sets and their elements in nftset.c,
 * the messages in nftmsg.c; nothing here touches a socket.
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
 *   chain lan:     accept from the LAN, else return (see "the LAN" below)
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
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>

#include "nftexpr.h"
#include "nftmsg.h"
#include "nftset.h"
#include "portmap.h"
#include "ruleset.h"

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

/* One rule of a chain; a rule without body is left out (its feature is not
 * configured). */
struct rule {
	const char *comment;
	nftmsg_rule_body body;
	const void *arg;
};

#define RULES(list)	(list), sizeof(list) / sizeof((list)[0])

/* The rules of one chain, in order */
static int put_rules(struct batch *b, const char *chain, const struct rule *rules, unsigned n)
{
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++)
		if (rules[i].body)
			ret = nftmsg_put_rule(b, RULESET_TABLE, chain, rules[i].comment,
					      rules[i].body, rules[i].arg);
	return ret;
}

static int put_chain(struct batch *b, const char *name, int hook, const char *comment)
{
	int32_t prio = hook == NF_INET_PRE_ROUTING ? PRIORITY_PREROUTING : PRIORITY_FILTER;

	return nftmsg_put_chain(b, RULESET_TABLE, name, hook, prio, comment);
}

/* A set without elements yet */
static int put_set(struct batch *b, const char *name, uint32_t type, uint32_t keylen,
		   uint32_t flags, const char *comment)
{
	struct nftnl_set *s = nftset_new(RULESET_TABLE, name, type, keylen, flags);

	return s ? nftset_put(b, s, comment) : -ENOMEM;
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
	    expr_lookup(r, NFT_REG_1, "wan_ifaces", NFT_LOOKUP_F_INV) < 0)
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
	int ret = put_set(b, set, NFTSET_TYPE_PORT_KEY, NFTSET_PORT_KEYLEN, 0, comment);

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

/* ---- the LAN -------------------------------------------------------------- *
 *
 * chain lan, jumped to by first packets to lan-only ports: accept when the
 * source is on the LAN, return otherwise.
 *   iifname @wan_ifaces return                (router mode)
 *   fib saddr . iif oif missing return        reverse path, any rp_filter
 *   iifname . ip saddr @lan_subnets_v4 accept  subnets on their own interface
 *   iifname . ip6 saddr @lan_subnets_v6 accept
 *   ip saddr @lan_nets_v4 accept              lan_networks
 *   ip6 saddr @lan_nets_v6 accept
 *   iifname @lan_ifaces accept                bridges, lan_interfaces
 *   ip saddr 169.254.0.0/16 accept            link scope, unless
 *   ip6 saddr fe80::/10 accept                lan_networks = none
 *   meta pkttype broadcast accept
 *   meta pkttype multicast accept
 * Every element's comment says what the part is and why it is there, so
 * `status` reads the effective LAN back from the kernel.  Subnets and
 * interfaces follow the host's addresses at run time through
 * ruleset_build_lan_update(); the rules never change. */

#define LAN_CHAIN	"lan"
#define LAN_SUBNETS_V4	"lan_subnets_v4"
#define LAN_SUBNETS_V6	"lan_subnets_v6"
#define LAN_NETS_V4	"lan_nets_v4"
#define LAN_NETS_V6	"lan_nets_v6"
#define LAN_IFACES	"lan_ifaces"

/* Sorted, merged ranges of the configured networks of one family */
static unsigned lan_ranges(const struct lan *lan, int family, struct nftset_range *out)
{
	unsigned i, n = 0;

	for (i = 0; i < lan->nparts; i++)
		if (lan->parts[i].kind == LAN_PART_NETWORK && lan->parts[i].net.family == family)
			nftset_net_range(&lan->parts[i].net, &out[n++]);
	return nftset_ranges_merge(out, n, family == AF_INET ? 4 : 16);
}

static void range_comment(const struct nftset_range *r, int family, char *out, size_t cap)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	inet_ntop(family, r->lo, lo, sizeof(lo));
	inet_ntop(family, r->hi, hi, sizeof(hi));
	snprintf(out, cap, "%s-%s: lan_networks, on the interface that routes back to it", lo, hi);
}

/* lan_nets_v4 or lan_nets_v6, with its intervals */
static int put_nets_set(struct batch *b, const struct lan *lan, int family)
{
	const char *set = family == AF_INET ? LAN_NETS_V4 : LAN_NETS_V6;
	struct nftset_elems el = elems_of(b, set, 0);
	struct nftset_range ranges[LAN_PARTS_MAX];
	unsigned len = family == AF_INET ? 4 : 16;
	unsigned n = lan_ranges(lan, family, ranges), i;
	int ret;

	ret = put_set(b, set, family == AF_INET ? NFTSET_TYPE_IPADDR : NFTSET_TYPE_IP6ADDR, len,
		      NFT_SET_INTERVAL, "lan_networks: on the interface that routes back to them");
	for (i = 0; ret == 0 && i < n; i++) {
		char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN];

		range_comment(&ranges[i], family, comment, sizeof(comment));
		ret = nftset_elems_add_range(&el, &ranges[i], len, comment);
	}
	return nftset_elems_end(&el, ret);
}

/* "iifname . ip saddr" (or ip6): an interval set of concatenations, so a
 * subnet matches only on its own interface. */
static int put_subnet_set(struct batch *b, const char *name, int family, const char *comment)
{
	uint8_t fields[NFT_REG32_COUNT] = { IFNAMSIZ, family == AF_INET ? 4 : 16 };
	uint32_t type = NFTSET_TYPE_IFNAME << NFTSET_TYPE_BITS |
			(family == AF_INET ? NFTSET_TYPE_IPADDR : NFTSET_TYPE_IP6ADDR);
	struct nftnl_set *s = nftset_new(RULESET_TABLE, name, type, IFNAMSIZ + fields[1],
					 NFT_SET_INTERVAL | NFT_SET_CONCAT);

	if (!s)
		return -ENOMEM;
	nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	return nftset_put(b, s, comment);
}

static const char *part_set(const struct lan_part *p)
{
	if (p->kind == LAN_PART_IFACE)
		return LAN_IFACES;
	if (p->kind == LAN_PART_SUBNET)
		return p->net.family == AF_INET ? LAN_SUBNETS_V4 : LAN_SUBNETS_V6;
	return NULL;	/* networks: merged ranges, see put_nets_set() */
}

/* The element of a subnet or an interface, its comment "PART: WHY". */
static struct nftnl_set_elem *part_elem(const struct lan_part *p)
{
	/* longer than an element comment: nftmsg_comment() cuts it */
	char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN], name[IFNAMSIZ + INET6_ADDRSTRLEN + 8];
	uint8_t key[IFNAMSIZ + 16] = { 0 }, end[IFNAMSIZ + 16] = { 0 };
	unsigned alen = p->net.family == AF_INET ? 4 : 16;
	struct nftnl_set_elem *e;
	struct nftset_range r;

	lan_part_name(p, name, sizeof(name));
	snprintf(comment, sizeof(comment), "%s: %s", name, p->why);
	memcpy(key, p->ifname, strnlen(p->ifname, IFNAMSIZ - 1));
	if (p->kind == LAN_PART_IFACE)
		return nftset_elem_new(key, IFNAMSIZ, 0, comment);
	nftset_net_range(&p->net, &r);
	memcpy(end, key, IFNAMSIZ);
	memcpy(key + IFNAMSIZ, r.lo, alen);
	memcpy(end + IFNAMSIZ, r.hi, alen);
	e = nftset_elem_new(key, IFNAMSIZ + alen, 0, comment);
	if (e)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, end, IFNAMSIZ + alen);
	return e;
}

struct lan_elems {
	struct nftset_elems set[3];	/* subnets v4, subnets v6, interfaces */
};

static void lan_elems_init(struct lan_elems *le, struct batch *b, int del)
{
	static const char *const names[3] = { LAN_SUBNETS_V4, LAN_SUBNETS_V6, LAN_IFACES };
	unsigned i;

	for (i = 0; i < 3; i++)
		le->set[i] = elems_of(b, names[i], del);
}

static int lan_elems_push(struct lan_elems *le, const struct lan_part *p)
{
	const char *set = part_set(p);
	unsigned i;

	for (i = 0; set && i < 3; i++)
		if (!strcmp(le->set[i].set, set))
			return nftset_elems_push(&le->set[i], part_elem(p));
	return 0;
}

static int lan_elems_end(struct lan_elems *le, int ret)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		ret = nftset_elems_end(&le->set[i], ret);
	return ret;
}

static int put_lan_sets(struct batch *b, const struct lan *lan)
{
	struct lan_elems le;
	unsigned i;
	int ret;

	ret = put_subnet_set(b, LAN_SUBNETS_V4, AF_INET,
			     "LAN subnets (IPv4), each counted on its own interface only");
	if (!ret)
		ret = put_subnet_set(b, LAN_SUBNETS_V6, AF_INET6,
				     "LAN subnets (IPv6), each counted on its own interface only");
	if (!ret)
		ret = put_set(b, LAN_IFACES, NFTSET_TYPE_IFNAME, IFNAMSIZ, 0,
			      "LAN interfaces: container/VM bridges, lan_interfaces");
	if (!ret)
		ret = put_nets_set(b, lan, AF_INET);
	if (!ret)
		ret = put_nets_set(b, lan, AF_INET6);
	if (ret)
		return ret;
	lan_elems_init(&le, b, 0);
	for (i = 0; !ret && i < lan->nparts; i++)
		ret = lan_elems_push(&le, &lan->parts[i]);
	return lan_elems_end(&le, ret);
}

static int body_lan_wan(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_meta(r, NFT_META_IIFNAME, NFT_REG_1) < 0 ||
	    expr_lookup(r, NFT_REG_1, "wan_ifaces", 0) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* fib saddr . iif oif missing: the route back to the source does not leave
 * through the interface the packet came in on.  Done in the table so it
 * holds whatever rp_filter says, and for IPv6, which has no rp_filter. */
static int body_lan_rpath(struct nftnl_rule *r, const void *arg)
{
	uint32_t none = 0;

	(void)arg;
	if (fib_saddr(r, NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &none, sizeof(none)) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

struct lan_source {
	int family;		/* AF_INET, AF_INET6, or 0: interface only */
	int with_iif;		/* iifname . saddr */
	const char *set;
};

static int body_lan_source(struct nftnl_rule *r, const void *arg)
{
	const struct lan_source *l = arg;
	uint32_t sreg = l->with_iif ? NFT_REG_2 : NFT_REG_1;
	int ret = 0;

	if (l->family)
		ret = expr_nfproto_is(r, l->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	if (!ret && (l->with_iif || !l->family))
		ret = expr_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	if (!ret && l->family == AF_INET)
		ret = expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, sreg);
	else if (!ret && l->family == AF_INET6)
		ret = expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, sreg);
	if (ret < 0 || expr_lookup(r, NFT_REG_1, l->set, 0) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

/* whole addresses with a prefix mask, as nft writes them, so that
 * `nft list` prints "ip6 saddr fe80::/10" */
static int body_link_local(struct nftnl_rule *r, const void *arg)
{
	static const uint8_t mask4[4] = { 0xff, 0xff }, net4[4] = { 169, 254 };
	static const uint8_t mask6[16] = { 0xff, 0xc0 }, net6[16] = { 0xfe, 0x80 };
	int v6 = *(const int *)arg;
	uint32_t len = v6 ? 16 : 4;

	if (expr_nfproto_is(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, len, NFT_REG_1) < 0 ||
	    expr_bitwise_and(r, v6 ? mask6 : mask4, len) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, v6 ? net6 : net4, len) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

static int body_pkttype(struct nftnl_rule *r, const void *arg)
{
	uint8_t type = *(const uint8_t *)arg;

	if (expr_meta(r, NFT_META_PKTTYPE, NFT_REG_1) < 0 || expr_cmp(r, NFT_CMP_EQ, &type, 1) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

static int put_lan_chain(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct lan_source sub4 = { AF_INET, 1, LAN_SUBNETS_V4 },
				       sub6 = { AF_INET6, 1, LAN_SUBNETS_V6 },
				       net4 = { AF_INET, 0, LAN_NETS_V4 },
				       net6 = { AF_INET6, 0, LAN_NETS_V6 },
				       ifs = { 0, 0, LAN_IFACES };
	static const int v4 = 0, v6 = 1;
	static const uint8_t bcast = PACKET_BROADCAST, mcast = PACKET_MULTICAST;
	/* link scope: what cannot have crossed a router.  Rule comments read
	 * "PART: WHY" like the elements', for `status`. */
	nftmsg_rule_body link_local = spec->lan->link_scope ? body_link_local : NULL;
	nftmsg_rule_body pkttype = spec->lan->link_scope ? body_pkttype : NULL;
	const struct rule rules[] = {
		{ "nothing arriving on a WAN interface is LAN",
		  spec->cfg->nwan_ifaces ? body_lan_wan : NULL, NULL },
		{ "reverse path: the source must be reachable through the interface it came in on",
		  body_lan_rpath, NULL },
		{ "LAN subnet (IPv4) on its own interface", body_lan_source, &sub4 },
		{ "LAN subnet (IPv6) on its own interface", body_lan_source, &sub6 },
		{ "lan_networks (IPv4)", body_lan_source, &net4 },
		{ "lan_networks (IPv6)", body_lan_source, &net6 },
		{ "LAN interface", body_lan_source, &ifs },
		{ "169.254.0.0/16: link-local source", link_local, &v4 },
		{ "fe80::/10: link-local source", link_local, &v6 },
		{ "link-layer broadcast: never routed (DHCPv4 from 0.0.0.0, ...)", pkttype, &bcast },
		{ "link-layer multicast: never routed (mDNS, DHCPv6 to ff02::1:2, ...)", pkttype,
		  &mcast },
	};
	int ret = put_chain(b, LAN_CHAIN, -1,
			    "first packets to lan-only ports: accepted from the LAN, returned otherwise");

	return ret ? ret : put_rules(b, LAN_CHAIN, RULES(rules));
}

/* Sets, then the chain that reads them. */
static int put_lan(struct batch *b, const struct ruleset_spec *spec)
{
	int ret = put_lan_sets(b, spec->lan);

	return ret ? ret : put_lan_chain(b, spec);
}

int ruleset_build_lan_update(struct batch *b, const struct lan *old, const struct lan *cur)
{
	struct lan_elems del, add;
	unsigned i = 0, j = 0;
	int ret = 0, changes = 0;

	lan_elems_init(&del, b, 1);
	lan_elems_init(&add, b, 0);
	/* both sorted by lan_part_cmp(): one merge walk finds what changed */
	while (ret == 0 && (i < old->nparts || j < cur->nparts)) {
		int d = i == old->nparts ? 1 : j == cur->nparts ? -1 :
			lan_part_cmp(&old->parts[i], &cur->parts[j]);

		if (d == 0) {
			i++;
			j++;
			continue;
		}
		if (d < 0)
			ret = lan_elems_push(&del, &old->parts[i++]);
		else
			ret = lan_elems_push(&add, &cur->parts[j++]);
		changes += part_set(d < 0 ? &old->parts[i - 1] : &cur->parts[j - 1]) != NULL;
	}
	/* removals first: a subnet that changes its reason is removed, then added */
	ret = lan_elems_end(&del, ret);
	ret = lan_elems_end(&add, ret);
	return ret < 0 ? ret : changes;
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

/* Elements decided by who listens, after every set exists. */
static int put_extra(struct batch *b, const struct ruleset_spec *spec)
{
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < spec->nextra; i++)
		ret = ruleset_build_elem(b, &spec->extra[i], 0);
	return ret;
}

/* A chain that logs (rate-limited) and drops everything jumping to it */
static int put_drop_chain(struct batch *b, const struct ruleset_spec *spec, const char *chain,
			  const char *comment, const char *prefix)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group, prefix };
	const struct rule rules[] = {
		{ "log, rate-limited by log_rate", body_log, &log },
		{ DROP_COMMENT, body_drop, NULL },
	};
	int ret = put_chain(b, chain, -1, comment);

	return ret ? ret : put_rules(b, chain, RULES(rules));
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
	static const struct rule rules[] = {
		{ LOOPBACK_COMMENT, body_loopback, NULL },
		{ "segments of the host's own connections (socket attached by early demux)",
		  body_own_connection, NULL },
		{ "no SYN, no connection of this host, port blocked: scans, guessed cookies",
		  body_stray_segment, NULL },
	};
	int ret = put_chain(b, RULESET_CHAIN_INPUT, NF_INET_LOCAL_IN,
			    "segments without SYN to blocked ports: only the host's own connections");

	return ret ? ret : put_rules(b, RULESET_CHAIN_INPUT, RULES(rules));
}

/* The whole decision, in front of every DNAT: by the port the client
 * connected to, whatever port or host it is redirected to afterwards. */
static int put_prerouting(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup to_lan = { RULESET_SET_LAN_ONLY, NFT_JUMP, LAN_CHAIN,
						   NULL, 0 },
					to_blocked = { RULESET_SET_BLOCKED, NFT_JUMP, "blocked",
						       NULL, 1 },
					to_served = { RULESET_SET_SERVED, NF_ACCEPT, NULL, NULL, 0 };
	const struct port_lookup to_queue = { RULESET_SET_GUARDED, 0, NULL, spec, 1 };
	char queue_comment[128];
	const struct rule rules[] = {
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
		 "first packet to a guarded port of this host: ask portwarden (fail %s%s)",
		 spec->cfg->fail_open ? "open" : "closed",
		 spec->cfg->monitor ? RULESET_MONITOR_NOTE : "");
	ret = put_chain(b, c, NF_INET_PRE_ROUTING,
			"connections to this host, decided by the port the client "
			"connected to, before any DNAT");
	return ret ? ret : put_rules(b, c, RULES(rules));
}

static int put_blocked_chain(struct batch *b, const struct ruleset_spec *spec)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group,
				      RULESET_LOG_PREFIX_BLOCKED };
	const struct source_log new4 = { 0, "logged_v4", &log, 0 }, new6 = { 1, "logged_v6", &log, 0 };
	const struct rule rules[] = {
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

	return ret ? ret : put_rules(b, "blocked", RULES(rules));
}

/* Router mode: connections from the WAN to guarded ports of the hosts
 * behind the router are dropped in the kernel, no queue involved. */
static int put_forward(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup to_blocked = { RULESET_SET_GUARDED, NFT_JUMP,
						       RULESET_CHAIN_FORWARD_DROP, NULL, 0 };
	static const struct rule rules[] = {
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
	return ret ? ret : put_rules(b, "forward", RULES(rules));
}

int ruleset_build(struct batch *b, const struct ruleset_spec *spec)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];
	int ret = 0;

	snprintf(comment, sizeof(comment), "portwarden: enforces %s; managed by portwarden(8)",
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
	/* Ports a served-by executable holds (the daemon's listener watcher
	 * adds and removes them): accepted before the queue, so a public
	 * server costs no user space after the first look. */
	if (!ret)
		ret = put_set(b, RULESET_SET_SERVED, NFTSET_TYPE_PORT_KEY, NFTSET_PORT_KEYLEN, 0,
			      "guarded ports served by a public server of the protocol (served-by)");
	if (!ret)
		ret = put_extra(b, spec);
	if (!ret)
		ret = nftset_put_ifnames(b, RULESET_TABLE, "wan_ifaces", spec->cfg->wan_ifaces,
					 spec->cfg->nwan_ifaces,
					 "wan_interfaces of portwarden.conf: the Internet side of this router");
	if (!ret)
		ret = put_source_log_sets(b);
	if (!ret)
		ret = put_blocked_chain(b, spec);
	if (!ret)
		ret = put_drop_chain(b, spec, "martian", "loopback addresses arriving from outside",
				     RULESET_LOG_PREFIX_MARTIAN);
	if (!ret)
		ret = put_lan(b, spec);
	if (!ret)
		ret = put_prerouting(b, spec);
	if (!ret && !spec->no_socket_match)
		ret = put_input(b);
	if (!ret && spec->cfg->nwan_ifaces)
		ret = put_forward(b, spec);
	return ret;
}

int ruleset_build_block(struct batch *b, uint8_t proto, uint16_t port, const char *comment)
{
	const struct ruleset_elem e = { RULESET_SET_BLOCKED, proto, port, comment };

	return ruleset_build_elem(b, &e, 0);
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
