// SPDX-License-Identifier: GPL-2.0-or-later
/* libnftnl builders for table inet portwarden.  Shape of the table:
 *
 *   chain prerouting (hook prerouting, priority raw)
 *     meta l4proto != tcp return
 *     tcp flags & (syn|ack) != syn return
 *     meta l4proto . th dport . iif . ip saddr . ip daddr @logged_v4 drop
 *     meta l4proto . th dport . iif . ip6 saddr . ip6 daddr @logged_v6 drop
 *                                            a flood's repeats, before routing
 *   chain input (hook input, priority filter - 10)
 *     iif lo accept                          the host's own traffic
 *     ip daddr 127.0.0.0/8 jump martian      loopback addresses from outside
 *     tcp flags & (syn|ack) != syn meta cgroup return
 *                                            segments of the host's own
 *                                            connections (early demux)
 *     tcp flags & (syn|ack) != syn meta l4proto . th dport @blocked drop
 *                                            stray segments: scans, cookies
 *     tcp flags & (syn|ack) != syn return    only connection attempts go on
 *     ip saddr @lan_v4 jump lan              (lan_networks)
 *     ip6 saddr @lan_v6 jump lan
 *     iifname @lan_ifaces jump lan           (lan_interfaces)
 *     meta l4proto . th dport @blocked jump blocked
 *     meta l4proto . th dport @guarded queue
 *   chain lan:     meta l4proto . th dport @lan_only accept
 *   chain blocked: repeats (UDP; TCP seen under other addresses) drop; a new
 *                  attempt is logged (under log_rate per source address,
 *                  per /64 for IPv6: log_sources_v4/6) and remembered in
 *                  logged_v4/6 for a second; drop
 *   chain martian: limit + log group N; drop
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
 *     meta l4proto . th dport @guarded jump forward_blocked
 *   chain forward_blocked: limit + log group N; drop
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
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset.h"

#define PROBE_TABLE	"portwarden-probe"
#define PRIORITY_INPUT	(-10)	/* just before the usual filter chains */
#define PRIORITY_PREROUTING	(-300)	/* raw: before routing and conntrack */

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
				    PRIORITY_PREROUTING : PRIORITY_INPUT);
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

