// SPDX-License-Identifier: GPL-2.0-or-later
/* libnftnl builders for table inet portwarden.  Shape of the table:
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
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset.h"

#define PROBE_TABLE	"portwarden-probe"
#define PRIORITY_FILTER	(-10)	/* just before the usual filter chains */
#define PRIORITY_PREROUTING	(-300)	/* raw: before routing, conntrack and DNAT */

/* nftables datatype numbers, for sets `nft list` can print */
#define TYPE_IPADDR	7
#define TYPE_IP6ADDR	8
#define TYPE_INET_PROTOCOL	12
#define TYPE_INET_SERVICE	13
#define TYPE_IFINDEX	20
#define TYPE_IFNAME	41
#define TYPE_BITS	6
#define TYPE_PORT_KEY	((TYPE_INET_PROTOCOL << TYPE_BITS) | TYPE_INET_SERVICE)

#define TYPE_PORT_IF_KEY	((TYPE_PORT_KEY << TYPE_BITS) | TYPE_IFINDEX)
#define TYPE_SOURCE_V4_KEY \
	((((TYPE_PORT_IF_KEY << TYPE_BITS) | TYPE_IPADDR) << TYPE_BITS) | TYPE_IPADDR)
#define TYPE_SOURCE_V6_KEY \
	((((TYPE_PORT_IF_KEY << TYPE_BITS) | TYPE_IP6ADDR) << TYPE_BITS) | TYPE_IP6ADDR)
/* protocol, port, interface: a 32-bit register each; then both addresses */
#define SOURCE_V4_KEYLEN	(4 + 4 + 4 + 4 + 4)
#define SOURCE_V6_KEYLEN	(4 + 4 + 4 + 16 + 16)

#define SYN_ONLY_COMMENT	"only TCP connection attempts (SYN without ACK) are checked"

#define ELEMS_PER_MSG	200	/* keeps each message far below BATCH_MSG_MAX */
#define LOGGED_MAX	65536	/* sources remembered as logged in the last second */
#define LOGGED_TIMEOUT_MS	1000

/* ---- small helpers around libnftnl ---------------------------------- */

static struct nftnl_udata_buf *comment_udata(int type, const char *comment)
{
	struct nftnl_udata_buf *udata = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 16);
	char text[NFTNL_UDATA_COMMENT_MAXLEN];

	if (!udata)
		return NULL;
	snprintf(text, sizeof(text), "%s", comment);
	if (!nftnl_udata_put_strz(udata, (uint8_t)type, text)) {
		nftnl_udata_buf_free(udata);
		return NULL;
	}
	return udata;
}

static int put_msg(struct batch *b, uint16_t type, uint16_t flags, const char *what,
		   void (*payload)(struct nlmsghdr *, const void *), const void *obj)
{
	char *buf = batch_reserve(b);
	struct nlmsghdr *nlh;

	if (!buf)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags | NLM_F_ACK,
				    batch_next_seq(b));
	payload(nlh, obj);
	batch_commit(b, "%s", what);
	return 0;
}

static void table_payload(struct nlmsghdr *nlh, const void *t)
{
	nftnl_table_nlmsg_build_payload(nlh, t);
}

static void chain_payload(struct nlmsghdr *nlh, const void *c)
{
	nftnl_chain_nlmsg_build_payload(nlh, c);
}

static void set_payload(struct nlmsghdr *nlh, const void *s)
{
	nftnl_set_nlmsg_build_payload(nlh, (struct nftnl_set *)s);
}

static void elems_payload(struct nlmsghdr *nlh, const void *s)
{
	nftnl_set_elems_nlmsg_build_payload(nlh, (struct nftnl_set *)s);
}

static void rule_payload(struct nlmsghdr *nlh, const void *r)
{
	nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)r);
}

static int put_table_flags(struct batch *b, const char *name, uint16_t type, uint16_t flags,
			   uint32_t table_flags, const char *comment)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_udata_buf *udata = NULL;
	char what[BATCH_WHAT_MAX];
	int ret = -ENOMEM;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	if (table_flags)
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, table_flags);
	if (comment) {
		udata = comment_udata(NFTNL_UDATA_TABLE_COMMENT, comment);
		if (!udata)
			goto out;
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(udata),
				     nftnl_udata_buf_len(udata));
	}
	snprintf(what, sizeof(what), "%s table inet %s",
		 type == NFT_MSG_DELTABLE ? "delete" : "add", name);
	ret = put_msg(b, type, flags, what, table_payload, t);
out:
	if (udata)
		nftnl_udata_buf_free(udata);
	nftnl_table_free(t);
	return ret;
}

static int put_table(struct batch *b, const char *name, uint16_t type, uint16_t flags,
		     const char *comment)
{
	return put_table_flags(b, name, type, flags, 0, comment);
}

static int put_chain(struct batch *b, const char *table, const char *name, int hook,
		     const char *comment)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_udata_buf *udata;
	char what[BATCH_WHAT_MAX];
	int ret;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, hook == NF_INET_PRE_ROUTING ?
				    PRIORITY_PREROUTING : PRIORITY_FILTER);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	udata = comment_udata(NFTNL_UDATA_CHAIN_COMMENT, comment);
	if (!udata) {
		nftnl_chain_free(c);
		return -ENOMEM;
	}
	nftnl_chain_set_data(c, NFTNL_CHAIN_USERDATA, nftnl_udata_buf_data(udata),
			     nftnl_udata_buf_len(udata));
	snprintf(what, sizeof(what), "chain %s", name);
	ret = put_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, what, chain_payload, c);
	nftnl_udata_buf_free(udata);
	nftnl_chain_free(c);
	return ret;
}

/* ---- expressions ------------------------------------------------------ */

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
	return add_expr(r, e);
}

static int cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add_expr(r, e);
}

static int payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
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

static int bitwise_and(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	static const uint8_t zero[16];

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
	return add_expr(r, e);
}

static int lookup_flags(struct nftnl_rule *r, uint32_t sreg, const char *set, uint32_t flags)
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

static int lookup(struct nftnl_rule *r, uint32_t sreg, const char *set)
{
	return lookup_flags(r, sreg, set, 0);
}

static int counter(struct nftnl_rule *r)
{
	return add_expr(r, nftnl_expr_alloc("counter"));
}

