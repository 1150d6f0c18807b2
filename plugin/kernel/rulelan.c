// SPDX-License-Identifier: GPL-2.0-or-later
/* The LAN part of table inet portwarden: its sets and chain lan, jumped to
 * by first packets to lan-only ports (see ruleset.c): accept when the
 * source is on the LAN, return otherwise.
 *   udp sport 67 udp dport 68 accept          DHCP replies to this host's
 *   udp sport 547 udp dport 546 accept        own client, on any interface
 *   iifname @wan_ifaces return                (router mode)
 *   fib saddr . iif oif missing return        reverse path, any rp_filter
 *   iifname . ip saddr @lan_subnets_v4 accept  subnets of lan interfaces,
 *   iifname . ip6 saddr @lan_subnets_v6 accept each on its own: private
 *                                             and link-local ones
 *   iifname @lan_ifaces accept                bridges, lan_interfaces
 *   iifname != @zone_lan return               public and wan: nothing else
 *   ip saddr @lan_nets_v4 accept              lan_networks
 *   ip6 saddr @lan_nets_v6 accept
 *   meta pkttype broadcast fib daddr type broadcast accept
 *   meta pkttype multicast ip daddr 224.0.0.0/4 accept      link scope,
 *   meta pkttype multicast ip6 daddr ff00::/8 accept       unless none
 * A unicast destination in a broadcast or multicast frame (the host's own
 * address, sent to ff:ff:ff:ff:ff:ff) is no link-scope packet: it is
 * decided as what it is addressed to.  Sets zone_lan, zone_public and
 * zone_wan hold every interface with the reason for its zone.  Every
 * element's comment says what the part is and why it is there, so
 * `status` reads the effective LAN back from the kernel.  Zones, subnets
 * and interfaces follow the host at run time, an interface at a time
 * (rulelan_build_changes()); the rules never change.  Like ruleset.c, it
 * only writes messages into a batch. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>	/* libnftnl's headers use FILE */
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netaddr.h"
#include "nftexpr.h"
#include "nftmsg.h"
#include "nftset.h"
#include "rulelan.h"
#include "ruleset.h"

/* Sorted, merged ranges of the configured networks of one family */
static unsigned lan_ranges(const struct lan *lan, int family, struct nftset_range *out)
{
	unsigned i, n = 0;

	for (i = 0; i < lan->nnets; i++)
		if (lan->nets[i].net.family == family)
			nftset_net_range(&lan->nets[i].net, &out[n++]);
	return nftset_ranges_merge(out, n, netaddr_len(family));
}

static void range_comment(const struct nftset_range *r, int family, char *out, size_t cap)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	inet_ntop(family, r->lo, lo, sizeof(lo));
	inet_ntop(family, r->hi, hi, sizeof(hi));
	snprintf(out, cap, "%s-%s: lan_networks, on lan interfaces routing back to it", lo, hi);
}

/* lan_nets_v4 or lan_nets_v6, with its intervals */
static int put_nets_set(struct batch *b, const struct lan *lan, int family)
{
	const char *set = family == AF_INET ? RULELAN_SET_NETS_V4 : RULELAN_SET_NETS_V6;
	struct nftset_elems el = { .b = b, .table = RULESET_TABLE, .set = set };
	struct nftset_range *ranges = calloc(lan->nnets + 1, sizeof(*ranges));
	unsigned len = netaddr_len(family);
	unsigned n, i;
	int ret;

	if (!ranges)
		return -ENOMEM;
	n = lan_ranges(lan, family, ranges);
	ret = nftset_put_empty(b, RULESET_TABLE, set,
			       family == AF_INET ? NFTSET_TYPE_IPADDR : NFTSET_TYPE_IP6ADDR, len,
			       NFT_SET_INTERVAL, "lan_networks: on lan interfaces routing back to them");
	for (i = 0; ret == 0 && i < n; i++) {
		char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN];

		range_comment(&ranges[i], family, comment, sizeof(comment));
		ret = nftset_elems_add_range(&el, &ranges[i], len, comment);
	}
	free(ranges);
	return nftset_elems_end(&el, ret);
}

/* "iifname . ip saddr" (or ip6): an interval set of concatenations, so a
 * subnet matches only on its own interface. */
static int put_subnet_set(struct batch *b, const char *name, int family, const char *comment)
{
	uint8_t fields[NFT_REG32_COUNT] = { IFNAMSIZ, netaddr_len(family) };
	uint32_t type = NFTSET_TYPE_IFNAME << NFTSET_TYPE_BITS |
			(family == AF_INET ? NFTSET_TYPE_IPADDR : NFTSET_TYPE_IP6ADDR);
	struct nftnl_set *s = nftset_new(RULESET_TABLE, name, type, IFNAMSIZ + fields[1],
					 NFT_SET_INTERVAL | NFT_SET_CONCAT);

	if (!s)
		return -ENOMEM;
	nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	return nftset_put(b, s, comment);
}