static int body_udp_established(struct nftnl_rule *r, const void *arg)
{
	uint32_t mask = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	uint32_t zero = 0;
	struct nftnl_expr *ct;

	(void)arg;
	if (match_l4proto(r, IPPROTO_UDP) < 0)
		return -ENOMEM;
	ct = nftnl_expr_alloc("ct");
	if (ct) {
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(ct, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	if (add_expr(r, ct) < 0 || bitwise_and(r, &mask, 4) < 0 ||
	    cmp(r, NFT_CMP_NEQ, &zero, 4) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
}

struct lan_lookup {
	int kind;	/* 4, 6 or 0 for interface names */
	const char *set;
};

static int body_lan_source(struct nftnl_rule *r, const void *arg)
{
	const struct lan_lookup *l = arg;
	int ret;

	if (l->kind == 4)
		ret = match_nfproto(r, NFPROTO_IPV4) < 0 ? -ENOMEM :
		      payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	else if (l->kind == 6)
		ret = match_nfproto(r, NFPROTO_IPV6) < 0 ? -ENOMEM :
		      payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1);
	else
		ret = meta(r, NFT_META_IIFNAME, NFT_REG_1);
	if (ret < 0 || lookup(r, NFT_REG_1, l->set) < 0)
		return -ENOMEM;
	return verdict(r, NFT_JUMP, "lan");
}

struct port_lookup {
	const char *set;
	int code;
	const char *chain;
	const struct ruleset_spec *spec;	/* set for the queue rule */
};

static int body_port_lookup(struct nftnl_rule *r, const void *arg)
{
	const struct port_lookup *p = arg;

	if (port_key(r) < 0 || lookup(r, NFT_REG32_00, p->set) < 0)
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
};

static int elems_flush(struct elems *el)
{
	int ret = 0;

	if (el->cur && el->n) {
		char what[BATCH_WHAT_MAX];

		snprintf(what, sizeof(what), "elements of set %s", el->set);
		ret = put_msg(el->b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, what, elems_payload, el->cur);
	}
	if (el->cur)
		nftnl_set_free(el->cur);
	el->cur = NULL;
	el->n = 0;
	return ret;
}

static int elems_add(struct elems *el, const void *key, uint32_t keylen, uint32_t flags,
		     const char *comment)
{
	struct nftnl_set_elem *e;

	if (el->n == ELEMS_PER_MSG && elems_flush(el) < 0)
		return -ENOMEM;
	if (!el->cur) {
		el->cur = nftnl_set_alloc();
		if (!el->cur)
			return -ENOMEM;
		nftnl_set_set_u32(el->cur, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(el->cur, NFTNL_SET_TABLE, RULESET_TABLE);
		nftnl_set_set_str(el->cur, NFTNL_SET_NAME, el->set);
	}
	e = nftnl_set_elem_alloc();
	if (!e)
		return -ENOMEM;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, keylen);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	if (comment) {
		struct nftnl_udata_buf *udata = comment_udata(NFTNL_UDATA_SET_ELEM_COMMENT, comment);

		if (!udata) {
			nftnl_set_elem_free(e);
			return -ENOMEM;
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(udata),
				   nftnl_udata_buf_len(udata));
		nftnl_udata_buf_free(udata);
	}
	nftnl_set_elem_add(el->cur, e);
	el->n++;
	return 0;
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

/* ---- LAN networks as interval sets ---------------------------------------- */

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

/* Sorted, merged [lo, hi] ranges of the LAN networks of one family. */
static unsigned lan_ranges(const struct config *cfg, int family, struct range *out)
{
	unsigned len = family == AF_INET ? 4 : 16, i, j, n = 0;

	for (i = 0; i < cfg->nlan_nets; i++) {
		const struct config_net *net = &cfg->lan_nets[i];

		if (net->family != family)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].lo, net->addr, len);
		memcpy(out[n].hi, net->addr, len);
		for (j = net->prefix; j < len * 8; j++)
			out[n].hi[j / 8] |= (uint8_t)(0x80u >> (j % 8));
		n++;
	}
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

static int has_lan_family(const struct config *cfg, int family)
{
	unsigned i;

	for (i = 0; i < cfg->nlan_nets; i++)
		if (cfg->lan_nets[i].family == family)
			return 1;
	return 0;
}

static int put_lan_set(struct batch *b, const struct config *cfg, int family, const char *name)
{
	struct range ranges[CONFIG_LIST_MAX];
	unsigned len = family == AF_INET ? 4 : 16;
	unsigned n = lan_ranges(cfg, family, ranges), i;
	struct elems el = { .b = b, .set = name };
	struct nftnl_set *s;
	int ret;

	if (!n)
		return 0;
	s = set_new(name, family == AF_INET ? TYPE_IPADDR : TYPE_IP6ADDR, len, NFT_SET_INTERVAL);
	if (!s)
		return -ENOMEM;
	ret = put_set(b, s, "lan_networks of portwarden.conf: may reach lan-only ports");
	nftnl_set_free(s);
	for (i = 0; ret == 0 && i < n; i++) {
		uint8_t end[16];

		ret = elems_add(&el, ranges[i].lo, len, 0, NULL);
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

static int put_input_rules(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct lan_lookup lan4 = { 4, "lan_v4" }, lan6 = { 6, "lan_v6" },
				       lanif = { 0, "lan_ifaces" };
	const struct config *cfg = spec->cfg;
	const struct port_lookup to_blocked = { RULESET_SET_BLOCKED, NFT_JUMP, "blocked", NULL };
	const struct port_lookup to_queue = { "guarded", 0, NULL, spec };
	const char *in = RULESET_CHAIN_INPUT;
	int ret;

	ret = put_rule(b, RULESET_TABLE, in, "loopback: the host's own traffic is never touched",
		       body_loopback, NULL);
	/* IPv6 needs no guard: the kernel drops ::1 from outside itself */
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, in,
			       "martian guard: 127.0.0.0/8 from outside (route_localnet, CVE-2020-8558)",
			       body_martian4, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, in,
			       "segments of the host's own connections (socket attached by early demux)",
			       body_own_connection, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, in,
			       "no SYN, no connection of this host, port blocked: scans, guessed cookies",
			       body_stray_segment, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, in, SYN_ONLY_COMMENT, body_tcp_not_syn, NULL);
	if (!ret && has_lan_family(cfg, AF_INET))
		ret = put_rule(b, RULESET_TABLE, in, "lan_networks (IPv4) may reach lan-only ports",
			       body_lan_source, &lan4);
	if (!ret && has_lan_family(cfg, AF_INET6))
		ret = put_rule(b, RULESET_TABLE, in, "lan_networks (IPv6) may reach lan-only ports",
			       body_lan_source, &lan6);
	if (!ret && cfg->nlan_ifaces)
		ret = put_rule(b, RULESET_TABLE, in, "lan_interfaces may reach lan-only ports",
			       body_lan_source, &lanif);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, in, "ports already decided: dropped in the kernel",
			       body_port_lookup, &to_blocked);
	if (!ret) {
		char comment[128];

		snprintf(comment, sizeof(comment), "first packet to a guarded port: ask portwarden (fail %s%s)",
			 cfg->fail_open ? "open" : "closed", cfg->monitor ? RULESET_MONITOR_NOTE : "");
		ret = put_rule(b, RULESET_TABLE, in, comment, body_port_lookup, &to_queue);
	}
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

/* both families' "already logged" rules, in prerouting and in blocked */
static int put_repeat_rules(struct batch *b, const char *chain)
{
	static const struct source_log seen4 = { 0, "logged_v4", NULL },
				       seen6 = { 1, "logged_v6", NULL };
	int ret = put_rule(b, RULESET_TABLE, chain, REPEAT_COMMENT, body_source_log, &seen4);

	return ret ? ret : put_rule(b, RULESET_TABLE, chain, REPEAT_COMMENT, body_source_log, &seen6);
}

static int body_not_tcp(struct nftnl_rule *r, const void *arg)
{
	uint8_t tcp = IPPROTO_TCP;

	(void)arg;
	if (meta(r, NFT_META_L4PROTO, NFT_REG_1) < 0 || cmp(r, NFT_CMP_NEQ, &tcp, 1) < 0)
		return -ENOMEM;
	return verdict(r, NFT_RETURN, NULL);
}

/* Repeated SYNs of a logged attempt, dropped before the routing decision:
 * in a flood, the only rules a packet meets. */
static int put_prerouting(struct batch *b)
{
	const char *c = "prerouting";
	int ret;

	ret = put_logged_set(b, "logged_v4", 0);
	if (!ret)
		ret = put_logged_set(b, "logged_v6", 1);
	if (!ret)
		ret = put_log_sources_set(b, 0);
	if (!ret)
		ret = put_log_sources_set(b, 1);
	if (!ret)
		ret = put_chain(b, RULESET_TABLE, c, NF_INET_PRE_ROUTING,
				"repeated connection attempts, dropped before routing");
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, "only TCP SYNs are checked here",
			       body_not_tcp, NULL);
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, c, SYN_ONLY_COMMENT, body_tcp_not_syn, NULL);
	if (!ret)
		ret = put_repeat_rules(b, c);
	return ret;
}

static int put_blocked_chain(struct batch *b, const struct ruleset_spec *spec)
{
	const struct log_drop log = { spec->cfg->log_rate, spec->log_group,
				      RULESET_LOG_PREFIX_BLOCKED };
	const struct source_log new4 = { 0, "logged_v4", &log }, new6 = { 1, "logged_v6", &log };
	const char *c = "blocked";
	int ret;

	ret = put_chain(b, RULESET_TABLE, c, -1, "connection attempts to blocked ports");
	/* UDP repeats, and TCP ones that prerouting saw under another address
	 * or port (DNAT) */
	if (!ret)
		ret = put_repeat_rules(b, c);
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
	static const struct port_lookup to_blocked = { "guarded", NFT_JUMP, RULESET_CHAIN_FORWARD_DROP, NULL };
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
			       "loopback-only and lan-only ports of inside hosts: dropped",
			       body_port_lookup, &to_blocked);
	return ret;
}