static int verdict(struct nftnl_rule *r, int code, const char *chain)
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

/* rate packets a second, a burst of as many */
static struct nftnl_expr *limit_expr(unsigned rate)
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

static int limit(struct nftnl_rule *r, unsigned rate)
{
	return add_expr(r, limit_expr(rate));
}

static int log_group(struct nftnl_rule *r, uint16_t group, const char *prefix)
{
	struct nftnl_expr *e = nftnl_expr_alloc("log");

	if (e) {
		nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, group);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, 128);
	}
	return add_expr(r, e);
}

static int limit_log(struct nftnl_rule *r, unsigned rate, uint16_t group, const char *prefix)
{
	if (limit(r, rate) < 0)
		return -ENOMEM;
	return log_group(r, group, prefix);
}

/* queue to cfg->queue_num, with bypass when failing open */
static int queue(struct nftnl_rule *r, enum ruleset_queue_backend backend, uint16_t num,
		 int fail_open)
{
	struct nftnl_expr *e;

	if (backend == RULESET_QUEUE_NATIVE) {
		e = nftnl_expr_alloc("queue");
		if (e) {
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, num);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS,
					   fail_open ? NFT_QUEUE_FLAG_BYPASS : 0);
		}
	} else {
		struct xt_NFQ_info_v3 *info = calloc(1, sizeof(*info));

		e = info ? nftnl_expr_alloc("target") : NULL;
		if (!e) {
			free(info);
			return -ENOMEM;
		}
		info->queuenum = num;
		info->queues_total = 1;
		info->flags = fail_open ? NFQ_FLAG_BYPASS : 0;
		nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
		/* libnftnl keeps this pointer and frees it with the expression */
		nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	}
	return add_expr(r, e);
}

/* "meta l4proto . th dport" into two 32-bit registers */
static int port_key(struct nftnl_rule *r)
{
	if (meta(r, NFT_META_L4PROTO, NFT_REG32_00) < 0)
		return -ENOMEM;
	return payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
}

static int match_l4proto(struct nftnl_rule *r, uint8_t proto)
{
	if (meta(r, NFT_META_L4PROTO, NFT_REG_1) < 0)
		return -ENOMEM;
	return cmp(r, NFT_CMP_EQ, &proto, 1);
}

static int match_nfproto(struct nftnl_rule *r, uint8_t nfproto)
{
	if (meta(r, NFT_META_NFPROTO, NFT_REG_1) < 0)
		return -ENOMEM;
	return cmp(r, NFT_CMP_EQ, &nfproto, 1);
}

static int fib_saddr(struct nftnl_rule *r, uint32_t flags, uint32_t result)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_SADDR | flags);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, result);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	return add_expr(r, e);
}

/* ---- rules -------------------------------------------------------------- */

typedef int (*rule_body_fn)(struct nftnl_rule *r, const void *arg);

static int put_rule(struct batch *b, const char *table, const char *chain, const char *comment,
		    rule_body_fn body, const void *arg)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *udata = NULL;
	char what[BATCH_WHAT_MAX];
	int ret = -ENOMEM;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	udata = comment_udata(NFTNL_UDATA_RULE_COMMENT, comment);
	if (!udata || body(r, arg) < 0)
		goto out;
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udata),
			    nftnl_udata_buf_len(udata));
	snprintf(what, sizeof(what), "rule in chain %s (%.40s)", chain, comment);
	ret = put_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, what, rule_payload, r);
out:
	if (udata)
		nftnl_udata_buf_free(udata);
	nftnl_rule_free(r);
	return ret;
}

static int body_loopback(struct nftnl_rule *r, const void *arg)
{
	uint32_t lo = 1;	/* the loopback device is ifindex 1 in every netns */

	(void)arg;
	if (meta(r, NFT_META_IIF, NFT_REG_1) < 0 || cmp(r, NFT_CMP_EQ, &lo, 4) < 0)
		return -ENOMEM;
	return verdict(r, NF_ACCEPT, NULL);
}

static int body_martian4(struct nftnl_rule *r, const void *arg)
{
	uint8_t net = 127;

	(void)arg;
	if (match_nfproto(r, NFPROTO_IPV4) < 0 ||
	    payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 1, NFT_REG_1) < 0 ||
	    cmp(r, NFT_CMP_EQ, &net, 1) < 0)
		return -ENOMEM;
	return verdict(r, NFT_JUMP, "martian");
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

	if (match_l4proto(r, IPPROTO_TCP) < 0 ||
	    payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1) < 0 ||
	    bitwise_and(r, &mask, 1) < 0 || cmp(r, NFT_CMP_NEQ, &syn, 1) < 0)
		return -ENOMEM;
	return 0;
}

