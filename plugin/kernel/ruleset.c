// SPDX-License-Identifier: GPL-2.0-or-later
/* The shape of table inet portwarden: which sets, which chains, which
 * rules in which order, each with the comment that explains it.  The
 * expressions are built in nftexpr.c, sets and their elements in nftset.c,
 * the messages in nftmsg.c, the LAN part in rulelan.c; nothing here
 * touches a socket.
 *
 *   chain prerouting (hook prerouting, priority raw)
 *     iif lo accept                          the host's own traffic
 *     ip daddr 127.0.0.0/8 jump martian      loopback addresses from outside
 *     tcp flags & (syn|ack) != syn return    only connection attempts go on
 *     meta l4proto udp return                (the host uses NAT) or
 *     udp dport 32768-60999 return           (it does not): UDP that may be
 *                                            a reply is decided later
 *     meta l4proto 33-136 meta l4proto @transports jump transports
 *                                            UDP-Lite, SCTP, DCCP (rulepaths.c)
 *     meta l4proto tcp meta l4proto . th dport . iif . ip saddr . ip daddr @logged_v4 drop
 *     meta l4proto tcp meta l4proto . th dport . iif . ip6 saddr . ip6 daddr @logged_v6 drop
 *                                            a flood's repeats, before routing
 *     jump decide
 *   chain decide: the decision of a first packet
 *     meta l4proto . th dport != @guarded return
 *                                            open ports leave at one lookup
 *     fib saddr type local fib saddr . iif oif != 0 accept
 *                                            its own multicast, looped back
 *     meta l4proto . th dport @guarded fib saddr type local drop
 *                                            forged own source: martian
 *     meta l4proto . th dport . ip saddr @sources_v4 fib saddr . iif oif != 0 accept
 *     meta l4proto . th dport . ip6 saddr @sources_v6 fib saddr . iif oif != 0 accept
 *                                            `from` (rulesources.c)
 *     meta l4proto . th dport @lan_only jump lan
 *     meta l4proto . th dport @guarded fib daddr type unicast goto routed
 *                                            an address this host routes,
 *                                            not one of its own (rulepaths.c)
 *     meta l4proto . th dport @blocked jump blocked
 *     meta l4proto . th dport @served accept   a public server holds it
 *     meta l4proto . th dport @guarded queue
 *   chain input (hook input, priority filter - 10)
 *     iif lo accept
 *     tcp flags & (syn|ack) != syn jump strays
 *     udp dport 32768-60999 jump ephemeral   (no NAT)
 *   chain strays: TCP segments without SYN
 *     meta cgroup >= 0 return                segments of the host's own
 *                                            connections (early demux)
 *     meta l4proto . th dport != @guarded return
 *     meta l4proto . th dport @served return
 *     meta l4proto . th dport . ip saddr @sources_v4 fib saddr . iif oif != 0 accept
 *     meta l4proto . th dport . ip6 saddr @sources_v6 fib saddr . iif oif != 0 accept
 *     meta l4proto . th dport @lan_only jump lan
 *                                            the SYN cookies and TIME_WAIT of
 *                                            sources the policy admits
 *     counter drop                           scans, guessed cookies
 *     (monitor mode: meta l4proto . th dport @blocked drop only)
 *   chain ephemeral: UDP to the ephemeral range, without NAT
 *     meta cgroup >= 0 accept                a reply: the host's connected
 *                                            socket, found by early demux
 *     jump decide
 *   chain after_conntrack (hook prerouting, priority -150; the host uses NAT)
 *     iif lo accept
 *     meta l4proto != udp return
 *     ct state established,related accept    replies: to NATed flows and to
 *                                            the host's own sockets
 *     jump decide
 *   chain lan:     accept from the LAN, else return (see rulelan.c)
 *   chain blocked: repeats (UDP; TCP seen under other addresses) drop; a new
 *                  attempt goes to log_attempt under log_rate per source
 *                  address, per /64 for IPv6 (log_sources_v4/6), or, when
 *                  that set is full and cannot take the source, under its
 *                  port's reserve on its interface (log_reserve); the rest
 *                  is counted (status: unlogged) and dropped
 *   chain log_attempt: log; remembered in logged_v4/6 for a second; drop
 *   chain martian: limit + log group N; drop
 *   chains routed, transports, would_block: see rulepaths.c
 *
 * The decision sits before the destination NAT of every other table
 * (dstnat, priority -100): a connection is decided by the port the client
 * connected to, so a port published by DNAT (a container's -p, a router's
 * port forward) is guarded like a port of this host, and a port an admin
 * redirects elsewhere is decided by the port that was published.  One
 * route lookup ("fib daddr type unicast"), only after a port-set hit,
 * sends what this host routes to chain routed; the rules after it see only
 * packets addressed to this host (local, broadcast, multicast).
 *
 * No conntrack where the host uses none: TCP needs none to find first
 * packets, and the first `ct` expression would track every flow of the
 * namespace.  Replies are never decided as attempts, and never wait for
 * user space: where the host uses NAT (a nat chain in any other table, so
 * conntrack runs anyway) UDP is decided after conntrack; where it does
 * not, the socket early demultiplexing attached tells a reply to the
 * host's own connected socket in the input hook.
 *
 * Host mode adds, for containers and VMs behind a bridge:
 *   chain forward (hook forward, priority filter - 10)
 *     oifname != @lan_ifaces return          only into a bridge
 *     iifname @lan_ifaces return             the inside's own connections
 *     tcp flags & (syn|ack) != syn return
 *     ct state established,related return    (the host uses NAT) or
 *     ct status dnat return                  decided in prerouting
 *     udp dport 32768-60999 return           (it does not)
 *     meta l4proto . th dport @lan_only jump lan
 *     meta l4proto . th dport @guarded jump blocked
 *
 * Router mode (wan_interfaces) instead adds, for the hosts behind it:
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
#include "rulepaths.h"
#include "ruleset.h"
#include "rulesources.h"

#define PROBE_TABLE	"portwarden-probe"
#define PRIORITY_FILTER	(-10)	/* just before the usual filter chains */
#define PRIORITY_PREROUTING	(-300)	/* raw: before routing, conntrack and DNAT */
#define PRIORITY_AFTER_CONNTRACK	(-150)	/* mangle: after conntrack (-200), before DNAT */

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
#define DECIDE_COMMENT	"the decision"

