// SPDX-License-Identifier: GPL-2.0-or-later
/* Which zone an interface is in, decided without I/O.
 *
 * Trust is a property of the network a packet comes from, so the admin's
 * word comes first, then NetworkManager's (whose connection zones are
 * firewalld's: a network the user called home, or a café's), and only
 * then a guess: a wired interface with a private subnet connected (or a
 * subnet of lan_networks, which the admin called the LAN) is a LAN; Wi-Fi and mobile broadband without a zone are public, as Windows
 * and firewalld treat a new network; an interface with nothing private is
 * public.  Container and VM bridges hold guests of this host. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "zone.h"

static const char *const bridge_prefixes[] = {
	"docker", "br-", "virbr", "lxcbr", "lxdbr", "incusbr", "podman", "cni",
};

/* firewalld's zones: those whose sources a user trusts, and the rest */
static const char *const lan_zones[] = {
	"trusted", "home", "work", "internal",
	/* NetworkManager's own for connections it shares, and those of VM and
	 * container managers: guests of this host */
	"nm-shared", "libvirt", "docker",
};

static const char *const public_zones[] = {
	"public", "external", "dmz", "block", "drop",
};

/* connection.type of networks a laptop joins on the road */
static const struct {
	const char *type, *what;
} roaming[] = {
	{ "802-11-wireless", "Wi-Fi" },
	{ "wifi-p2p", "Wi-Fi P2P" },
	{ "olpc-mesh", "mesh" },
	{ "gsm", "mobile broadband" },
	{ "cdma", "mobile broadband" },
	{ "wimax", "mobile broadband" },
	{ "bluetooth", "Bluetooth" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *zone_bridge_prefix(const char *name)
{
	unsigned i;

	for (i = 0; i < COUNT(bridge_prefixes); i++)
		if (!strncmp(name, bridge_prefixes[i], strlen(bridge_prefixes[i])))
			return bridge_prefixes[i];
	return NULL;
}

static int in_list(const char *s, const char *const *list, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

enum zone zone_of_firewalld(const char *name)
{
	return in_list(name, lan_zones, COUNT(lan_zones)) ? ZONE_LAN : ZONE_PUBLIC;
}

static void set(struct zone_result *out, enum zone z, int every, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct zone_result *out, enum zone z, int every, const char *fmt, ...)
{
	va_list ap;

	out->zone = z;
	out->every_source = every;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

/* lan_interfaces: a name, or a prefix ending in '*' */
static const char *lan_listed(const struct config *cfg, const char *name)
{
	unsigned i;

	if (cfg->lan_ifaces_mode == CONFIG_LAN_NONE)
		return NULL;
	for (i = 0; i < cfg->nlan_ifaces; i++) {
		const char *l = cfg->lan_ifaces[i];
		size_t len = strlen(l);

		if (!strcmp(l, name) || (len && l[len - 1] == '*' && !strncmp(l, name, len - 1)))
			return l;
	}
	return NULL;
}

static int wan_listed(const struct config *cfg, const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->nwan_ifaces; i++)
		if (!strcmp(cfg->wan_ifaces[i], name))
			return 1;
	return 0;
}

/* portwarden.conf: zone.NAME, then the lists, then zone.PREFIX* */
static int from_config(const struct config *cfg, const char *name, struct zone_result *out)
{
	const struct config_zone *z = config_zone_of(cfg, name);
	const char *listed;

	if (z && !strcmp(z->name, name)) {
		set(out, z->zone, 0, "zone.%s in portwarden.conf", z->name);
		return 1;
	}
	if (wan_listed(cfg, name)) {
		set(out, ZONE_WAN, 0, "wan_interfaces (router mode)");
		return 1;
	}
	listed = lan_listed(cfg, name);
	if (listed) {
		set(out, ZONE_LAN, 1, "lan_interfaces %s", listed);
		return 1;
	}
	if (z) {
		set(out, z->zone, 0, "zone.%s in portwarden.conf", z->name);
		return 1;
	}
	return 0;
}

static int from_nm(const struct zone_nm *nm, struct zone_result *out)
{
	unsigned i;

	if (nm->zone[0]) {
		enum zone z = zone_of_firewalld(nm->zone);
		int known = z == ZONE_LAN || in_list(nm->zone, public_zones, COUNT(public_zones));

		set(out, z, 0, "NetworkManager: connection \"%s\" in %szone %s", nm->id,
		    known ? "" : "unknown ", nm->zone);
		return 1;
	}
	for (i = 0; i < COUNT(roaming); i++)
		if (!strcmp(nm->type, roaming[i].type)) {
			set(out, ZONE_PUBLIC, 0, "NetworkManager: %s connection \"%s\" without a zone",
			    roaming[i].what, nm->id);
			return 1;
		}
	return 0;
}

static void from_facts(const struct config *cfg, const struct zone_facts *f,
		       struct zone_result *out)
{
	const char *bridge = zone_bridge_prefix(f->name);

	if (bridge && cfg->lan_ifaces_mode == CONFIG_LAN_AUTO)
		set(out, ZONE_LAN, 1, "container/VM bridge (%s*)", bridge);
	else if (f->wireless)
		set(out, ZONE_PUBLIC, 0, "Wi-Fi without a zone");
	else if (f->wwan)
		set(out, ZONE_PUBLIC, 0, "mobile broadband without a zone");
	else if (f->private_subnet)
		set(out, ZONE_LAN, 0, "private subnet %s connected", f->private_subnet);
	else if (f->listed_subnet)
		set(out, ZONE_LAN, 0, "subnet %s of lan_networks connected", f->listed_subnet);
	else if (f->global)
		set(out, ZONE_PUBLIC, 0, "only public addresses");
	else
		set(out, ZONE_PUBLIC, 0, "no private subnet connected");
}

void zone_decide(const struct config *cfg, const struct zone_facts *f, struct zone_result *out)
{
	memset(out, 0, sizeof(*out));
	if (from_config(cfg, f->name, out))
		return;
	if (f->nm && from_nm(f->nm, out))
		return;
	from_facts(cfg, f, out);
}