static int body_tcp_not_syn(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (tcp_not_first(r) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
}

static int body_own_connection(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (tcp_not_first(r) < 0 || meta(r, NFT_META_CGROUP, NFT_REG_1) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
}

static int body_stray_segment(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (tcp_not_first(r) < 0 || port_key(r) < 0 ||
	    lookup(r, NFT_REG32_00, RULESET_SET_BLOCKED) < 0 || counter(r) < 0)
		return -ENOMEM;
	return verdict(r, NF_DROP, NULL);
}

/* "ct KEY & mask != 0": a 32-bit conntrack field has one of the bits */
static int ct_any_bit(struct nftnl_rule *r, uint32_t key, uint32_t mask)
{
	struct nftnl_expr *ct = nftnl_expr_alloc("ct");
	uint32_t zero = 0;

	if (ct) {
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	if (add_expr(r, ct) < 0 || bitwise_and(r, &mask, 4) < 0)
		return -ENOMEM;
	return cmp(r, NFT_CMP_NEQ, &zero, 4);
}

static int body_udp_established(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (match_l4proto(r, IPPROTO_UDP) < 0 ||
	    ct_any_bit(r, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
				       NF_CT_STATE_BIT(IP_CT_RELATED)) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
}

/* "ct status dnat return": routers track connections anyway */
static int body_dnat_return(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (ct_any_bit(r, NFT_CT_STATUS, IPS_DST_NAT) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
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
	struct nftnl_expr *e = nftnl_expr_alloc("fib");
	uint32_t unicast = RTN_UNICAST;

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	if (add_expr(r, e) < 0)
		return -ENOMEM;
	return cmp(r, NFT_CMP_NEQ, &unicast, sizeof(unicast));
}

static int body_port_lookup(struct nftnl_rule *r, const void *arg)
{
	const struct port_lookup *p = arg;

	if (port_key(r) < 0 || lookup(r, NFT_REG32_00, p->set) < 0)
		return -ENOMEM;
	if (p->local && to_this_host(r) < 0)
		return -ENOMEM;
	if (p->spec) {
		if (counter(r) < 0)
			return -ENOMEM;
		return queue(r, p->spec->backend, p->spec->cfg->queue_num, p->spec->cfg->fail_open);
	}
	return verdict(r, p->code, p->chain);
}

struct log_drop {
	unsigned rate;
	uint16_t group;
	const char *prefix;
};

static int body_log(struct nftnl_rule *r, const void *arg)
{
	const struct log_drop *l = arg;

	return limit_log(r, l->rate, l->group, l->prefix);
}

static int body_not_from_wan(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (meta(r, NFT_META_IIFNAME, NFT_REG_1) < 0 ||
	    lookup_flags(r, NFT_REG_1, "wan_ifaces", NFT_LOOKUP_F_INV) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
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

	if (match_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 || port_key(r) < 0 ||
	    meta(r, NFT_META_IIF, NFT_REG32_02) < 0 ||
	    payload(r, NFT_PAYLOAD_NETWORK_HEADER, saddr, alen, NFT_REG32_03) < 0)
		return -ENOMEM;
	return payload(r, NFT_PAYLOAD_NETWORK_HEADER, daddr, alen,
		       v6 ? NFT_REG32_07 : NFT_REG32_04);
}

static int dynset_add(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("dynset");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG32_00);
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
		nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	}
	return add_expr(r, e);
}

/* The log limit of one source (an IPv4 address, an IPv6 /64): its element
 * of log_sources_v4/6 carries its own limiter, so a flood from one source
 * (or from many addresses of one /64) spends only its own budget. */
static int source_limit(struct nftnl_rule *r, int v6, unsigned rate)
{
	static const uint8_t prefix64[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct nftnl_expr *e = nftnl_expr_alloc("dynset"), *lim = limit_expr(rate);

	if (!e || !lim) {
		if (e)
			nftnl_expr_free(e);
		if (lim)
			nftnl_expr_free(lim);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, v6 ? "log_sources_v6" : "log_sources_v4");
	nftnl_expr_add_expr(e, NFTNL_EXPR_DYNSET_EXPRESSIONS, lim);
	if (match_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 ||
	    payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1) < 0 ||
	    (v6 && bitwise_and(r, prefix64, 16) < 0)) {
		nftnl_expr_free(e);
		return -ENOMEM;
	}
	return add_expr(r, e);
}

static int body_source_log(struct nftnl_rule *r, const void *arg)
{
	const struct source_log *sl = arg;

	if (sl->tcp_only && match_l4proto(r, IPPROTO_TCP) < 0)
		return -ENOMEM;
	/* the limiter first: its key register is the one source_key reuses */
	if (sl->log && source_limit(r, sl->v6, sl->log->rate) < 0)
		return -ENOMEM;
	if (source_key(r, sl->v6) < 0)
		return -ENOMEM;
	if (!sl->log) {
		if (lookup(r, NFT_REG32_00, sl->set) < 0 || counter(r) < 0)
			return -ENOMEM;
		return verdict(r, NF_DROP, NULL);
	}
	/* remembered only once the source's limiter let it through */
	if (dynset_add(r, sl->set) < 0)
		return -ENOMEM;
	return log_group(r, sl->log->group, sl->log->prefix);
}

static int body_drop(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (counter(r) < 0)
		return -ENOMEM;
	return verdict(r, NF_DROP, NULL);
}

/* ---- sets ----------------------------------------------------------------- */

static struct nftnl_set *set_new(const char *name, uint32_t type, uint32_t keylen, uint32_t flags)
{
	static uint32_t set_id;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	/* the kernel wants a transaction-unique id for every new set */
	nftnl_set_set_u32(s, NFTNL_SET_ID, ++set_id);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, RULESET_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, keylen);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	return s;
}

/* nft prints string keys (interface names) only when told they are in host
 * byte order; its own value for that is 1. */
#define NFT_BYTEORDER_HOST 1

static int put_set(struct batch *b, struct nftnl_set *s, const char *comment)
{
	struct nftnl_udata_buf *udata = comment_udata(NFTNL_UDATA_SET_COMMENT, comment);
	char what[BATCH_WHAT_MAX];
	int ret;

	if (!udata)
		return -ENOMEM;
	if (nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE) == TYPE_IFNAME &&
	    !nftnl_udata_put_u32(udata, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_BYTEORDER_HOST)) {
		nftnl_udata_buf_free(udata);
		return -ENOMEM;
	}
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(udata),
			   nftnl_udata_buf_len(udata));
	snprintf(what, sizeof(what), "set %s", nftnl_set_get_str(s, NFTNL_SET_NAME));
	ret = put_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE, what, set_payload, s);
	nftnl_udata_buf_free(udata);
	return ret;
}

/* Element list of one set, sent in messages of ELEMS_PER_MSG elements. */
struct elems {
	struct batch *b;
	const char *set;
	struct nftnl_set *cur;
	unsigned n;
	int del;		/* NFT_MSG_DELSETELEM instead of NEWSETELEM */
};

static int elems_flush(struct elems *el)
{
	int ret = 0;

	if (el->cur && el->n) {
		char what[BATCH_WHAT_MAX];

		snprintf(what, sizeof(what), "%s of set %s", el->del ? "removing elements" : "elements",
			 el->set);
		ret = put_msg(el->b, el->del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
			      el->del ? 0 : NLM_F_CREATE, what, elems_payload, el->cur);
	}
	if (el->cur)
		nftnl_set_free(el->cur);
	el->cur = NULL;
	el->n = 0;
	return ret;
}

