// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-port sources in table inet portwarden (`from` in rules files):
 *   set sources_v4  type inet_proto . inet_service . ipv4_addr, intervals
 *   set sources_v6  type inet_proto . inet_service . ipv6_addr, intervals
 *   chain prerouting, before the jump to chain lan:
 *     meta nfproto ipv4 meta l4proto . th dport . ip saddr @sources_v4
 *         fib saddr . iif oif != 0 counter accept
 *     meta nfproto ipv6 meta l4proto . th dport . ip6 saddr @sources_v6
 *         fib saddr . iif oif != 0 counter accept
 * A listed source is accepted only through the interface that routes back
 * to it, the reverse-path check chain lan makes of LAN sources, so a
 * listed address forged on another interface gets nothing.  The rules come
 * before the drop of @blocked ports: a port the queue worker blocked for
 * others stays open to its listed sources, without a user-space round
 * trip.  Elements follow the entry that governs each port, so a narrower
 * entry in a later file takes its ports' sources along with their policy. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <string.h>

#include "netaddr.h"
#include "nftexpr.h"
#include "rulesources.h"
#include "ruleset.h"

#define TYPE_SOURCE_KEY(addr_type) \
	((NFTSET_TYPE_PORT_KEY << NFTSET_TYPE_BITS) | (addr_type))

/* the last port of the run of ports that entry e governs from port lo */
static uint16_t run_end(const struct policy_db *db, uint8_t proto, uint16_t lo,
			const struct policy_entry *e)
{
	uint16_t hi = lo;

	while (hi < 65535 && policy_lookup(db, proto, (uint16_t)(hi + 1)) == e)
		hi++;
	return hi;
}

static int ranges_equal(const struct nftset_range *a, const struct nftset_range *b, unsigned len)
{
	return !memcmp(a->lo, b->lo, len) && !memcmp(a->hi, b->hi, len);
}

/* The elements of one run of ports for one family. */
static int walk_run(struct rulesources_elem *el, int family, rulesources_fn fn, void *ctx)
{
	struct nftset_range ranges[POLICY_SOURCES_MAX];
	unsigned len = netaddr_len(family), n = 0, i, k;
	const struct policy_entry *e = el->entry;
	int ret = 0;

	for (i = 0; i < e->nsources; i++)
		if (e->sources[i].net.family == family)
			nftset_net_range(&e->sources[i].net, &ranges[n++]);
	n = nftset_ranges_merge(ranges, n, len);
	el->family = family;
	for (i = 0; ret == 0 && i < n; i++) {
		el->addr = ranges[i];
		el->source = NULL;
		for (k = 0; k < e->nsources && !el->source; k++) {
			struct nftset_range r;

			if (e->sources[k].net.family != family)
				continue;
			nftset_net_range(&e->sources[k].net, &r);
			if (ranges_equal(&r, &ranges[i], len))
				el->source = &e->sources[k];
		}
		ret = fn(ctx, el);
	}
	return ret;
}

static int has_sources(const struct policy_db *db, int family)
{
	unsigned i, k;

	for (i = 0; i < db->nentries; i++)
		for (k = 0; k < db->entries[i].nsources; k++)
			if (!family || db->entries[i].sources[k].net.family == family)
				return 1;
	return 0;
}

int rulesources_walk(const struct policy_db *db, rulesources_fn fn, void *ctx)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned k, port;
	int ret = 0;

	if (!has_sources(db, 0))
		return 0;	/* the common case: no look at 131070 ports */
	for (k = 0; ret == 0 && k < 2; k++) {
		for (port = 1; ret == 0 && port <= 65535; port++) {
			const struct policy_entry *e = policy_lookup(db, protos[k], (uint16_t)port);
			struct rulesources_elem el = { 0 };

			if (!e || !e->nsources)
				continue;
			el.proto = protos[k];
			el.lo = (uint16_t)port;
			el.hi = run_end(db, protos[k], el.lo, e);
			el.entry = e;
			ret = walk_run(&el, AF_INET, fn, ctx);
			if (ret == 0)
				ret = walk_run(&el, AF_INET6, fn, ctx);
			port = el.hi;
		}
	}
	return ret;
}

/* ---- the sets ------------------------------------------------------------- */

static int put_set(struct batch *b, const char *name, int family)
{
	unsigned alen = netaddr_len(family);
	/* field lengths as their datatypes have them; each takes a register */
	uint8_t fields[NFT_REG32_COUNT] = { 1, 2, (uint8_t)alen };
	struct nftnl_set *s = nftset_new(RULESET_TABLE, name,
					 TYPE_SOURCE_KEY(family == AF_INET ? NFTSET_TYPE_IPADDR
									   : NFTSET_TYPE_IP6ADDR),
					 NFTSET_PORT_KEYLEN + alen, NFT_SET_INTERVAL | NFT_SET_CONCAT);

	if (!s)
		return -ENOMEM;
	nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	return nftset_put(b, s, family == AF_INET ?
			  "from: IPv4 sources rules files admit to a port beyond its policy" :
			  "from: IPv6 sources rules files admit to a port beyond its policy");
}

