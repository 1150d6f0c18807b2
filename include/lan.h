/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LAN_H
#define PORTWARDEN_LAN_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lanhost.h"
#include "zone.h"

/* The effective LAN: each interface's zone and, on lan interfaces, the
 * sources that may reach lan-only ports, each with the reason it is
 * there.  Computed without I/O from the host (lanhost.h) and the
 * configuration, one interface at a time, so that a change costs what it
 * touches; the kernel's sets (rulelan.c) hold exactly this. */

#define LAN_WHY_MAX	ZONE_WHY_MAX

enum lan_part_kind {
	LAN_PART_SUBNET,	/* a network, only on the interface it lives on */
	LAN_PART_NETWORK,	/* lan_networks: on lan interfaces routing back to it */
};

struct lan_part {
	enum lan_part_kind kind;
	char ifname[IFNAMSIZ];	/* SUBNET */
	struct config_net net;
	char why[LAN_WHY_MAX];
};

/* One interface's place: its zone and, in zone lan, its connected private
 * and link-local subnets (sorted, none inside another) */
struct lan_iface {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	struct zone_result z;
	struct lan_part *subnets;
	unsigned nsubnets;
};

struct lan {
	struct lan_iface *ifaces;	/* sorted by ifindex */
	unsigned nifaces, cap;
	struct lan_part *nets;	/* lan_networks, merged */
	unsigned nnets;
	/* link-local subnets and link-layer broadcast and multicast count on
	 * lan interfaces (lan_networks is not "none") */
	int link_scope;
	unsigned left_out;	/* interfaces not kept: out of memory */
};

/* Replaces lan's content with the LAN of host for cfg.  A zeroed struct
 * lan is an empty one. */
void lan_compute(const struct lan_host *host, const struct config *cfg, struct lan *lan);
void lan_free(struct lan *lan);

/* The place of interface ifindex: 1 with out filled (its subnets to free
 * with lan_iface_free, or to hand to lan_iface_set), 0 when it has none
 * (gone, loopback, a port of a bridge), -ENOMEM. */
int lan_iface_compute(const struct lan_host *host, const struct config *cfg, uint32_t ifindex,
		      struct lan_iface *out);
void lan_iface_free(struct lan_iface *e);
int lan_iface_equal(const struct lan_iface *a, const struct lan_iface *b);
const struct lan_iface *lan_iface_find(const struct lan *lan, uint32_t ifindex);
/* Puts e in place of its ifindex's entry, taking its subnets over; 0 or
 * -ENOMEM (e is freed then). */
int lan_iface_set(struct lan *lan, struct lan_iface *e);
void lan_iface_remove(struct lan *lan, uint32_t ifindex);

/* How many interfaces are in zone z */
unsigned lan_count_zone(const struct lan *lan, enum zone z);

/* When addr lies in one of cfg's private_networks, writes the subnet
 * addr/prefix (clipped to that network when wider) to net and returns the
 * network's name ("RFC 1918", "ULA", "private_networks"); otherwise NULL. */
const char *lan_private_subnet(const struct config *cfg, int family, const uint8_t *addr,
			       unsigned prefix, struct config_net *net);

/* The part of the LAN an address belongs to when the interface it comes
 * in on is not known (a connection listed in /proc, an address to explain):
 * subnets of lan interfaces, and lan_networks when there is one.  Returns
 * the reason, or NULL. */
const char *lan_address_reason(const struct lan *lan, int family, const uint8_t *addr);

/* "192.0.2.0/24 on eth1", "192.0.2.0/24" */
void lan_part_name(const struct lan_part *p, char *out, size_t cap);
int lan_part_cmp(const struct lan_part *a, const struct lan_part *b);

#endif