static struct nftnl_set_elem *elem_new(const void *key, uint32_t keylen, uint32_t flags,
				       const char *comment)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nftnl_udata_buf *udata;

	if (!e)
		return NULL;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, keylen);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	if (!comment)
		return e;
	udata = comment_udata(NFTNL_UDATA_SET_ELEM_COMMENT, comment);
	if (!udata) {
		nftnl_set_elem_free(e);
		return NULL;
	}
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(udata),
			   nftnl_udata_buf_len(udata));
	nftnl_udata_buf_free(udata);
	return e;
}

/* Takes e over, also on error. */
static int elems_push(struct elems *el, struct nftnl_set_elem *e)
{
	if (!e)
		return -ENOMEM;
	if (el->n == ELEMS_PER_MSG && elems_flush(el) < 0)
		goto out_elem;
	if (!el->cur) {
		el->cur = nftnl_set_alloc();
		if (!el->cur)
			goto out_elem;
		nftnl_set_set_u32(el->cur, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(el->cur, NFTNL_SET_TABLE, RULESET_TABLE);
		nftnl_set_set_str(el->cur, NFTNL_SET_NAME, el->set);
	}
	nftnl_set_elem_add(el->cur, e);
	el->n++;
	return 0;
out_elem:
	nftnl_set_elem_free(e);
	return -ENOMEM;
}

static int elems_add(struct elems *el, const void *key, uint32_t keylen, uint32_t flags,
		     const char *comment)
{
	return elems_push(el, elem_new(key, keylen, flags, comment));
}

void ruleset_port_key(uint8_t key[8], uint8_t proto, uint16_t port)
{
	memset(key, 0, 8);
	key[0] = proto;
	key[4] = (uint8_t)(port >> 8);
	key[5] = (uint8_t)port;
}

void ruleset_entry_comment(char *out, size_t cap, const struct policy_entry *e)
{
	const char *base = strrchr(e->file, '/');

	snprintf(out, cap, "%s %s (%s:%u)", e->service, policy_kind_name(e->kind),
		 base ? base + 1 : e->file, e->line);
}

/* Every port of the given kinds, one element each, commented with its entry. */
static int put_port_elems(struct batch *b, const char *set, const struct policy_db *db,
			  unsigned kinds)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	struct elems el = { .b = b, .set = set };
	unsigned p;
	int i;

	for (i = 0; i < 2; i++) {
		for (p = 1; p <= 65535; p++) {
			const struct policy_entry *e = policy_lookup(db, protos[i], (uint16_t)p);
			char comment[NFTNL_UDATA_COMMENT_MAXLEN];
			uint8_t key[8];

			if (!e || !(kinds & (1u << e->kind)))
				continue;
			ruleset_port_key(key, protos[i], (uint16_t)p);
			ruleset_entry_comment(comment, sizeof(comment), e);
			if (elems_add(&el, key, sizeof(key), 0, comment) < 0) {
				elems_flush(&el);
				return -ENOMEM;
			}
		}
	}
	return elems_flush(&el);
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

struct range {
	uint8_t lo[16], hi[16];
};

static int range_cmp(const void *a, const void *b)
{
	return memcmp(((const struct range *)a)->lo, ((const struct range *)b)->lo, 16);
}

/* hi + 1 into out; returns 0 when hi is the last address */
static int next_addr(uint8_t *out, const uint8_t *hi, unsigned len)
{
	int i;

	memcpy(out, hi, len);
	for (i = (int)len - 1; i >= 0; i--)
		if (++out[i] != 0)
			return 1;
	return 0;
}

static void net_range(const struct config_net *net, struct range *r)
{
	unsigned len = net->family == AF_INET ? 4 : 16, j;

	memset(r, 0, sizeof(*r));
	memcpy(r->lo, net->addr, len);
	memcpy(r->hi, net->addr, len);
	for (j = net->prefix; j < len * 8; j++)
		r->hi[j / 8] |= (uint8_t)(0x80u >> (j % 8));
}

/* Sorted, merged [lo, hi] ranges of the configured networks of one family:
 * the interval set refuses overlaps. */
static unsigned lan_ranges(const struct lan *lan, int family, struct range *out)
{
	unsigned len = family == AF_INET ? 4 : 16, i, j, n = 0;

	for (i = 0; i < lan->nparts; i++)
		if (lan->parts[i].kind == LAN_PART_NETWORK && lan->parts[i].net.family == family)
			net_range(&lan->parts[i].net, &out[n++]);
	if (n == 0)
		return 0;
	qsort(out, n, sizeof(*out), range_cmp);
	for (i = 1, j = 0; i < n; i++) {
		uint8_t after[16];

		/* overlapping or adjacent: extend the previous range */
		if (!next_addr(after, out[j].hi, len) || memcmp(out[i].lo, after, len) <= 0) {
			if (memcmp(out[i].hi, out[j].hi, len) > 0)
				memcpy(out[j].hi, out[i].hi, len);
		} else {
			out[++j] = out[i];
		}
	}
	return j + 1;
}

static void range_comment(const struct range *r, int family, char *out, size_t cap)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	inet_ntop(family, r->lo, lo, sizeof(lo));
	inet_ntop(family, r->hi, hi, sizeof(hi));
	snprintf(out, cap, "%s-%s: lan_networks, on the interface that routes back to it", lo, hi);
}

static int put_nets_elems(struct batch *b, const struct lan *lan, int family, const char *set)
{
	struct range ranges[LAN_PARTS_MAX];
	unsigned len = family == AF_INET ? 4 : 16;
	unsigned n = lan_ranges(lan, family, ranges), i;
	struct elems el = { .b = b, .set = set };
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN];
		uint8_t end[16];

		range_comment(&ranges[i], family, comment, sizeof(comment));
		ret = elems_add(&el, ranges[i].lo, len, 0, comment);
		if (ret == 0 && next_addr(end, ranges[i].hi, len))
			ret = elems_add(&el, end, len, NFT_SET_ELEM_INTERVAL_END, NULL);
	}
	if (ret < 0) {
		elems_flush(&el);
		return ret;
	}
	return elems_flush(&el);
}

