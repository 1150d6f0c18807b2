// SPDX-License-Identifier: GPL-2.0-or-later
/* What counts as the LAN, decided without I/O.
 *
 * Private ranges: RFC 1918 and IPv6 unique local addresses (fc00::/7) are
 * never routed on the Internet, so a directly connected subnet in them is a
 * local network.  The shared address space of RFC 6598 (100.64.0.0/10) is
 * left out on purpose: it numbers the carrier side of carrier-grade NAT, so
 * the neighbours in such a subnet are other subscribers, and overlay VPNs
 * hand out /32 addresses from it.  Each subnet is bound to its interface:
 * the same addresses arriving anywhere else are not LAN. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lan.h"

static const struct {
	int family;
	uint8_t addr[16];
	uint8_t prefix;
	const char *name;
} private_ranges[] = {
	{ AF_INET, { 10 }, 8, "RFC 1918" },
	{ AF_INET, { 172, 16 }, 12, "RFC 1918" },
	{ AF_INET, { 192, 168 }, 16, "RFC 1918" },
	{ AF_INET6, { 0xfc }, 7, "ULA" },
};

/* Host-internal bridges of container and VM managers: what arrives on them
 * comes from guests of this host. */
static const char *const bridge_prefixes[] = {
	"docker", "br-", "virbr", "lxcbr", "lxdbr", "incusbr", "podman", "cni",
};