#define LOGGED_MAX	65536	/* sources remembered as logged in the last second */
#define LOGGED_TIMEOUT_MS	1000
/* expired elements hold their place until the kernel's clean-up: a
 * flood of ever new sources fills a set with them unless it runs often */
#define LOGGED_GC_MS	250
/* ports a flood may reach, times input interfaces: the reserve never fills */
#define RESERVE_MAX	65536
/* new sources logged a second from their own budgets, in log_rate units:
 * past it they take their port's reserve, so a flood of ever new sources
 * cannot send the daemon more lines than it reads */
#define NEW_SOURCES_PER_RATE	50
#define CHAIN_LOG_ATTEMPT	"log_attempt"

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

static int body_tcp_not_syn(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_tcp_not_first(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* The socket early demultiplexing attached, read with meta cgroup, which
 * stops the rule when there is none: no socket look-up, no connection
 * tracking.  For TCP a full socket of this host (a request socket counts
 * as its listener, a TIME_WAIT socket not at all); for UDP a connected
 * socket whose peer sent the datagram, i.e. a reply.  The compare, always
 * true, makes `nft list` show the test instead of nothing. */
static int own_socket(struct nftnl_rule *r, int code)
{
	uint32_t zero = 0;

	if (expr_meta(r, NFT_META_CGROUP, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_GTE, &zero, sizeof(zero)) < 0)
		return -ENOMEM;
	return expr_verdict(r, code, NULL);
}

static int body_own_socket(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	return own_socket(r, NF_ACCEPT);
}

static int body_own_connection(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	return own_socket(r, NFT_RETURN);
}

/* A segment without SYN and without a socket of this host, to a port of
 * a set (inverted: to a port not in it): a verdict, counted when a drop */
struct stray {
	const char *set;
	int inv;
	int code;
	const char *chain;
};

static int body_stray_segment(struct nftnl_rule *r, const void *arg)
{
	const struct stray *st = arg;

	if (expr_port_key(r) < 0 ||
	    expr_lookup(r, NFT_REG32_00, st->set, st->inv ? NFT_LOOKUP_F_INV : 0) < 0)
		return -ENOMEM;
	if (st->code == NF_DROP && expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, st->code, st->chain);
}

static int body_strays_jump(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_tcp_not_first(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_JUMP, RULESET_CHAIN_STRAYS);
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

static int body_jump(struct nftnl_rule *r, const void *arg)
{
	return expr_verdict(r, NFT_JUMP, arg);
}

/* ---- UDP replies ------------------------------------------------------------- */

/* Conntrack runs on this host anyway (NAT, or router mode) */
static int tracked(const struct ruleset_spec *spec)
{
	return spec->host_nat || spec->cfg->nwan_ifaces;
}

/* Without: the input hook tells replies to the ephemeral range, unless the
 * kernel lacks the socket match (no input chain: prerouting decides all) */
static int ephemeral_in_input(const struct ruleset_spec *spec)
{
	return !tracked(spec) && !spec->no_socket_match;
}

/* "udp dport 32768-60999": the ephemeral range in register 1 */
static int udp_ephemeral(struct nftnl_rule *r, const struct ruleset_spec *spec)
{
	uint16_t lo = htons(spec->eph_lo ? spec->eph_lo : 32768),
		 hi = htons(spec->eph_hi ? spec->eph_hi : 60999);

	if (expr_l4proto_is(r, IPPROTO_UDP) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_GTE, &lo, 2) < 0)
		return -ENOMEM;
	return expr_cmp(r, NFT_CMP_LTE, &hi, 2);
}

/* In prerouting, UDP that may be a reply leaves for the hook where it can
 * be told from an attempt: every datagram where conntrack runs anyway,
 * else those to the ephemeral range, where the host's own sockets are. */
static int body_udp_later(struct nftnl_rule *r, const void *arg)
{
	const struct ruleset_spec *spec = arg;

	if (tracked(spec) ? expr_l4proto_is(r, IPPROTO_UDP) < 0 : udp_ephemeral(r, spec) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

static int body_ephemeral_jump(struct nftnl_rule *r, const void *arg)
{
	if (udp_ephemeral(r, arg) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_JUMP, RULESET_CHAIN_EPHEMERAL);
}

static int body_not_udp(struct nftnl_rule *r, const void *arg)
{
	uint8_t udp = IPPROTO_UDP;

	(void)arg;
	if (expr_meta(r, NFT_META_L4PROTO, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_NEQ, &udp, 1) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

static int body_ct_reply(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_ct_any_bit(r, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
					     NF_CT_STATE_BIT(IP_CT_RELATED)) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

struct port_lookup {
	const char *set;
	int code;
	const char *chain;
	const struct ruleset_spec *spec;	/* set for the queue rule */
	uint32_t flags;				/* NFT_LOOKUP_F_INV: not in the set */
};

static int body_port_lookup(struct nftnl_rule *r, const void *arg)
{
	const struct port_lookup *p = arg;

	if (expr_port_key(r) < 0 || expr_lookup(r, NFT_REG32_00, p->set, p->flags) < 0)
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
	if (expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1) < 0 ||
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
	if (sl->log) {
		/* the family's budget of new sources first: when it is spent
		 * the source is not put into log_sources, so the reserve rule
		 * below still sees it as one the set did not take */
		if (expr_nfproto_is(r, sl->v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 ||
		    expr_limit(r, sl->log->rate * NEW_SOURCES_PER_RATE) < 0 ||
		    source_limit(r, sl->v6, sl->log->rate) < 0)
			return -ENOMEM;
		return expr_verdict(r, NFT_GOTO, CHAIN_LOG_ATTEMPT);
	}
	if (source_key(r, sl->v6) < 0 || expr_lookup(r, NFT_REG32_00, sl->set, 0) < 0 ||
	    expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_DROP, NULL);
}

/* A source the rule before did not take (the per-source set is full, or
 * this second's budget of new sources is spent, and it is not in the set)
 * is logged from its port's budget on its input interface instead: a
 * flood of ever new sources to one port cannot spend another port's, nor
 * another interface's (the LAN's). */
static int body_reserve_log(struct nftnl_rule *r, const void *arg)
{
	static const uint8_t prefix64[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct source_log *sl = arg;
	struct nftnl_expr *lim = NULL;

	if (expr_nfproto_is(r, sl->v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, sl->v6 ? 8 : 12, sl->v6 ? 16 : 4,
			 NFT_REG_1) < 0 ||
	    (sl->v6 && expr_bitwise_and(r, prefix64, 16) < 0) ||
	    expr_lookup(r, NFT_REG_1, sl->v6 ? "log_sources_v6" : "log_sources_v4",
			NFT_LOOKUP_F_INV) < 0 || expr_port_key(r) < 0 ||
	    expr_meta(r, NFT_META_IIF, NFT_REG32_02) < 0 || !(lim = expr_limit_new(sl->log->rate)))
		return -ENOMEM;
	if (expr_dynset(r, NFT_DYNSET_OP_UPDATE, NFT_REG32_00, "log_reserve", lim) < 0 ||
	    expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_GOTO, CHAIN_LOG_ATTEMPT);
}

/* Remembered as logged (logged_v4/6) after the line is out: a full set
 * never stops the line. */
static int body_remember(struct nftnl_rule *r, const void *arg)
{
	const struct source_log *sl = arg;

	if (source_key(r, sl->v6) < 0)
		return -ENOMEM;
	return expr_dynset(r, NFT_DYNSET_OP_ADD, NFT_REG32_00, sl->set, NULL);
}

static int body_log_only(struct nftnl_rule *r, const void *arg)
{
	const struct log_drop *l = arg;

	return expr_log(r, l->group, l->prefix);
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
			  uint32_t size, const char *comment)
{
	struct nftnl_set *s = nftset_new(RULESET_TABLE, name, type, keylen,
					 NFT_SET_TIMEOUT | NFT_SET_EVAL);

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, LOGGED_TIMEOUT_MS);
	nftnl_set_set_u32(s, NFTNL_SET_GC_INTERVAL, LOGGED_GC_MS);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, size);
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

	ret = put_second_set(b, "logged_v4", TYPE_SOURCE_V4_KEY, SOURCE_V4_KEYLEN, LOGGED_MAX,
			     logged);
	if (!ret)
		ret = put_second_set(b, "logged_v6", TYPE_SOURCE_V6_KEY, SOURCE_V6_KEYLEN,
				     LOGGED_MAX, logged);
	if (!ret)
		ret = put_second_set(b, "log_sources_v4", NFTSET_TYPE_IPADDR, 4, LOGGED_MAX,
				     "log_rate per source address: a flood spends only its own budget");
	if (!ret)
		ret = put_second_set(b, "log_sources_v6", NFTSET_TYPE_IP6ADDR, 16, LOGGED_MAX,
				     "log_rate per source /64: a flood spends only its own budget");
	if (!ret)
		ret = put_second_set(b, "log_reserve", TYPE_PORT_IF_KEY, 4 + 4 + 4, RESERVE_MAX,
				     "log_rate per port and input interface for sources a full "
				     "log_sources set could not take");
	return ret;
}

#define REPEAT_COMMENT "repeat of an attempt dropped and logged within the last second"

/* Both families' "already logged" rules, in prerouting (TCP SYNs) and in
 * blocked (UDP, and SYNs that reached it) */
static const struct source_log seen_tcp4 = { 0, "logged_v4", NULL, 1 },
			       seen_tcp6 = { 1, "logged_v6", NULL, 1 },
			       seen4 = { 0, "logged_v4", NULL, 0 },
			       seen6 = { 1, "logged_v6", NULL, 0 };

/* Where the host uses NAT, conntrack already runs: a UDP datagram is
 * decided after it, still before any DNAT, and a reply (to a NATed flow or
 * to the host's own socket) is accepted without any further look. */
static int put_after_conntrack(struct batch *b)
{
	static const struct nftmsg_rule rules[] = {
		{ LOOPBACK_COMMENT, body_loopback, NULL },
		{ "TCP was decided in prerouting: only UDP is decided here", body_not_udp, NULL },
		{ "replies: to NATed flows and to the host's own sockets", body_ct_reply, NULL },
		{ DECIDE_COMMENT, body_jump, RULESET_CHAIN_DECIDE },
	};
	int ret = nftmsg_put_chain(b, RULESET_TABLE, RULESET_CHAIN_AFTER_CONNTRACK,
				   NF_INET_PRE_ROUTING, PRIORITY_AFTER_CONNTRACK,
				   "UDP, decided after connection tracking (the host uses NAT): "
				   "replies pass");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_AFTER_CONNTRACK,
					    NFTMSG_RULES(rules));
}

/* Without NAT there is no connection tracking to ask: UDP to the ephemeral
 * range is decided in the input hook, where early demultiplexing has found
 * the host's connected socket a reply belongs to. */
static int put_ephemeral(struct batch *b)
{
	static const struct nftmsg_rule rules[] = {
		{ "a reply to a connected socket of this host (attached by early demux)",
		  body_own_socket, NULL },
		{ DECIDE_COMMENT, body_jump, RULESET_CHAIN_DECIDE },
	};
	int ret = put_chain(b, RULESET_CHAIN_EPHEMERAL, -1,
			    "UDP to the ephemeral range: replies to the host's own sockets pass");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_EPHEMERAL,
					    NFTMSG_RULES(rules));
}

/* Segments without SYN reach a socket of this host only in the input hook
 * (early demux attaches it after prerouting).  One that belongs to no
 * full socket of this host and goes to a guarded port is a scan, a guessed
 * SYN cookie or a late segment for a TIME_WAIT socket: it goes on only
 * from sources the policy admits to the port (a public server's clients;
 * the LAN for a lan-only port, whose cookie handshakes and closing
 * segments must not depend on someone else's attempt), and is dropped for
 * everyone else whether or not something listens and whether or not the
 * port saw a SYN yet.  In monitor mode only @blocked (empty) is dropped. */
static int put_strays(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct stray unguarded = { RULESET_SET_GUARDED, 1, NFT_RETURN, NULL },
				   served = { RULESET_SET_SERVED, 0, NFT_RETURN, NULL },
				   lan = { RULESET_SET_LAN_ONLY, 0, NFT_JUMP, RULELAN_CHAIN },
				   guarded = { RULESET_SET_GUARDED, 0, NF_DROP, NULL },
				   blocked = { RULESET_SET_BLOCKED, 0, NF_DROP, NULL };
	nftmsg_rule_body enforce = spec->cfg->monitor ? NULL : body_stray_segment;
	const struct nftmsg_rule rules[] = {
		{ "segments of the host's own connections (socket attached by early demux)",
		  body_own_connection, NULL },
		{ "port not guarded: nothing to check", enforce, &unguarded },
		{ "port served by a public server: its clients", enforce, &served },
		/* a listed source's cookie handshakes and closing segments */
		rulesources_rule(spec->db, AF_INET),
		rulesources_rule(spec->db, AF_INET6),
		{ "lan-only port: the LAN's SYN cookies and TIME_WAIT", enforce, &lan },
		{ "guarded port: scans and guessed cookies, before and after the first SYN",
		  enforce, &guarded },
		{ "port blocked: scans, guessed cookies", spec->cfg->monitor ? body_stray_segment :
		  NULL, &blocked },
	};
	int ret = put_chain(b, RULESET_CHAIN_STRAYS, -1,
			    "TCP segments without SYN: only the host's own connections and "
			    "the sources the policy admits reach a guarded port");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_STRAYS,
					    NFTMSG_RULES(rules));
}

static int put_input(struct batch *b, const struct ruleset_spec *spec)
{
	const struct nftmsg_rule rules[] = {
		{ LOOPBACK_COMMENT, body_loopback, NULL },
		{ "TCP segments without SYN: chain strays", body_strays_jump, NULL },
		{ "UDP to the ephemeral range (no connection tracking): replies or attempts",
		  ephemeral_in_input(spec) ? body_ephemeral_jump : NULL, spec },
	};
	int ret = ephemeral_in_input(spec) ? put_ephemeral(b) : 0;

	if (!ret)
		ret = put_strays(b, spec);
	if (!ret)
		ret = put_chain(b, RULESET_CHAIN_INPUT, NF_INET_LOCAL_IN,
				"segments without SYN and UDP that may be a reply, where the "
				"socket they belong to is known");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_INPUT,
					    NFTMSG_RULES(rules));
}

/* The decision for a first packet that may reach a guarded port, by the
 * port the client connected to, whatever port or host a DNAT sends it to
 * afterwards.  A chain of its own, jumped to from every hook that makes
 * the decision; what returns from it is not guarded. */
static int put_decide(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup unguarded = { RULESET_SET_GUARDED, NFT_RETURN, NULL, NULL,
						      NFT_LOOKUP_F_INV },
					to_lan = { RULESET_SET_LAN_ONLY, NFT_JUMP, RULELAN_CHAIN,
						   NULL, 0 },
					to_served = { RULESET_SET_SERVED, NF_ACCEPT, NULL, NULL, 0 };
	const struct port_lookup to_blocked = { RULESET_SET_BLOCKED, NFT_JUMP,
						rulepaths_refuse_chain(spec), NULL, 0 },
				 to_queue = { RULESET_SET_GUARDED, 0, NULL, spec, 0 };
	char queue_comment[160];
	const struct nftmsg_rule rules[] = {
		{ "port not guarded: nothing to decide", body_port_lookup, &unguarded },
		{ "the host's own multicast and broadcast, looped back", body_own_looped, NULL },
		{ "guarded port, source forged as one of this host's addresses: martian",
		  body_forged_own_source, NULL },
		rulesources_rule(spec->db, AF_INET),
		rulesources_rule(spec->db, AF_INET6),
		{ "lan-only port: from the LAN, accepted in chain lan", body_port_lookup, &to_lan },
		/* one route lookup, after the port matched: the rules below
		 * see only packets addressed to this host */
		{ "guarded port of an address this host routes (not one of its own)",
		  rulepaths_body_routed, NULL },
		{ "ports already decided: dropped in the kernel", body_port_lookup, &to_blocked },
		{ "served: the listener is a public server of the protocol", body_port_lookup,
		  &to_served },
		{ queue_comment, body_port_lookup, &to_queue },
	};
	int ret;

	snprintf(queue_comment, sizeof(queue_comment),
		 "first packet to a guarded port of this host: ask portwarden (fail %s%s%s)",
		 spec->cfg->fail_open ? "open" : "closed",
		 spec->cfg->monitor ? RULESET_MONITOR_NOTE : "",
		 spec->cfg->learning ? RULESET_LEARNING_NOTE : "");
	ret = put_chain(b, RULESET_CHAIN_DECIDE, -1,
			"first packets to guarded ports, decided by the port the client "
			"connected to, before any DNAT");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_DECIDE,
					    NFTMSG_RULES(rules));
}

/* In front of every DNAT and of connection tracking: what only needs the
 * packet is decided here, connection attempts go on to chain decide. */
static int put_prerouting(struct batch *b, const struct ruleset_spec *spec)
{
	const struct nftmsg_rule rules[] = {
		{ LOOPBACK_COMMENT, body_loopback, NULL },
		/* IPv6 needs no guard: the kernel drops ::1 from outside itself */
		{ "martian guard: 127.0.0.0/8 from outside (route_localnet, CVE-2020-8558)",
		  body_martian4, NULL },
		{ SYN_ONLY_COMMENT, body_tcp_not_syn, NULL },
		{ tracked(spec) ? "UDP: decided after connection tracking (chain after_conntrack)" :
		  "UDP to the ephemeral range: decided in the input hook (chain ephemeral)",
		  tracked(spec) || ephemeral_in_input(spec) ? body_udp_later : NULL, spec },
		{ "UDP-Lite, SCTP, DCCP: guarded like UDP and TCP", rulepaths_body_transports, NULL },
		/* in a flood, the last rules a repeated SYN meets */
		{ REPEAT_COMMENT, body_source_log, &seen_tcp4 },
		{ REPEAT_COMMENT, body_source_log, &seen_tcp6 },
		{ DECIDE_COMMENT, body_jump, RULESET_CHAIN_DECIDE },
	};
	const char *c = RULESET_CHAIN_PREROUTING;
	int ret;

	ret = put_chain(b, c, NF_INET_PRE_ROUTING,
			"connections to this host, decided by the port the client "
			"connected to, before any DNAT");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, c, NFTMSG_RULES(rules));
}

/* A line, then the attempt remembered (logged_v4/6), then the drop,
 * counted: attempts the kernel logged */
static int put_log_attempt(struct batch *b, const struct ruleset_spec *spec)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group,
				      RULESET_LOG_PREFIX_BLOCKED };
	static const struct source_log v4 = { 0, "logged_v4", NULL, 0 },
				       v6 = { 1, "logged_v6", NULL, 0 };
	const struct nftmsg_rule rules[] = {
		{ "log", body_log_only, &log },
		{ "remembered a second (IPv4): its repeats drop early", body_remember, &v4 },
		{ "remembered a second (IPv6): its repeats drop early", body_remember, &v6 },
		{ "logged attempts: " DROP_COMMENT, body_drop, NULL },
	};
	int ret = put_chain(b, CHAIN_LOG_ATTEMPT, -1, "a new attempt to a blocked port: logged");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, CHAIN_LOG_ATTEMPT, NFTMSG_RULES(rules));
}