static int put_ifname_set(struct batch *b, const char *set, char (*names)[IFNAMSIZ],
			  unsigned n, const char *comment)
{
	struct elems el = { .b = b, .set = set };
	struct nftnl_set *s;
	unsigned i;
	int ret;

	if (!n)
		return 0;
	s = set_new(set, TYPE_IFNAME, IFNAMSIZ, 0);
	if (!s)
		return -ENOMEM;
	ret = put_set(b, s, comment);
	nftnl_set_free(s);
	for (i = 0; ret == 0 && i < n; i++) {
		char name[IFNAMSIZ] = "";

		memcpy(name, names[i], strnlen(names[i], IFNAMSIZ - 1));
		ret = elems_add(&el, name, IFNAMSIZ, 0, NULL);
	}
	if (ret < 0) {
		elems_flush(&el);
		return ret;
	}
	return elems_flush(&el);
}

/* "iifname . ip saddr" (or ip6): an interval set of concatenations, so a
 * subnet matches only on its own interface. */
static int put_subnet_set(struct batch *b, const char *name, int family, const char *comment)
{
	uint8_t fields[NFT_REG32_COUNT] = { IFNAMSIZ, family == AF_INET ? 4 : 16 };
	uint32_t type = TYPE_IFNAME << TYPE_BITS | (family == AF_INET ? TYPE_IPADDR : TYPE_IP6ADDR);
	struct nftnl_set *s = set_new(name, type, IFNAMSIZ + fields[1],
				      NFT_SET_INTERVAL | NFT_SET_CONCAT);
	int ret;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	ret = put_set(b, s, comment);
	nftnl_set_free(s);
	return ret;
}

static const char *part_set(const struct lan_part *p)
{
	if (p->kind == LAN_PART_IFACE)
		return LAN_IFACES;
	if (p->kind == LAN_PART_SUBNET)
		return p->net.family == AF_INET ? LAN_SUBNETS_V4 : LAN_SUBNETS_V6;
	return NULL;	/* networks: merged ranges, see put_nets_elems() */
}

/* The element of a subnet or an interface, its comment "PART: WHY". */
static struct nftnl_set_elem *part_elem(const struct lan_part *p)
{
	/* longer than an element comment: comment_udata() cuts it */
	char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN], name[IFNAMSIZ + INET6_ADDRSTRLEN + 8];
	uint8_t key[IFNAMSIZ + 16] = { 0 }, end[IFNAMSIZ + 16] = { 0 };
	unsigned alen = p->net.family == AF_INET ? 4 : 16;
	struct nftnl_set_elem *e;
	struct range r;

	lan_part_name(p, name, sizeof(name));
	snprintf(comment, sizeof(comment), "%s: %s", name, p->why);
	memcpy(key, p->ifname, strnlen(p->ifname, IFNAMSIZ - 1));
	if (p->kind == LAN_PART_IFACE)
		return elem_new(key, IFNAMSIZ, 0, comment);
	net_range(&p->net, &r);
	memcpy(end, key, IFNAMSIZ);
	memcpy(key + IFNAMSIZ, r.lo, alen);
	memcpy(end + IFNAMSIZ, r.hi, alen);
	e = elem_new(key, IFNAMSIZ + alen, 0, comment);
	if (e)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, end, IFNAMSIZ + alen);
	return e;
}

struct lan_elems {
	struct elems set[3];	/* subnets v4, subnets v6, interfaces */
};

static void lan_elems_init(struct lan_elems *le, struct batch *b, int del)
{
	static const char *const names[3] = { LAN_SUBNETS_V4, LAN_SUBNETS_V6, LAN_IFACES };
	unsigned i;

	for (i = 0; i < 3; i++)
		le->set[i] = (struct elems){ .b = b, .set = names[i], .del = del };
}

static int lan_elems_push(struct lan_elems *le, const struct lan_part *p)
{
	const char *set = part_set(p);
	unsigned i;

	for (i = 0; set && i < 3; i++)
		if (!strcmp(le->set[i].set, set))
			return elems_push(&le->set[i], part_elem(p));
	return 0;
}

static int lan_elems_flush(struct lan_elems *le, int ret)
{
	unsigned i;

	for (i = 0; i < 3; i++) {
		int r = elems_flush(&le->set[i]);

		ret = ret < 0 ? ret : r;
	}
	return ret;
}

static int put_lan_sets(struct batch *b, const struct lan *lan)
{
	struct lan_elems le;
	struct nftnl_set *s;
	unsigned i;
	int ret;

	ret = put_subnet_set(b, LAN_SUBNETS_V4, AF_INET,
			     "LAN subnets (IPv4), each counted on its own interface only");
	if (!ret)
		ret = put_subnet_set(b, LAN_SUBNETS_V6, AF_INET6,
				     "LAN subnets (IPv6), each counted on its own interface only");
	s = ret ? NULL : set_new(LAN_IFACES, TYPE_IFNAME, IFNAMSIZ, 0);
	if (!ret && !s)
		ret = -ENOMEM;
	if (s) {
		ret = put_set(b, s, "LAN interfaces: container/VM bridges, lan_interfaces");
		nftnl_set_free(s);
	}
	for (i = 0; !ret && i < 2; i++) {
		s = set_new(i ? LAN_NETS_V6 : LAN_NETS_V4, i ? TYPE_IP6ADDR : TYPE_IPADDR,
			    i ? 16 : 4, NFT_SET_INTERVAL);
		if (!s)
			return -ENOMEM;
		ret = put_set(b, s, "lan_networks: on the interface that routes back to them");
		nftnl_set_free(s);
		if (!ret)
			ret = put_nets_elems(b, lan, i ? AF_INET6 : AF_INET,
					     i ? LAN_NETS_V6 : LAN_NETS_V4);
	}
	if (ret)
		return ret;
	lan_elems_init(&le, b, 0);
	for (i = 0; !ret && i < lan->nparts; i++)
		ret = lan_elems_push(&le, &lan->parts[i]);
	return lan_elems_flush(&le, ret);
}

