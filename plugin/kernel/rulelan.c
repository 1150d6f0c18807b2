// SPDX-License-Identifier: GPL-2.0-or-later
/* The LAN part of table inet portwarden: its sets and chain lan, jumped to
 * by first packets to lan-only ports (see ruleset.c): accept when the
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
 * rulelan_build_update(); the rules never change.  Like ruleset.c, it only
 * writes messages into a batch. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "nftexpr.h"
#include "nftmsg.h"
#include "nftset.h"
#include "rulelan.h"
#include "ruleset.h"

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
	const char *set = family == AF_INET ? RULELAN_SET_NETS_V4 : RULELAN_SET_NETS_V6;
	struct nftset_elems el = { .b = b, .table = RULESET_TABLE, .set = set };
	struct nftset_range ranges[LAN_PARTS_MAX];
	unsigned len = family == AF_INET ? 4 : 16;
	unsigned n = lan_ranges(lan, family, ranges), i;
	int ret;

	ret = nftset_put_empty(b, RULESET_TABLE, set,
			       family == AF_INET ? NFTSET_TYPE_IPADDR : NFTSET_TYPE_IP6ADDR, len,
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
		return RULELAN_SET_IFACES;
	if (p->kind == LAN_PART_SUBNET)
		return p->net.family == AF_INET ? RULELAN_SET_SUBNETS_V4 : RULELAN_SET_SUBNETS_V6;
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
	static const char *const names[3] = { RULELAN_SET_SUBNETS_V4, RULELAN_SET_SUBNETS_V6,
					      RULELAN_SET_IFACES };
	unsigned i;

	for (i = 0; i < 3; i++)
		le->set[i] = (struct nftset_elems){ .b = b, .table = RULESET_TABLE, .set = names[i],
						    .del = del };
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

	ret = put_subnet_set(b, RULELAN_SET_SUBNETS_V4, AF_INET,
			     "LAN subnets (IPv4), each counted on its own interface only");
	if (!ret)
		ret = put_subnet_set(b, RULELAN_SET_SUBNETS_V6, AF_INET6,
				     "LAN subnets (IPv6), each counted on its own interface only");
	if (!ret)
		ret = nftset_put_empty(b, RULESET_TABLE, RULELAN_SET_IFACES, NFTSET_TYPE_IFNAME,
				       IFNAMSIZ, 0, "LAN interfaces: container/VM bridges, lan_interfaces");
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
	    expr_lookup(r, NFT_REG_1, RULESET_SET_WAN_IFACES, 0) < 0)
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
	if (expr_fib(r, NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_OIF) < 0 ||
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

static int put_lan_chain(struct batch *b, const struct lan *lan, int wan)
{
	static const struct lan_source sub4 = { AF_INET, 1, RULELAN_SET_SUBNETS_V4 },
				       sub6 = { AF_INET6, 1, RULELAN_SET_SUBNETS_V6 },
				       net4 = { AF_INET, 0, RULELAN_SET_NETS_V4 },
				       net6 = { AF_INET6, 0, RULELAN_SET_NETS_V6 },
				       ifs = { 0, 0, RULELAN_SET_IFACES };
	static const int v4 = 0, v6 = 1;
	static const uint8_t bcast = PACKET_BROADCAST, mcast = PACKET_MULTICAST;
	/* link scope: what cannot have crossed a router.  Rule comments read
	 * "PART: WHY" like the elements', for `status`. */
	nftmsg_rule_body link_local = lan->link_scope ? body_link_local : NULL;
	nftmsg_rule_body pkttype = lan->link_scope ? body_pkttype : NULL;
	const struct nftmsg_rule rules[] = {
		{ "nothing arriving on a WAN interface is LAN", wan ? body_lan_wan : NULL, NULL },
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
	int ret = nftmsg_put_chain(b, RULESET_TABLE, RULELAN_CHAIN, -1, 0, "first packets to "
				   "lan-only ports: accepted from the LAN, returned otherwise");

	return ret ? ret : nftmsg_put_rules(b, RULESET_TABLE, RULELAN_CHAIN, NFTMSG_RULES(rules));
}

/* Sets, then the chain that reads them. */
int rulelan_build(struct batch *b, const struct lan *lan, int wan)
{
	int ret = put_lan_sets(b, lan);

	return ret ? ret : put_lan_chain(b, lan, wan);
}

int rulelan_build_update(struct batch *b, const struct lan *old, const struct lan *cur)
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