int ruleset_build(struct batch *b, const struct ruleset_spec *spec)
{
	static const struct port_lookup lan_accept = { "lan_only", NF_ACCEPT, NULL, NULL };
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
		ret = put_lan_set(b, spec->cfg, AF_INET, "lan_v4");
	if (!ret)
		ret = put_lan_set(b, spec->cfg, AF_INET6, "lan_v6");
	if (!ret)
		ret = put_ifname_set(b, "lan_ifaces", (char (*)[IFNAMSIZ])spec->cfg->lan_ifaces,
				     spec->cfg->nlan_ifaces,
				     "lan_interfaces of portwarden.conf: may reach lan-only ports");
	if (!ret)
		ret = put_ifname_set(b, "wan_ifaces", (char (*)[IFNAMSIZ])spec->cfg->wan_ifaces,
				     spec->cfg->nwan_ifaces,
				     "wan_interfaces of portwarden.conf: the Internet side of this router");
	if (!ret)
		ret = put_prerouting(b);
	if (!ret)
		ret = put_blocked_chain(b, spec);
	if (!ret)
		ret = put_drop_chain(b, spec, "martian", "loopback addresses arriving from outside",
				     RULESET_LOG_PREFIX_MARTIAN);
	if (!ret)
		ret = put_chain(b, RULESET_TABLE, "lan", -1, "sources allowed to reach lan-only ports");
	if (!ret)
		ret = put_rule(b, RULESET_TABLE, "lan", "lan-only port from the LAN: accept",
			       body_port_lookup, &lan_accept);
	if (!ret)
		ret = put_chain(b, RULESET_TABLE, RULESET_CHAIN_INPUT, NF_INET_LOCAL_IN,
				"inbound connections to this host");
	if (!ret)
		ret = put_input_rules(b, spec);
	if (!ret && spec->cfg->nwan_ifaces)
		ret = put_forward(b, spec);
	return ret;
}

int ruleset_build_block(struct batch *b, uint8_t proto, uint16_t port, const char *comment)
{
	struct elems el = { .b = b, .set = RULESET_SET_BLOCKED };
	uint8_t key[8];

	ruleset_port_key(key, proto, port);
	if (elems_add(&el, key, sizeof(key), 0, comment) < 0) {
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

int ruleset_build_probe(struct batch *b, enum ruleset_queue_backend backend)
{
	int ret;

	ret = put_table(b, PROBE_TABLE, NFT_MSG_NEWTABLE, NLM_F_CREATE, NULL);
	if (!ret)
		ret = put_chain(b, PROBE_TABLE, "probe", -1, "queue backend probe");
	if (!ret)
		ret = put_rule(b, PROBE_TABLE, "probe", "queue backend probe", body_probe, &backend);
	if (!ret)
		ret = put_table(b, PROBE_TABLE, NFT_MSG_DELTABLE, 0, NULL);
	return ret;
}

const char *ruleset_backend_name(enum ruleset_queue_backend backend)
{
	return backend == RULESET_QUEUE_NATIVE ? "native nft queue" : "xtables NFQUEUE via nft_compat";
}