static int body_lan_wan(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (meta(r, NFT_META_IIFNAME, NFT_REG_1) < 0 || lookup(r, NFT_REG_1, "wan_ifaces") < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
}

/* fib saddr . iif oif missing: the route back to the source does not leave
 * through the interface the packet came in on.  Done in the table so it
 * holds whatever rp_filter says, and for IPv6, which has no rp_filter. */
static int body_lan_rpath(struct nftnl_rule *r, const void *arg)
{
	uint32_t none = 0;

	(void)arg;
	if (fib_saddr(r, NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 ||
	    cmp(r, NFT_CMP_EQ, &none, sizeof(none)) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
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
		ret = match_nfproto(r, l->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
	if (!ret && (l->with_iif || !l->family))
		ret = meta(r, NFT_META_IIFNAME, NFT_REG_1);
	if (!ret && l->family == AF_INET)
		ret = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, sreg);
	else if (!ret && l->family == AF_INET6)
		ret = payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, sreg);
	if (ret < 0 || lookup(r, NFT_REG_1, l->set) < 0)
		return -ENOMEM;
	return verdict(r, NF_ACCEPT, NULL);
}

/* whole addresses with a prefix mask, as nft writes them, so that
 * `nft list` prints "ip6 saddr fe80::/10" */
static int body_link_local(struct nftnl_rule *r, const void *arg)
{
	static const uint8_t mask4[4] = { 0xff, 0xff }, net4[4] = { 169, 254 };
	static const uint8_t mask6[16] = { 0xff, 0xc0 }, net6[16] = { 0xfe, 0x80 };
	int v6 = *(const int *)arg;
	uint32_t len = v6 ? 16 : 4;

	if (match_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 ||
	    payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, len, NFT_REG_1) < 0 ||
	    bitwise_and(r, v6 ? mask6 : mask4, len) < 0 || cmp(r, NFT_CMP_EQ, v6 ? net6 : net4, len) < 0)
		return -ENOMEM;
	return verdict(r, NF_ACCEPT, NULL);
}

static int body_pkttype(struct nftnl_rule *r, const void *arg)
{
	uint8_t type = *(const uint8_t *)arg;

	if (meta(r, NFT_META_PKTTYPE, NFT_REG_1) < 0 || cmp(r, NFT_CMP_EQ, &type, 1) < 0)
		return -ENOMEM;
	return verdict(r, NF_ACCEPT, NULL);
}

/* Link scope: what cannot have crossed a router.  Rule comments read
 * "PART: WHY" like the elements', for `status`. */
static int put_link_scope_rules(struct batch *b)
{
	static const int v4 = 0, v6 = 1;
	static const uint8_t bcast = PACKET_BROADCAST, mcast = PACKET_MULTICAST;
	const char *c = LAN_CHAIN;
	int ret;

	ret = put_rule(b, RULESET_TABLE, c, "169.254.0.0/16: link-local source", body_link_local,
		       &v4);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "fe80::/10: link-local source", body_link_local,
			       &v6);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "link-layer broadcast: never routed (DHCPv4 from 0.0.0.0, ...)",
			       body_pkttype, &bcast);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "link-layer multicast: never routed (mDNS, DHCPv6 to ff02::1:2, ...)",
			       body_pkttype, &mcast);
	return ret;
}

static int put_lan_chain(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct lan_source sub4 = { AF_INET, 1, LAN_SUBNETS_V4 },
				       sub6 = { AF_INET6, 1, LAN_SUBNETS_V6 },
				       net4 = { AF_INET, 0, LAN_NETS_V4 },
				       net6 = { AF_INET6, 0, LAN_NETS_V6 },
				       ifs = { 0, 0, LAN_IFACES };
	const char *c = LAN_CHAIN;
	int ret;

	ret = put_chain(b, RULESET_TABLE, c, -1,
			"first packets to lan-only ports: accepted from the LAN, returned otherwise");
	if (!ret && spec->cfg->nwan_ifaces)
		ret = put_rule(b, RULESET_TABLE, c, "nothing arriving on a WAN interface is LAN",
			       body_lan_wan, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "reverse path: the source must be reachable through the interface it came in on",
			       body_lan_rpath, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "LAN subnet (IPv4) on its own interface",
			       body_lan_source, &sub4);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "LAN subnet (IPv6) on its own interface",
			       body_lan_source, &sub6);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "lan_networks (IPv4)", body_lan_source, &net4);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "lan_networks (IPv6)", body_lan_source, &net6);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "LAN interface", body_lan_source, &ifs);
	if (!ret && spec->lan->link_scope)
		ret = put_link_scope_rules(b);
	return ret;
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
	ret = lan_elems_flush(&del, ret);
	ret = lan_elems_flush(&add, ret);
	return ret < 0 ? ret : changes;
}

/* ---- the whole table -------------------------------------------------------- */

static int put_port_sets(struct batch *b, const struct ruleset_spec *spec)
{
	struct nftnl_set *s;
	struct nftnl_expr *ctr;
	struct elems el = { .b = b, .set = RULESET_SET_BLOCKED };
	unsigned i;
	int ret;

	s = set_new("guarded", TYPE_PORT_KEY, 8, 0);
	if (!s)
		return -ENOMEM;
	ret = put_set(b, s, "loopback-only and lan-only ports: first packets go to the queue");
	nftnl_set_free(s);
	if (ret == 0)
		ret = put_port_elems(b, "guarded", spec->db,
				     1u << POLICY_LOOPBACK_ONLY | 1u << POLICY_LAN_ONLY);
	if (ret < 0)
		return ret;

	s = set_new("lan_only", TYPE_PORT_KEY, 8, 0);
	if (!s)
		return -ENOMEM;
	ret = put_set(b, s, "lan-only ports: reachable from lan_networks and lan_interfaces");
	nftnl_set_free(s);
	if (ret == 0)
		ret = put_port_elems(b, "lan_only", spec->db, 1u << POLICY_LAN_ONLY);
	if (ret < 0)
		return ret;

	s = set_new(RULESET_SET_BLOCKED, TYPE_PORT_KEY, 8, NFT_SET_EXPR);
	ctr = nftnl_expr_alloc("counter");
	if (!s || !ctr) {
		if (s)
			nftnl_set_free(s);
		if (ctr)
			nftnl_expr_free(ctr);
		return -ENOMEM;
	}
	nftnl_set_add_expr(s, ctr);
	ret = put_set(b, s, "ports decided by the queue worker: the kernel drops further attempts");
	nftnl_set_free(s);
	for (i = 0; ret == 0 && i < spec->nblocked; i++) {
		const struct ruleset_port *p = &spec->blocked[i];
		const struct policy_entry *e = policy_lookup(spec->db, p->proto, p->port);
		char comment[NFTNL_UDATA_COMMENT_MAXLEN];
		uint8_t key[8];

		if (!e || e->kind == POLICY_OPEN)
			continue;	/* no longer guarded after a reload */
		ruleset_port_key(key, p->proto, p->port);
		ruleset_entry_comment(comment, sizeof(comment), e);
		ret = elems_add(&el, key, sizeof(key), 0, comment);
	}
	if (ret < 0) {
		elems_flush(&el);
		return ret;
	}
	return elems_flush(&el);
}