/* "9100/tcp node-exporter lan-only from 203.0.113.0/24 (local.rules:14)" */
static void elem_comment(const struct rulesources_elem *el, char *out, size_t cap)
{
	char ports[16], net[2 * INET6_ADDRSTRLEN + 2];
	const struct policy_entry *e = el->entry;

	if (el->lo == el->hi)
		snprintf(ports, sizeof(ports), "%u", el->lo);
	else
		snprintf(ports, sizeof(ports), "%u-%u", el->lo, el->hi);
	if (el->source) {
		policy_net_text(&el->source->net, net, sizeof(net));
	} else {
		char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

		inet_ntop(el->family, el->addr.lo, lo, sizeof(lo));
		inet_ntop(el->family, el->addr.hi, hi, sizeof(hi));
		snprintf(net, sizeof(net), "%s-%s", lo, hi);
	}
	snprintf(out, cap, "%s/%s %s %s from %s (%s:%u)", ports,
		 el->proto == IPPROTO_TCP ? "tcp" : "udp", e->service,
		 policy_kind_name((enum policy_kind)e->kind), net, e->file,
		 el->source ? el->source->line : e->line);
}

struct elems {
	struct nftset_elems set[2];	/* v4, v6 */
};

/* key: protocol and port, a register each, then the address */
static void elem_key(uint8_t *key, uint8_t proto, uint16_t port, const uint8_t *addr,
		     unsigned alen)
{
	memset(key, 0, NFTSET_PORT_KEYLEN);
	key[0] = proto;
	key[4] = (uint8_t)(port >> 8);
	key[5] = (uint8_t)port;
	memcpy(key + NFTSET_PORT_KEYLEN, addr, alen);
}

static int push_elem(void *ctx, const struct rulesources_elem *el)
{
	struct elems *all = ctx;
	unsigned alen = netaddr_len(el->family);
	uint8_t key[NFTSET_PORT_KEYLEN + 16], end[NFTSET_PORT_KEYLEN + 16];
	char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN];
	struct nftnl_set_elem *e;

	elem_comment(el, comment, sizeof(comment));
	elem_key(key, el->proto, el->lo, el->addr.lo, alen);
	elem_key(end, el->proto, el->hi, el->addr.hi, alen);
	e = nftset_elem_new(key, NFTSET_PORT_KEYLEN + alen, 0, comment);
	if (e)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, end, NFTSET_PORT_KEYLEN + alen);
	return nftset_elems_push(&all->set[el->family == AF_INET6], e);
}

int rulesources_build(struct batch *b, const struct policy_db *db)
{
	struct elems all = { {
		{ .b = b, .table = RULESET_TABLE, .set = RULESOURCES_SET_V4 },
		{ .b = b, .table = RULESET_TABLE, .set = RULESOURCES_SET_V6 },
	} };
	int ret = put_set(b, RULESOURCES_SET_V4, AF_INET);

	if (ret == 0)
		ret = put_set(b, RULESOURCES_SET_V6, AF_INET6);
	if (ret == 0)
		ret = rulesources_walk(db, push_elem, &all);
	ret = nftset_elems_end(&all.set[0], ret);
	return nftset_elems_end(&all.set[1], ret);
}

/* ---- the rules ------------------------------------------------------------ */

static int body_sources(struct nftnl_rule *r, const void *arg)
{
	int v6 = *(const int *)arg;
	uint32_t none = 0;

	if (expr_nfproto_is(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0 || expr_port_key(r) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG32_02) < 0 ||
	    expr_lookup(r, NFT_REG32_00, v6 ? RULESOURCES_SET_V6 : RULESOURCES_SET_V4, 0) < 0 ||
	    expr_fib(r, NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 ||
	    expr_cmp(r, NFT_CMP_NEQ, &none, sizeof(none)) < 0 || expr_counter(r) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

struct nftmsg_rule rulesources_rule(const struct policy_db *db, int family)
{
	static const int v4 = 0, v6 = 1;
	int six = family == AF_INET6;

	return (struct nftmsg_rule){
		six ? "from: a source listed for the port (IPv6), through the interface that routes back to it"
		    : "from: a source listed for the port (IPv4), through the interface that routes back to it",
		has_sources(db, family) ? body_sources : NULL, six ? &v6 : &v4,
	};
}