const char *rulelan_zone_set(enum zone z)
{
	return z == ZONE_LAN ? RULELAN_SET_ZONE_LAN : z == ZONE_WAN ? RULELAN_SET_ZONE_WAN
								: RULELAN_SET_ZONE_PUBLIC;
}

/* The element of a subnet: "iifname . network", as an interval, its
 * comment "PART: WHY" */
static struct nftnl_set_elem *subnet_elem(const struct lan_part *p)
{
	/* longer than an element comment: nftmsg_comment() cuts it */
	char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN], name[IFNAMSIZ + INET6_ADDRSTRLEN + 8];
	uint8_t key[IFNAMSIZ + 16] = { 0 }, end[IFNAMSIZ + 16] = { 0 };
	unsigned alen = netaddr_len(p->net.family);
	struct nftnl_set_elem *e;
	struct nftset_range r;

	lan_part_name(p, name, sizeof(name));
	snprintf(comment, sizeof(comment), "%s: %s", name, p->why);
	memcpy(key, p->ifname, strnlen(p->ifname, IFNAMSIZ - 1));
	nftset_net_range(&p->net, &r);
	memcpy(end, key, IFNAMSIZ);
	memcpy(key + IFNAMSIZ, r.lo, alen);
	memcpy(end + IFNAMSIZ, r.hi, alen);
	e = nftset_elem_new(key, IFNAMSIZ + alen, 0, comment);
	if (e)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, end, IFNAMSIZ + alen);
	return e;
}

/* An interface's element: "NAME: WHY" (interface names hold no colon) */
static struct nftnl_set_elem *iface_elem(const struct lan_iface *e)
{
	char comment[2 * NFTNL_UDATA_COMMENT_MAXLEN], key[IFNAMSIZ] = "";

	snprintf(comment, sizeof(comment), "%s: %s", e->name, e->z.why);
	memcpy(key, e->name, strnlen(e->name, IFNAMSIZ - 1));
	return nftset_elem_new(key, IFNAMSIZ, 0, comment);
}

enum { SET_SUB4, SET_SUB6, SET_IFACES, SET_ZLAN, SET_ZPUBLIC, SET_ZWAN, NSETS };

/* the element lists of one transaction: what it removes, what it adds */
struct lan_elems {
	struct nftset_elems set[NSETS];
};

static void lan_elems_init(struct lan_elems *le, struct batch *b, int del)
{
	static const char *const names[NSETS] = {
		RULELAN_SET_SUBNETS_V4, RULELAN_SET_SUBNETS_V6, RULELAN_SET_IFACES,
		RULELAN_SET_ZONE_LAN, RULELAN_SET_ZONE_PUBLIC, RULELAN_SET_ZONE_WAN,
	};
	unsigned i;

	for (i = 0; i < NSETS; i++)
		le->set[i] = (struct nftset_elems){ .b = b, .table = RULESET_TABLE, .set = names[i],
						    .del = del };
}

static int lan_elems_end(struct lan_elems *le, int ret)
{
	unsigned i;

	for (i = 0; i < NSETS; i++)
		ret = nftset_elems_end(&le->set[i], ret);
	return ret;
}

static unsigned zone_index(enum zone z)
{
	return z == ZONE_LAN ? SET_ZLAN : z == ZONE_WAN ? SET_ZWAN : SET_ZPUBLIC;
}

static int push_subnet(struct lan_elems *le, const struct lan_part *p)
{
	return nftset_elems_push(&le->set[p->net.family == AF_INET ? SET_SUB4 : SET_SUB6],
				 subnet_elem(p));
}

/* Every element of one interface: its zone, lan_ifaces, its subnets */
static int push_iface(struct lan_elems *le, const struct lan_iface *e)
{
	unsigned i;
	int ret = nftset_elems_push(&le->set[zone_index(e->z.zone)], iface_elem(e));

	if (!ret && e->z.every_source)
		ret = nftset_elems_push(&le->set[SET_IFACES], iface_elem(e));
	for (i = 0; !ret && i < e->nsubnets; i++)
		ret = push_subnet(le, &e->subnets[i]);
	return ret;
}