/* Ports a served-by executable holds (the daemon's listener watcher adds
 * and removes them): accepted before the queue, so a public server costs no
 * user space after the first look. */
static int put_served_set(struct batch *b)
{
	struct nftnl_set *s = set_new(RULESET_SET_SERVED, TYPE_PORT_KEY, 8, 0);
	int ret;

	if (!s)
		return -ENOMEM;
	ret = put_set(b, s, "guarded ports served by a public server of the protocol (served-by)");
	nftnl_set_free(s);
	return ret;
}

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
	if (fib_saddr(r, 0, NFT_FIB_RESULT_ADDRTYPE) < 0 || cmp(r, NFT_CMP_EQ, &local, 4) < 0 ||
	    fib_saddr(r, NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 || cmp(r, NFT_CMP_NEQ, &none, 4) < 0)
		return -ENOMEM;
	return verdict(r, NF_ACCEPT, NULL);
}


/* A first packet to a guarded port whose source is one of this host's
 * addresses, not looped back (the rule before accepted those): forged.  The
 * routing decision would drop it as a martian; dropped here, before the
 * decision moved in front of routing could queue and log it. */
static int body_forged_own_source(struct nftnl_rule *r, const void *arg)
{
	uint32_t local = RTN_LOCAL;

	(void)arg;
	if (port_key(r) < 0 || lookup(r, NFT_REG32_00, "guarded") < 0 ||
	    fib_saddr(r, 0, NFT_FIB_RESULT_ADDRTYPE) < 0 || cmp(r, NFT_CMP_EQ, &local, 4) < 0 ||
	    counter(r) < 0)
		return -ENOMEM;
	return verdict(r, NF_DROP, NULL);
}

static int put_served_rule(struct batch *b)
{
	static const struct port_lookup to_served = { RULESET_SET_SERVED, NF_ACCEPT, NULL, NULL, 0 };

	return put_rule(b, RULESET_TABLE, RULESET_CHAIN_PREROUTING,
			"served: the listener is a public server of the protocol",
			body_port_lookup, &to_served);
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

static int put_drop_chain(struct batch *b, const struct ruleset_spec *spec, const char *chain,
			  const char *comment, const char *prefix)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group, prefix };
	int ret = put_chain(b, RULESET_TABLE, chain, -1, comment);

	if (!ret)
		ret = put_rule(b, RULESET_TABLE, chain, "log, rate-limited by log_rate", body_log, &log);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, chain, "drop: no answer, not even a reset",
			       body_drop, NULL);
	return ret;
}

/* A set the rules fill themselves, whose elements live a second */
static int put_second_set(struct batch *b, const char *name, uint32_t type, uint32_t keylen,
			  const char *comment)
{
	struct nftnl_set *s = set_new(name, type, keylen, NFT_SET_TIMEOUT | NFT_SET_EVAL);
	int ret;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, LOGGED_TIMEOUT_MS);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, LOGGED_MAX);
	ret = put_set(b, s, comment);
	nftnl_set_free(s);
	return ret;
}

/* Sources with their log limiter; an element lives while its source keeps
 * sending (the rule updates it), and a second after. */
static int put_log_sources_set(struct batch *b, int v6)
{
	if (v6)
		return put_second_set(b, "log_sources_v6", TYPE_IP6ADDR, 16,
				      "log_rate per source /64: a flood spends only its own budget");
	return put_second_set(b, "log_sources_v4", TYPE_IPADDR, 4,
			      "log_rate per source address: a flood spends only its own budget");
}

static int put_logged_set(struct batch *b, const char *name, int v6)
{
	return put_second_set(b, name, v6 ? TYPE_SOURCE_V6_KEY : TYPE_SOURCE_V4_KEY,
			      v6 ? SOURCE_V6_KEYLEN : SOURCE_V4_KEYLEN,
			      "attempts logged in the last second: port, interface, source, destination");
}

#define REPEAT_COMMENT "repeat of an attempt dropped and logged within the last second"

/* both families' "already logged" rules, in prerouting (TCP SYNs) and in
 * blocked (UDP, and SYNs that reached it) */
static int put_repeat_rules(struct batch *b, const char *chain, int tcp_only)
{
	const struct source_log seen4 = { 0, "logged_v4", NULL, tcp_only },
				seen6 = { 1, "logged_v6", NULL, tcp_only };
	int ret = put_rule(b, RULESET_TABLE, chain, REPEAT_COMMENT, body_source_log, &seen4);

	return ret ? ret : put_rule(b, RULESET_TABLE, chain, REPEAT_COMMENT, body_source_log, &seen6);
}

/* Segments without SYN reach a socket of this host only in the input hook
 * (early demux attaches it after prerouting): there, one that belongs to no
 * connection of this host and goes to a blocked port is dropped, so scans
 * and guessed SYN cookies learn nothing. */
static int put_input(struct batch *b)
{
	const char *c = RULESET_CHAIN_INPUT;
	int ret = put_chain(b, RULESET_TABLE, c, NF_INET_LOCAL_IN,
			    "segments without SYN to blocked ports: only the host's own connections");

	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "loopback: the host's own traffic is never touched",
			       body_loopback, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "segments of the host's own connections (socket attached by early demux)",
			       body_own_connection, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "no SYN, no connection of this host, port blocked: scans, guessed cookies",
			       body_stray_segment, NULL);
	return ret;
}

/* The whole decision, in front of every DNAT: by the port the client
 * connected to, whatever port or host it is redirected to afterwards. */