static int put_blocked_chain(struct batch *b, const struct ruleset_spec *spec)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group,
				      RULESET_LOG_PREFIX_BLOCKED };
	const struct source_log new4 = { 0, NULL, &log, 0 }, new6 = { 1, NULL, &log, 0 };
	const struct nftmsg_rule rules[] = {
		/* UDP repeats, and TCP ones that prerouting saw under another
		 * address or port (DNAT) */
		{ REPEAT_COMMENT, body_source_log, &seen4 },
		{ REPEAT_COMMENT, body_source_log, &seen6 },
		{ "new attempt: log, at most log_rate a second per source address",
		  body_source_log, &new4 },
		{ "new attempt: log, at most log_rate a second per source /64",
		  body_source_log, &new6 },
		{ "a new source past the set's room or the second's budget: its port's reserve",
		  body_reserve_log, &new4 },
		{ "a new /64 past the set's room or the second's budget: its port's reserve",
		  body_reserve_log, &new6 },
		{ RULESET_UNLOGGED_COMMENT, body_drop, NULL },
	};
	int ret = put_log_attempt(b, spec);

	if (!ret)
		ret = put_chain(b, RULESET_CHAIN_BLOCKED, -1, "connection attempts to blocked ports");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_BLOCKED,
					    NFTMSG_RULES(rules));
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
		ret = put_chain(b, RULESET_CHAIN_FORWARD, NF_INET_FORWARD,
				"connections routed through this host (wan_interfaces)");
	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_FORWARD,
					    NFTMSG_RULES(rules));
}

