// SPDX-License-Identifier: GPL-2.0-or-later
/* What counts as the LAN, decided without I/O.
 *
 * Each interface gets a zone (zone.c).  On a lan interface its connected
 * subnets that lie in private_networks count, each only on that
 * interface, and so do its link-local subnets (a neighbour's fe80:: or
 * 169.254 address; the latter only where this host has a 169.254 address
 * itself and so answers such neighbours on the link): a source in them
 * arriving on any other interface, or routed from further away, is not
 * LAN.  By default private_networks is RFC 1918 and IPv6 unique local
 * addresses (fc00::/7), which are never routed on the Internet.  The
 * shared address space of RFC 6598 (100.64.0.0/10) is left out on purpose:
 * it numbers the carrier side of carrier-grade NAT, so the neighbours in
 * such a subnet are other subscribers, and overlay VPNs hand out /32
 * addresses from it.  Public and wan interfaces hold nothing. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lan.h"
#include "netaddr.h"

#define LINK_LOCAL_WHY	"link-local: a neighbour on a lan interface"
#define NETWORK_WHY	"lan_networks, reverse-path checked, on lan interfaces"

static void set_net(struct config_net *net, int family, const uint8_t *addr, unsigned prefix)
{
	unsigned i, max = netaddr_len(family) * 8;

	memset(net, 0, sizeof(*net));
	net->family = family;
	net->prefix = (uint8_t)(prefix > max ? max : prefix);
	memcpy(net->addr, addr, netaddr_len(family));
	for (i = net->prefix; i < max; i++)
		net->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/* The defaults keep the names an admin knows them by */
static const char *range_name(const struct config_net *range)
{
	static const struct {
		const char *net, *name;
	} known[] = {
		{ "10.0.0.0/8", "RFC 1918" }, { "172.16.0.0/12", "RFC 1918" },
		{ "192.168.0.0/16", "RFC 1918" }, { "fc00::/7", "ULA" },
	};
	unsigned i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		struct config_net k;

		if (config_parse_net(known[i].net, &k) == 0 && k.family == range->family &&
		    k.prefix == range->prefix && !memcmp(k.addr, range->addr, sizeof(k.addr)))
			return known[i].name;
	}
	return "private_networks";
}

const char *lan_private_subnet(const struct config *cfg, int family, const uint8_t *addr,
			       unsigned prefix, struct config_net *net)
{
	int i = config_private_index(cfg, family, addr);
	const struct config_net *range;

	if (i < 0)
		return NULL;
	range = &cfg->private_nets[i];
	/* a subnet wider than the range would take other addresses in */
	set_net(net, family, addr, prefix < range->prefix ? range->prefix : prefix);
	return range_name(range);
}