static int put_prerouting(struct batch *b, const struct ruleset_spec *spec)
{
	const struct port_lookup to_lan = { "lan_only", NFT_JUMP, LAN_CHAIN, NULL, 0 };
	const struct port_lookup to_blocked = { RULESET_SET_BLOCKED, NFT_JUMP, "blocked", NULL, 1 };
	const struct port_lookup to_queue = { "guarded", 0, NULL, spec, 1 };
	const char *c = RULESET_CHAIN_PREROUTING;
	int ret;

	ret = put_chain(b, RULESET_TABLE, c, NF_INET_PRE_ROUTING,
			"connections to this host, decided by the port the client "
			"connected to, before any DNAT");
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "loopback: the host's own traffic is never touched",
			       body_loopback, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "the host's own multicast and broadcast, looped back", body_own_looped,
			       NULL);
	/* IPv6 needs no guard: the kernel drops ::1 from outside itself */
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "martian guard: 127.0.0.0/8 from outside (route_localnet, CVE-2020-8558)",
			       body_martian4, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, SYN_ONLY_COMMENT, body_tcp_not_syn, NULL);
	/* in a flood, the last rule a repeated SYN meets */
	if (!ret)
		ret = put_repeat_rules(b, c, 1);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "guarded port, source forged as one of this host's addresses: martian",
			       body_forged_own_source, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "lan-only port: from the LAN, accepted in chain lan",
			       body_port_lookup, &to_lan);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "ports already decided, addressed to this host: dropped in the kernel",
			       body_port_lookup, &to_blocked);
	if (!ret)
		ret = put_served_rule(b);
	if (!ret) {
		char comment[128];

		snprintf(comment, sizeof(comment),
			 "first packet to a guarded port of this host: ask portwarden (fail %s%s)",
			 spec->cfg->fail_open ? "open" : "closed",
			 spec->cfg->monitor ? RULESET_MONITOR_NOTE : "");
		ret = put_rule(b, RULESET_TABLE, c, comment, body_port_lookup, &to_queue);
	}
	return ret;
}

static int put_blocked_chain(struct batch *b, const struct ruleset_spec *spec)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group,
				      RULESET_LOG_PREFIX_BLOCKED };
	const struct source_log new4 = { 0, "logged_v4", &log, 0 }, new6 = { 1, "logged_v6", &log, 0 };
	const char *c = "blocked";
	int ret;

	ret = put_chain(b, RULESET_TABLE, c, -1, "connection attempts to blocked ports");
	/* UDP repeats, and TCP ones that prerouting saw under another address
	 * or port (DNAT) */
	if (!ret)
		ret = put_repeat_rules(b, c, 0);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "new attempt: log, at most log_rate a second per source address",
			       body_source_log, &new4);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c,
			       "new attempt: log, at most log_rate a second per source /64",
			       body_source_log, &new6);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "drop: no answer, not even a reset",
			       body_drop, NULL);
	return ret;
}

/* Router mode: connections from the WAN to guarded ports of the hosts
 * behind the router are dropped in the kernel, no queue involved. */
static int put_forward(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup to_blocked = { "guarded", NFT_JUMP, RULESET_CHAIN_FORWARD_DROP,
						       NULL, 0 };
	const char *fwd = "forward";
	int ret;

	ret = put_drop_chain(b, spec, RULESET_CHAIN_FORWARD_DROP,
			     "connections from the WAN to guarded ports behind this router",
			     RULESET_LOG_PREFIX_FORWARD);
	if (!ret)
		ret = put_chain(b, RULESET_TABLE, fwd, NF_INET_FORWARD,
				"connections routed through this host (wan_interfaces)");
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, fwd, "only what arrives on a WAN interface is checked",
			       body_not_from_wan, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, fwd, SYN_ONLY_COMMENT, body_tcp_not_syn, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, fwd,
			       "replies and established UDP flows pass",
			       body_udp_established, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, fwd,
			       "DNAT: decided in prerouting by the published port",
			       body_dnat_return, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, fwd,
			       "loopback-only and lan-only ports of inside hosts: dropped",
			       body_port_lookup, &to_blocked);
	return ret;
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
		ret = put_table(b, RULESET_TABLE, NFT_MSG_DELTABLE, 0, NULL);
	if (!ret)
		ret = put_table_flags(b, RULESET_TABLE, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL,
				      spec->table_flags, comment);
	if (!ret)
		ret = put_port_sets(b, spec);
	if (!ret)
		ret = put_served_set(b);
	if (!ret)
		ret = put_extra(b, spec);
	if (!ret)
		ret = put_ifname_set(b, "wan_ifaces", (char (*)[IFNAMSIZ])spec->cfg->wan_ifaces,
				     spec->cfg->nwan_ifaces,
				     "wan_interfaces of portwarden.conf: the Internet side of this router");
	if (!ret)
		ret = put_logged_set(b, "logged_v4", 0);
	if (!ret)
		ret = put_logged_set(b, "logged_v6", 1);
	if (!ret)
		ret = put_log_sources_set(b, 0);
	if (!ret)
		ret = put_log_sources_set(b, 1);
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
	struct elems el = { .b = b, .set = e->set, .del = del };
	uint8_t key[8];

	ruleset_port_key(key, e->proto, e->port);
	if (elems_add(&el, key, sizeof(key), 0, del ? NULL : e->comment) < 0) {
		elems_flush(&el);
		return -ENOMEM;
	}
	return elems_flush(&el);
}

int ruleset_build_delete(struct batch *b)
{
	return put_table(b, RULESET_TABLE, NFT_MSG_DELTABLE, 0, NULL);
}

static int body_probe(struct nftnl_rule *r, const void *arg)
{
	return queue(r, *(const enum ruleset_queue_backend *)arg, 0, 1);
}

/* A throwaway table holding one rule, created and deleted in one batch:
 * the kernel accepts the batch only if it knows every expression in it. */
static int put_probe(struct batch *b, const char *what, rule_body_fn body, const void *arg)
{
	int ret;

	ret = put_table(b, PROBE_TABLE, NFT_MSG_NEWTABLE, NLM_F_CREATE, NULL);
	if (!ret)
		ret = put_chain(b, PROBE_TABLE, "probe", -1, what);
	if (!ret)
		ret = put_rule(b, PROBE_TABLE, "probe", what, body, arg);
	if (!ret)
		ret = put_table(b, PROBE_TABLE, NFT_MSG_DELTABLE, 0, NULL);
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