static int put_lan_sets(struct batch *b, const struct lan *lan)
{
	static const struct {
		const char *name, *comment;
	} zones[] = {
		{ RULELAN_SET_ZONE_LAN, "zone lan: connected private subnets and link scope count" },
		{ RULELAN_SET_ZONE_PUBLIC, "zone public: nothing arriving on it is LAN" },
		{ RULELAN_SET_ZONE_WAN, "zone wan: the Internet side of this router" },
	};
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
	for (i = 0; !ret && i < sizeof(zones) / sizeof(zones[0]); i++)
		ret = nftset_put_empty(b, RULESET_TABLE, zones[i].name, NFTSET_TYPE_IFNAME, IFNAMSIZ,
				       0, zones[i].comment);
	if (!ret)
		ret = put_nets_set(b, lan, AF_INET);
	if (!ret)
		ret = put_nets_set(b, lan, AF_INET6);
	if (ret)
		return ret;
	lan_elems_init(&le, b, 0);
	for (i = 0; !ret && i < lan->nifaces; i++)
		ret = push_iface(&le, &lan->ifaces[i]);
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

struct dhcp_reply {
	uint8_t nfproto;
	uint16_t sport, dport;
};

/* "udp sport S udp dport D accept" for one family */
static int body_dhcp_reply(struct nftnl_rule *r, const void *arg)
{
	const struct dhcp_reply *d = arg;
	uint16_t sport = htons(d->sport), dport = htons(d->dport);

	if (expr_nfproto_is(r, d->nfproto) < 0 || expr_l4proto_is(r, IPPROTO_UDP) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &sport, 2) < 0 ||
	    expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &dport, 2) < 0)
		return -ENOMEM;
	return expr_verdict(r, NF_ACCEPT, NULL);
}

/* "iifname != @zone_lan return" */
static int body_not_lan_zone(struct nftnl_rule *r, const void *arg)
{
	(void)arg;
	if (expr_meta(r, NFT_META_IIFNAME, NFT_REG_1) < 0 ||
	    expr_lookup(r, NFT_REG_1, RULELAN_SET_ZONE_LAN, NFT_LOOKUP_F_INV) < 0)
		return -ENOMEM;
	return expr_verdict(r, NFT_RETURN, NULL);
}

struct link_scope {
	uint8_t nfproto;
	uint8_t pkttype;
	/* the destination: a broadcast address (fib), or a prefix of it */
	const uint8_t *net, *mask;
};

/* A link-layer broadcast or multicast frame whose IP destination is a
 * broadcast or multicast address too.  Whole addresses with a prefix
 * mask, as nft writes them, so that `nft list` prints "ip6 daddr ff00::/8". */
static int body_link_scope(struct nftnl_rule *r, const void *arg)
{
	const struct link_scope *l = arg;
	uint32_t len = l->nfproto == NFPROTO_IPV6 ? 16 : 4, broadcast = RTN_BROADCAST;

	if (expr_nfproto_is(r, l->nfproto) < 0 || expr_meta(r, NFT_META_PKTTYPE, NFT_REG_1) < 0 ||
	    expr_cmp(r, NFT_CMP_EQ, &l->pkttype, 1) < 0)
		return -ENOMEM;
	if (!l->net) {
		if (expr_fib(r, NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE) < 0 ||
		    expr_cmp(r, NFT_CMP_EQ, &broadcast, sizeof(broadcast)) < 0)
			return -ENOMEM;
	} else if (expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, len == 16 ? 24 : 16, len,
				NFT_REG_1) < 0 || expr_bitwise_and(r, l->mask, len) < 0 ||
		   expr_cmp(r, NFT_CMP_EQ, l->net, len) < 0) {
		return -ENOMEM;
	}
	return expr_verdict(r, NF_ACCEPT, NULL);
}