/* "oifname != @lan_ifaces return" and "iifname @lan_ifaces return" */
static int body_lan_iface(struct nftnl_rule *r, const void *arg)
{
	int out = *(const int *)arg;

	if (expr_meta(r, out ? NFT_META_OIFNAME : NFT_META_IIFNAME, NFT_REG_1) < 0 ||
	    expr_lookup(r, NFT_REG_1, RULELAN_SET_IFACES, out ? NFT_LOOKUP_F_INV : 0) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

static int body_ct_return(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_ct_any_bit(r, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
					     NF_CT_STATE_BIT(IP_CT_RELATED)) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* "meta l4proto . th dport @guarded counter jump blocked" */
static int body_refuse_counted(struct nftnl_rule *r, const void *arg)
{
	if (expr_port_key(r) < 0 || expr_lookup(r, NFT_REG32_00, RULESET_SET_GUARDED, 0) < 0 ||
	    expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_JUMP, arg);
}

static int body_ephemeral_return(struct nftnl_rule *r, const void *arg)
{
	if (udp_ephemeral(r, arg) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

/* Host mode: a connection routed into a container or VM bridge from
 * outside is decided by the port it reaches, as if the bridge's hosts were
 * this host's own: the LAN reaches lan-only ports, nobody else a guarded
 * one.  A published port (DNAT) was decided in prerouting by the port the
 * client connected to; replies pass (conntrack where the host uses NAT,
 * else the ephemeral range of UDP is left alone). */
static int put_host_forward(struct batch *b, const struct ruleset_spec *spec)
{
	static const int out = 1, in = 0;
	static const struct port_lookup to_lan = { RULESET_SET_LAN_ONLY, NFT_JUMP, RULELAN_CHAIN,
						   NULL, 0 };
	const struct nftmsg_rule rules[] = {
		{ "only what is routed into a container or VM bridge (lan_ifaces)", body_lan_iface,
		  &out },
		{ "from a bridge or LAN interface: the inside's own connections", body_lan_iface, &in },
		{ SYN_ONLY_COMMENT, body_tcp_not_syn, NULL },
		{ "replies and established flows pass", tracked(spec) ? body_ct_return : NULL, NULL },
		{ "DNAT: decided in prerouting by the published port",
		  tracked(spec) ? body_dnat_return : NULL, NULL },
		{ "UDP to the ephemeral range: replies cannot be told without conntrack",
		  tracked(spec) ? NULL : body_ephemeral_return, spec },
		{ "lan-only port: from the LAN, accepted in chain lan", body_port_lookup, &to_lan },
		{ "guarded port of a host behind a bridge: refused", body_refuse_counted,
		  rulepaths_refuse_chain(spec) },
	};
	int ret = put_chain(b, RULESET_CHAIN_FORWARD, NF_INET_FORWARD,
			    "connections routed into container and VM bridges");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULESET_CHAIN_FORWARD,
					    NFTMSG_RULES(rules));
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
		ret = rulepaths_build(b, spec);
	if (!ret)
		ret = put_decide(b, spec);
	if (!ret)
		ret = put_prerouting(b, spec);
	if (!ret && tracked(spec))
		ret = put_after_conntrack(b);
	if (!ret && !spec->no_socket_match)
		ret = put_input(b, spec);
	if (!ret)
		ret = spec->cfg->nwan_ifaces ? put_forward(b, spec) : put_host_forward(b, spec);
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
	return put_probe(b, "socket match probe", body_own_socket, NULL);
}

int ruleset_build_probe(struct batch *b, enum ruleset_queue_backend backend)
{
	return put_probe(b, "queue backend probe", body_probe, &backend);
}

const char *ruleset_backend_name(enum ruleset_queue_backend backend)
{
	return backend == RULESET_QUEUE_NATIVE ? "native nft queue" : "xtables NFQUEUE via nft_compat";
}