static unsigned addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void set_net(struct config_net *net, int family, const uint8_t *addr, unsigned prefix)
{
	unsigned i, max = addr_len(family) * 8;

	memset(net, 0, sizeof(*net));
	net->family = family;
	net->prefix = (uint8_t)(prefix > max ? max : prefix);
	memcpy(net->addr, addr, addr_len(family));
	for (i = net->prefix; i < max; i++)
		net->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

const char *lan_private_subnet(int family, const uint8_t *addr, unsigned prefix,
			       struct config_net *net)
{
	unsigned i;

	for (i = 0; i < sizeof(private_ranges) / sizeof(private_ranges[0]); i++) {
		struct config_net range;

		if (private_ranges[i].family != family)
			continue;
		set_net(&range, family, private_ranges[i].addr, private_ranges[i].prefix);
		if (!config_net_contains(&range, family, addr))
			continue;
		/* a subnet wider than the range would take public addresses in */
		set_net(net, family, addr, prefix < range.prefix ? range.prefix : prefix);
		return private_ranges[i].name;
	}
	return NULL;
}

const char *lan_bridge_prefix(const char *name)
{
	unsigned i;

	for (i = 0; i < sizeof(bridge_prefixes) / sizeof(bridge_prefixes[0]); i++)
		if (!strncmp(name, bridge_prefixes[i], strlen(bridge_prefixes[i])))
			return bridge_prefixes[i];
	return NULL;
}

static int lan_is_wan(const struct lan *lan, const char *ifname)
{
	unsigned i;

	for (i = 0; i < lan->nwan; i++)
		if (!strcmp(lan->wan[i], ifname))
			return 1;
	return 0;
}

static const struct lan_link *find_link(const struct lan_host *host, uint32_t ifindex)
{
	unsigned i;

	for (i = 0; i < host->nlinks; i++)
		if (host->links[i].ifindex == ifindex)
			return &host->links[i];
	return NULL;
}

static struct lan_part *add_part(struct lan *lan, enum lan_part_kind kind, const char *ifname,
				 const char *why, const char *detail)
{
	struct lan_part *p;

	if (lan->nparts == LAN_PARTS_MAX) {
		lan->dropped++;
		return NULL;
	}
	p = &lan->parts[lan->nparts++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (ifname)
		snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	snprintf(p->why, sizeof(p->why), "%s%s", why, detail);
	return p;
}

static void add_subnets(struct lan *lan, const struct lan_host *host)
{
	unsigned i;

	for (i = 0; i < host->naddrs; i++) {
		const struct lan_addr *a = &host->addrs[i];
		const struct lan_link *l = find_link(host, a->ifindex);
		struct config_net net;
		struct lan_part *p;
		const char *range;
		char why[LAN_WHY_MAX];

		/* a host route (/32, /128) names no neighbour */
		if (!l || (l->flags & IFF_LOOPBACK) || lan_is_wan(lan, l->name) ||
		    a->prefix >= addr_len(a->family) * 8)
			continue;
		range = lan_private_subnet(a->family, a->addr, a->prefix, &net);
		if (!range)
			continue;
		snprintf(why, sizeof(why), "connected private subnet (%s)", range);
		p = add_part(lan, LAN_PART_SUBNET, l->name, why, "");
		if (p)
			p->net = net;
	}
}

static void add_iface(struct lan *lan, const char *name, const char *why, const char *detail)
{
	if (!lan_is_wan(lan, name))
		add_part(lan, LAN_PART_IFACE, name, why, detail);
}

static void add_auto_ifaces(struct lan *lan, const struct lan_host *host)
{
	unsigned i;

	for (i = 0; i < host->nlinks; i++) {
		const char *prefix = lan_bridge_prefix(host->links[i].name);
		char why[LAN_WHY_MAX];

		if (!prefix)
			continue;
		snprintf(why, sizeof(why), "container/VM bridge (%s*)", prefix);
		add_iface(lan, host->links[i].name, why, "");
	}
}

static void add_listed_ifaces(struct lan *lan, const struct lan_host *host,
			      const struct config *cfg)
{
	unsigned i, j;

	for (i = 0; i < cfg->nlan_ifaces; i++) {
		const char *name = cfg->lan_ifaces[i];
		size_t len = strlen(name);

		if (!len || name[len - 1] != '*') {
			add_iface(lan, name, "lan_interfaces ", name);
			continue;
		}
		for (j = 0; j < host->nlinks; j++)
			if (!strncmp(host->links[j].name, name, len - 1))
				add_iface(lan, host->links[j].name, "lan_interfaces ", name);
	}
}

static void add_networks(struct lan *lan, const struct config *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->nlan_nets; i++) {
		struct lan_part *p = add_part(lan, LAN_PART_NETWORK, NULL,
					      "lan_networks, reverse-path checked", "");

		if (p)
			p->net = cfg->lan_nets[i];
	}
}

static int net_cmp(const struct config_net *a, const struct config_net *b)
{
	int d;

	if (a->family != b->family)
		return a->family - b->family;
	d = memcmp(a->addr, b->addr, sizeof(a->addr));
	return d ? d : a->prefix - b->prefix;
}

int lan_part_cmp(const struct lan_part *a, const struct lan_part *b)
{
	int d;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	d = strcmp(a->ifname, b->ifname);
	if (d)
		return d;
	d = a->kind == LAN_PART_IFACE ? 0 : net_cmp(&a->net, &b->net);
	return d ? d : strcmp(a->why, b->why);
}

int lan_equal(const struct lan *a, const struct lan *b)
{
	unsigned i;

	if (a->nparts != b->nparts || a->link_scope != b->link_scope)
		return 0;
	for (i = 0; i < a->nparts; i++)
		if (lan_part_cmp(&a->parts[i], &b->parts[i]))
			return 0;
	return 1;
}

static int part_qsort_cmp(const void *a, const void *b)
{
	return lan_part_cmp(a, b);
}

/* covered: the same interface (and kind) already holds a network that
 * contains this one; interval sets refuse overlapping elements */
static int covered(const struct lan_part *keep, const struct lan_part *p)
{
	if (keep->kind != p->kind || strcmp(keep->ifname, p->ifname))
		return 0;
	if (p->kind == LAN_PART_IFACE)
		return 1;
	return keep->net.family == p->net.family && keep->net.prefix <= p->net.prefix &&
	       config_net_contains(&keep->net, p->net.family, p->net.addr);
}

/* Sorted by address, a network comes before every network it contains, so
 * one pass against the parts kept so far removes nested and equal ones. */
static void normalize(struct lan *lan)
{
	unsigned i, j, n = 0;

	qsort(lan->parts, lan->nparts, sizeof(lan->parts[0]), part_qsort_cmp);
	for (i = 0; i < lan->nparts; i++) {
		for (j = 0; j < n; j++)
			if (covered(&lan->parts[j], &lan->parts[i]))
				break;
		if (j == n)
			lan->parts[n++] = lan->parts[i];
	}
	lan->nparts = n;
}

void lan_compute(const struct lan_host *host, const struct config *cfg, struct lan *lan)
{
	unsigned i;

	memset(lan, 0, sizeof(*lan));
	for (i = 0; i < cfg->nwan_ifaces && i < CONFIG_LIST_MAX; i++)
		memcpy(lan->wan[lan->nwan++], cfg->wan_ifaces[i], IFNAMSIZ);
	lan->link_scope = cfg->lan_nets_mode != CONFIG_LAN_NONE;
	if (cfg->lan_nets_mode == CONFIG_LAN_AUTO)
		add_subnets(lan, host);
	else if (cfg->lan_nets_mode == CONFIG_LAN_LIST)
		add_networks(lan, cfg);
	if (cfg->lan_ifaces_mode == CONFIG_LAN_AUTO)
		add_auto_ifaces(lan, host);
	else if (cfg->lan_ifaces_mode == CONFIG_LAN_LIST)
		add_listed_ifaces(lan, host, cfg);
	normalize(lan);
}

static int is_link_local(int family, const uint8_t *a)
{
	return family == AF_INET ? (a[0] == 169 && a[1] == 254)
				 : (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* The table asks the link layer (meta pkttype); without it, the destination
 * address tells multicast, and the limited broadcast DHCP uses. */
static int is_link_broadcast(int family, const uint8_t *a)
{
	static const uint8_t all_ones[4] = { 255, 255, 255, 255 };

	if (family == AF_INET6)
		return a[0] == 0xff;
	return (a[0] & 0xf0) == 224 || !memcmp(a, all_ones, 4);
}

const char *lan_source_reason(const struct lan *lan, int family, const uint8_t *saddr,
			      const uint8_t *daddr, const char *iifname)
{
	unsigned i;

	if (!iifname[0] || lan_is_wan(lan, iifname))
		return NULL;
	for (i = 0; i < lan->nparts; i++) {
		const struct lan_part *p = &lan->parts[i];

		if (p->kind == LAN_PART_NETWORK || strcmp(p->ifname, iifname))
			continue;
		if (p->kind == LAN_PART_IFACE || config_net_contains(&p->net, family, saddr))
			return p->why;
	}
	if (lan->link_scope && is_link_local(family, saddr))
		return "link-local source";
	if (lan->link_scope && is_link_broadcast(family, daddr))
		return "broadcast or multicast destination";
	return NULL;
}

const char *lan_address_reason(const struct lan *lan, int family, const uint8_t *addr)
{
	unsigned i;

	for (i = 0; i < lan->nparts; i++) {
		const struct lan_part *p = &lan->parts[i];

		if (p->kind != LAN_PART_IFACE && config_net_contains(&p->net, family, addr))
			return p->why;
	}
	if (lan->link_scope && is_link_local(family, addr))
		return "link-local source";
	return NULL;
}

void lan_part_name(const struct lan_part *p, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN] = "";

	if (p->kind != LAN_PART_IFACE)
		inet_ntop(p->net.family, p->net.addr, addr, sizeof(addr));
	if (p->kind == LAN_PART_IFACE)
		snprintf(out, cap, "%s", p->ifname);
	else if (p->kind == LAN_PART_SUBNET)
		snprintf(out, cap, "%s/%u on %s", addr, p->net.prefix, p->ifname);
	else
		snprintf(out, cap, "%s/%u", addr, p->net.prefix);
}
