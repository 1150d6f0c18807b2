// SPDX-License-Identifier: GPL-2.0-or-later
/* The advice of `portwarden why`: never "everyone" where a network fits. */
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "whyadvice.h"

/* Overlay networks that hand out addresses of their own: admitting the
 * overlay admits its peers, whose address may change within it. */
static const struct {
	int family;
	uint8_t addr[16];
	uint8_t prefix;
	const char *name;
} overlays[] = {
	{ AF_INET, { 100, 64 }, 10, "Tailscale or another CGNAT overlay (100.64.0.0/10)" },
	{ AF_INET6, { 0xfd, 0x7a, 0x11, 0x5c, 0xa1, 0xe0 }, 48, "Tailscale (fd7a:115c:a1e0::/48)" },
};

/* interfaces of overlays whose addresses the admin chose */
static const char *const overlay_ifaces[] = { "tailscale*", "wg*", "zt*" };

const char *whyadvice_overlay_range(int family, const uint8_t *addr, struct config_net *net)
{
	size_t i;

	for (i = 0; i < sizeof(overlays) / sizeof(overlays[0]); i++) {
		struct config_net n = { .family = overlays[i].family, .prefix = overlays[i].prefix };

		memcpy(n.addr, overlays[i].addr, 16);
		if (config_net_contains(&n, family, addr)) {
			*net = n;
			return overlays[i].name;
		}
	}
	return NULL;
}

static int overlay_iface(const char *iif)
{
	size_t i;

	for (i = 0; iif && i < sizeof(overlay_ifaces) / sizeof(overlay_ifaces[0]); i++)
		if (!fnmatch(overlay_ifaces[i], iif, 0))
			return 1;
	return 0;
}

/* The network of iif's address that holds addr: the overlay's own. */
static int iface_network(const struct lan_host *host, const char *iif, int family,
			 const uint8_t *addr, struct config_net *out)
{
	unsigned i, k, len = netaddr_len(family);

	for (i = 0; host && i < host->nlinks; i++) {
		if (strcmp(host->links[i].name, iif))
			continue;
		for (k = 0; k < host->links[i].naddrs; k++) {
			const struct lan_addr *a = &host->links[i].addrs[k];
			struct config_net n = { .family = family, .prefix = a->prefix };
			unsigned b;

			if (a->family != family || a->prefix == 0 || a->prefix >= len * 8)
				continue;
			memcpy(n.addr, a->addr, len);
			for (b = n.prefix; b < len * 8; b++)
				n.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
			if (config_net_contains(&n, family, addr)) {
				*out = n;
				return 1;
			}
		}
	}
	return 0;
}

static void add_from(struct whyadvice *a, int family, const uint8_t *addr, unsigned prefix,
		     const char *what)
{
	struct config_net *n = &a->from[a->nfrom];
	unsigned len = netaddr_len(family), b;

	if (a->nfrom == WHYADVICE_FROM_MAX)
		return;
	memset(n, 0, sizeof(*n));
	n->family = family;
	n->prefix = (uint8_t)prefix;
	memcpy(n->addr, addr, len);
	for (b = prefix; b < len * 8; b++)
		n->addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	snprintf(a->from_what[a->nfrom++], sizeof(a->from_what[0]), "%s", what);
}

void whyadvice_compute(const struct policy_entry *e, int family, const uint8_t *addr,
		       const char *iif, int in_lan, const struct lan_host *host,
		       struct whyadvice *a)
{
	unsigned host_prefix = family == AF_INET ? 32 : 128;
	struct config_net net;
	const char *name;

	memset(a, 0, sizeof(*a));
	a->listed = policy_source_of(e, family, addr);
	a->lan = e->kind == POLICY_LAN_ONLY && in_lan;
	if (a->listed || a->lan)
		return;
	name = whyadvice_overlay_range(family, addr, &net);
	if (name) {
		snprintf(a->overlay, sizeof(a->overlay), "%s", name);
		add_from(a, family, net.addr, net.prefix, "the overlay network");
	} else if (overlay_iface(iif)) {
		snprintf(a->overlay, sizeof(a->overlay), "an overlay interface (%.40s)", iif);
		if (iface_network(host, iif, family, addr, &net))
			add_from(a, family, net.addr, net.prefix, "the overlay network");
	}
	add_from(a, family, addr, host_prefix, "this address only");
	if (!a->overlay[0])
		add_from(a, family, addr, family == AF_INET ? 24 : 64,
			 family == AF_INET ? "its /24" : "its /64");
	a->lan_fits = in_lan && e->kind == POLICY_LOOPBACK_ONLY;
}