static int put_lan_chain(struct batch *b, const struct lan *lan, int wan)
{
	static const struct lan_source sub4 = { AF_INET, 1, RULELAN_SET_SUBNETS_V4 },
				       sub6 = { AF_INET6, 1, RULELAN_SET_SUBNETS_V6 },
				       net4 = { AF_INET, 0, RULELAN_SET_NETS_V4 },
				       net6 = { AF_INET6, 0, RULELAN_SET_NETS_V6 },
				       ifs = { 0, 0, RULELAN_SET_IFACES };
	static const struct dhcp_reply dhcp4 = { NFPROTO_IPV4, 67, 68 },
				       dhcp6 = { NFPROTO_IPV6, 547, 546 };
	static const uint8_t mc4[4] = { 224 }, mask4[4] = { 0xf0 };
	static const uint8_t mc6[16] = { 0xff }, mask6[16] = { 0xff };
	static const struct link_scope bcast4 = { NFPROTO_IPV4, PACKET_BROADCAST, NULL, NULL },
				       mcast4 = { NFPROTO_IPV4, PACKET_MULTICAST, mc4, mask4 },
				       mcast6 = { NFPROTO_IPV6, PACKET_MULTICAST, mc6, mask6 };
	/* link scope: what cannot have crossed a router.  Rule comments read
	 * "PART: WHY" like the elements', for `status`. */
	nftmsg_rule_body link_scope = lan->link_scope ? body_link_scope : NULL;
	const struct nftmsg_rule rules[] = {
		{ "DHCPv4 replies to this host's own client, on any interface", body_dhcp_reply,
		  &dhcp4 },
		{ "DHCPv6 replies to this host's own client, on any interface", body_dhcp_reply,
		  &dhcp6 },
		{ "nothing arriving on a WAN interface is LAN", wan ? body_lan_wan : NULL, NULL },
		{ "reverse path: the source must be reachable through the interface it came in on",
		  body_lan_rpath, NULL },
		{ "LAN subnet (IPv4) on its own interface", body_lan_source, &sub4 },
		{ "LAN subnet (IPv6) on its own interface", body_lan_source, &sub6 },
		{ "LAN interface", body_lan_source, &ifs },
		{ "public and wan interfaces: nothing else is LAN there", body_not_lan_zone, NULL },
		{ "lan_networks (IPv4)", body_lan_source, &net4 },
		{ "lan_networks (IPv6)", body_lan_source, &net6 },
		{ "link-layer broadcast to a broadcast address: on lan interfaces (DHCPv4 from "
		  "0.0.0.0, ...)", link_scope, &bcast4 },
		{ "link-layer multicast to 224.0.0.0/4: on lan interfaces (mDNS, SSDP, ...)",
		  link_scope, &mcast4 },
		{ "link-layer multicast to ff00::/8: on lan interfaces (mDNS, DHCPv6 to "
		  "ff02::1:2, ...)", link_scope, &mcast6 },
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

static int same_iface_elem(const struct lan_iface *a, const struct lan_iface *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->z.why, b->z.why);
}

/* One interface from old to cur (either may be NULL): what differs goes
 * into del and add; returns the elements changed, or -errno. */
static int iface_changes(struct lan_elems *del, struct lan_elems *add,
			 const struct lan_iface *old, const struct lan_iface *cur)
{
	static const struct lan_iface none;
	unsigned i = 0, j = 0;
	int ret = 0, n = 0;

	if (!old)
		old = &none;
	if (!cur)
		cur = &none;
	if (old->name[0] && (!cur->name[0] || old->z.zone != cur->z.zone || !same_iface_elem(old, cur))) {
		ret = nftset_elems_push(&del->set[zone_index(old->z.zone)], iface_elem(old));
		n++;
	}
	if (!ret && cur->name[0] && (!old->name[0] || old->z.zone != cur->z.zone ||
				     !same_iface_elem(old, cur))) {
		ret = nftset_elems_push(&add->set[zone_index(cur->z.zone)], iface_elem(cur));
		n++;
	}
	if (!ret && old->z.every_source && (!cur->z.every_source || !same_iface_elem(old, cur))) {
		ret = nftset_elems_push(&del->set[SET_IFACES], iface_elem(old));
		n++;
	}
	if (!ret && cur->z.every_source && (!old->z.every_source || !same_iface_elem(old, cur))) {
		ret = nftset_elems_push(&add->set[SET_IFACES], iface_elem(cur));
		n++;
	}
	/* both sorted by lan_part_cmp(): one merge walk finds what changed */
	while (ret == 0 && (i < old->nsubnets || j < cur->nsubnets)) {
		int d = i == old->nsubnets ? 1 : j == cur->nsubnets ? -1 :
			lan_part_cmp(&old->subnets[i], &cur->subnets[j]);

		if (d == 0) {
			i++;
			j++;
			continue;
		}
		ret = d < 0 ? push_subnet(del, &old->subnets[i++]) : push_subnet(add, &cur->subnets[j++]);
		n++;
	}
	return ret < 0 ? ret : n;
}

int rulelan_build_changes(struct batch *b, const struct lan *lan, const struct lan_change *v,
			  unsigned n)
{
	struct lan_elems del, add;
	int ret = 0, changes = 0;
	unsigned i;

	lan_elems_init(&del, b, 1);
	lan_elems_init(&add, b, 0);
	for (i = 0; ret >= 0 && i < n; i++) {
		ret = iface_changes(&del, &add, lan_iface_find(lan, v[i].ifindex),
				    v[i].present ? &v[i].cur : NULL);
		changes += ret > 0 ? ret : 0;
	}
	if (ret > 0)
		ret = 0;
	/* removals first: an element that changes its reason is removed,
	 * then added, and a name that moves to another link is free */
	ret = lan_elems_end(&del, ret);
	ret = lan_elems_end(&add, ret);
	return ret < 0 ? ret : changes;
}
