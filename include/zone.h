/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ZONE_H
#define PORTWARDEN_ZONE_H

#include <net/if.h>

#include "config.h"

/* The zone of an interface (lan, public or wan) and why, decided without
 * I/O from, in this order: portwarden.conf, NetworkManager's connection on
 * the interface, and what the host knows of it (auto). */

#define ZONE_WHY_MAX	96

/* NetworkManager's active connection on an interface, its strings cut to
 * printable ASCII */
struct zone_nm {
	char ifname[IFNAMSIZ];
	char zone[32];		/* connection.zone (a firewalld zone), "" for none */
	char type[32];		/* connection.type: 802-3-ethernet, 802-11-wireless, gsm, ... */
	char id[40];		/* connection.id */
};

/* What is known of one interface */
struct zone_facts {
	const char *name;
	int wireless;		/* Wi-Fi (sysfs: wireless, phy80211, DEVTYPE=wlan) */
	int wwan;		/* mobile broadband (DEVTYPE=wwan) */
	/* its first connected subnet in private_networks ("192.0.2.0/24
	 * (RFC 1918)"), or NULL */
	const char *private_subnet;
	/* else its first connected subnet in lan_networks ("192.0.2.0/24"),
	 * or NULL */
	const char *listed_subnet;
	int global;		/* it has an address that is neither private nor link-local */
	const struct zone_nm *nm;	/* NULL: NetworkManager does not manage it */
};

struct zone_result {
	enum zone zone;		/* never ZONE_AUTO */
	/* lan_interfaces or a container/VM bridge: every source arriving on
	 * it is LAN, not only its subnets */
	int every_source;
	char why[ZONE_WHY_MAX];
};

void zone_decide(const struct config *cfg, const struct zone_facts *f, struct zone_result *out);

/* A firewalld zone NetworkManager names: lan or public (unknown zones are
 * public) */
enum zone zone_of_firewalld(const char *name);

/* The host-internal bridge prefix (docker, virbr, ...) name starts with,
 * or NULL */
const char *zone_bridge_prefix(const char *name);

#endif