static int is_link_local(int family, const uint8_t *a)
{
	return family == AF_INET ? (a[0] == 169 && a[1] == 254)
				 : (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
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
	d = net_cmp(&a->net, &b->net);
	return d ? d : strcmp(a->why, b->why);
}

static int part_qsort_cmp(const void *a, const void *b)
{
	return lan_part_cmp(a, b);
}

/* Sorted by address, a network comes before every network it contains, so
 * one pass against the parts kept so far removes nested and equal ones
 * (interval sets refuse overlapping elements). */
static unsigned normalize(struct lan_part *p, unsigned n)
{
	unsigned i, j, kept = 0;

	qsort(p, n, sizeof(*p), part_qsort_cmp);
	for (i = 0; i < n; i++) {
		for (j = 0; j < kept; j++)
			if (p[j].net.family == p[i].net.family && p[j].net.prefix <= p[i].net.prefix &&
			    config_net_contains(&p[j].net, p[i].net.family, p[i].net.addr))
				break;
		if (j == kept)
			p[kept++] = p[i];
	}
	return kept;
}

/* The interface's connected subnets worth a part: private ones (why says
 * which range) and link-local ones; *global is set when it has any other
 * address.  Host routes (/32, /128) name no neighbour. */
static unsigned candidate_subnets(const struct config *cfg, const struct lan_link *l,
				  struct lan_part *out, int *global)
{
	unsigned i, n = 0;

	*global = 0;
	for (i = 0; i < l->naddrs; i++) {
		const struct lan_addr *a = &l->addrs[i];
		int ll = is_link_local(a->family, a->addr), host = a->prefix >= netaddr_len(a->family) * 8;
		struct config_net net;
		const char *range = ll ? NULL : lan_private_subnet(cfg, a->family, a->addr,
								 a->prefix, &net);
		struct lan_part *p = &out[n];

		if (!ll && !range)
			*global = 1;
		if (host || (!ll && !range))
			continue;
		memset(p, 0, sizeof(*p));
		p->kind = LAN_PART_SUBNET;
		snprintf(p->ifname, sizeof(p->ifname), "%s", l->name);
		if (ll) {
			set_net(&p->net, a->family, a->addr, a->prefix);
			snprintf(p->why, sizeof(p->why), "%s", LINK_LOCAL_WHY);
		} else {
			p->net = net;
			snprintf(p->why, sizeof(p->why), "connected private subnet (%s)", range);
		}
		n++;
	}
	return normalize(out, n);
}

/* Which of the candidates stay on a lan interface: private subnets when
 * lan_networks has auto, link-local ones unless it is none */
static unsigned keep_subnets(const struct config *cfg, struct lan_part *p, unsigned n)
{
	unsigned i, kept = 0;

	for (i = 0; i < n; i++) {
		int ll = !strcmp(p[i].why, LINK_LOCAL_WHY);

		if (ll ? cfg->lan_nets_mode != CONFIG_LAN_NONE : cfg->lan_nets_mode == CONFIG_LAN_AUTO)
			p[kept++] = p[i];
	}
	return kept;
}

/* A connected subnet of l inside lan_networks, as "ADDR/PREFIX" */
static int listed_subnet(const struct config *cfg, const struct lan_link *l, char *out,
			 size_t cap)
{
	unsigned i, j;

	if (cfg->lan_nets_mode == CONFIG_LAN_NONE)
		return 0;
	for (i = 0; i < l->naddrs; i++) {
		const struct lan_addr *a = &l->addrs[i];

		if (a->prefix >= netaddr_len(a->family) * 8)
			continue;	/* a host route names no neighbour */
		for (j = 0; j < cfg->nlan_nets; j++)
			if (config_net_contains(&cfg->lan_nets[j], a->family, a->addr)) {
				struct config_net net;
				char text[INET6_ADDRSTRLEN];

				set_net(&net, a->family, a->addr, a->prefix);
				inet_ntop(net.family, net.addr, text, sizeof(text));
				snprintf(out, cap, "%s/%u", text, net.prefix);
				return 1;
			}
	}
	return 0;
}

int lan_iface_compute(const struct lan_host *host, const struct config *cfg, uint32_t ifindex,
		      struct lan_iface *out)
{
	const struct lan_link *l = lanhost_find(host, ifindex);
	char first[LAN_WHY_MAX], listed[LAN_WHY_MAX], net[INET6_ADDRSTRLEN];
	struct zone_facts facts = { 0 };
	struct lan_part *parts;
	unsigned i, n;
	int global;

	memset(out, 0, sizeof(*out));
	if (!l || l->port || (l->flags & IFF_LOOPBACK) || !l->name[0])
		return 0;
	parts = calloc(l->naddrs ? l->naddrs : 1, sizeof(*parts));
	if (!parts)
		return -ENOMEM;
	n = candidate_subnets(cfg, l, parts, &global);
	facts.name = l->name;
	facts.wireless = l->wireless;
	facts.wwan = l->wwan;
	facts.global = global;
	facts.nm = lanhost_nm(host, l->name);
	/* the first private subnet, for the reason of the zone */
	for (i = 0; i < n; i++) {
		struct config_net range;
		const char *name = lan_private_subnet(cfg, parts[i].net.family, parts[i].net.addr,
						      parts[i].net.prefix, &range);

		if (name) {
			inet_ntop(parts[i].net.family, parts[i].net.addr, net, sizeof(net));
			snprintf(first, sizeof(first), "%s/%u (%s)", net, parts[i].net.prefix, name);
			facts.private_subnet = first;
			break;
		}
	}
	if (!facts.private_subnet && listed_subnet(cfg, l, listed, sizeof(listed)))
		facts.listed_subnet = listed;
	out->ifindex = ifindex;
	memcpy(out->name, l->name, sizeof(out->name));
	zone_decide(cfg, &facts, &out->z);
	out->nsubnets = out->z.zone == ZONE_LAN ? keep_subnets(cfg, parts, n) : 0;
	if (out->nsubnets)
		out->subnets = parts;
	else
		free(parts);
	return 1;
}

void lan_iface_free(struct lan_iface *e)
{
	free(e->subnets);
	e->subnets = NULL;
	e->nsubnets = 0;
}

int lan_iface_equal(const struct lan_iface *a, const struct lan_iface *b)
{
	unsigned i;

	if (a->ifindex != b->ifindex || strcmp(a->name, b->name) || a->z.zone != b->z.zone ||
	    a->z.every_source != b->z.every_source || strcmp(a->z.why, b->z.why) ||
	    a->nsubnets != b->nsubnets)
		return 0;
	for (i = 0; i < a->nsubnets; i++)
		if (lan_part_cmp(&a->subnets[i], &b->subnets[i]))
			return 0;
	return 1;
}

/* The position of ifindex, or of where it would go */
static unsigned position(const struct lan *lan, uint32_t ifindex)
{
	unsigned lo = 0, hi = lan->nifaces;

	if (hi && lan->ifaces[hi - 1].ifindex < ifindex)
		return hi;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (lan->ifaces[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct lan_iface *lan_iface_find(const struct lan *lan, uint32_t ifindex)
{
	unsigned i = position(lan, ifindex);

	return i < lan->nifaces && lan->ifaces[i].ifindex == ifindex ? &lan->ifaces[i] : NULL;
}

int lan_iface_set(struct lan *lan, struct lan_iface *e)
{
	unsigned i = position(lan, e->ifindex);

	if (i < lan->nifaces && lan->ifaces[i].ifindex == e->ifindex) {
		lan_iface_free(&lan->ifaces[i]);
		lan->ifaces[i] = *e;
		return 0;
	}
	if (lan->nifaces == lan->cap) {
		unsigned cap = lan->cap ? 2 * lan->cap : 64;
		struct lan_iface *grown = realloc(lan->ifaces, cap * sizeof(*grown));

		if (!grown) {
			lan_iface_free(e);
			lan->left_out++;
			return -ENOMEM;
		}
		lan->ifaces = grown;
		lan->cap = cap;
	}
	memmove(&lan->ifaces[i + 1], &lan->ifaces[i], (lan->nifaces - i) * sizeof(*e));
	lan->ifaces[i] = *e;
	lan->nifaces++;
	return 0;
}

void lan_iface_remove(struct lan *lan, uint32_t ifindex)
{
	unsigned i = position(lan, ifindex);

	if (i >= lan->nifaces || lan->ifaces[i].ifindex != ifindex)
		return;
	lan_iface_free(&lan->ifaces[i]);
	memmove(&lan->ifaces[i], &lan->ifaces[i + 1], (lan->nifaces - i - 1) * sizeof(lan->ifaces[0]));
	lan->nifaces--;
}

void lan_free(struct lan *lan)
{
	unsigned i;

	for (i = 0; i < lan->nifaces; i++)
		lan_iface_free(&lan->ifaces[i]);
	free(lan->ifaces);
	free(lan->nets);
	memset(lan, 0, sizeof(*lan));
}

static void add_networks(struct lan *lan, const struct config *cfg)
{
	unsigned i;

	if (cfg->lan_nets_mode == CONFIG_LAN_NONE || !cfg->nlan_nets)
		return;
	lan->nets = calloc(cfg->nlan_nets, sizeof(*lan->nets));
	if (!lan->nets) {
		lan->left_out += cfg->nlan_nets;
		return;
	}
	for (i = 0; i < cfg->nlan_nets; i++) {
		struct lan_part *p = &lan->nets[i];

		p->kind = LAN_PART_NETWORK;
		p->net = cfg->lan_nets[i];
		snprintf(p->why, sizeof(p->why), "%s", NETWORK_WHY);
	}
	lan->nnets = normalize(lan->nets, cfg->nlan_nets);
}

void lan_compute(const struct lan_host *host, const struct config *cfg, struct lan *lan)
{
	unsigned i;

	lan_free(lan);
	lan->link_scope = cfg->lan_nets_mode != CONFIG_LAN_NONE;
	add_networks(lan, cfg);
	for (i = 0; i < host->nlinks; i++) {
		struct lan_iface e;
		int ret = lan_iface_compute(host, cfg, host->links[i].ifindex, &e);

		if (ret < 0)
			lan->left_out++;
		else if (ret > 0)
			lan_iface_set(lan, &e);
	}
}

unsigned lan_count_zone(const struct lan *lan, enum zone z)
{
	unsigned i, n = 0;

	for (i = 0; i < lan->nifaces; i++)
		n += lan->ifaces[i].z.zone == z;
	return n;
}

const char *lan_address_reason(const struct lan *lan, int family, const uint8_t *addr)
{
	unsigned i, j;
	int any_lan = 0;

	for (i = 0; i < lan->nifaces; i++) {
		const struct lan_iface *e = &lan->ifaces[i];

		any_lan |= e->z.zone == ZONE_LAN;
		for (j = 0; j < e->nsubnets; j++)
			if (config_net_contains(&e->subnets[j].net, family, addr))
				return e->subnets[j].why;
	}
	for (i = 0; any_lan && i < lan->nnets; i++)
		if (config_net_contains(&lan->nets[i].net, family, addr))
			return lan->nets[i].why;
	return NULL;
}

void lan_part_name(const struct lan_part *p, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN] = "";

	inet_ntop(p->net.family, p->net.addr, addr, sizeof(addr));
	if (p->kind == LAN_PART_SUBNET)
		snprintf(out, cap, "%s/%u on %s", addr, p->net.prefix, p->ifname);
	else
		snprintf(out, cap, "%s/%u", addr, p->net.prefix);
}
