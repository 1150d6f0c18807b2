/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LAN_H
#define PORTWARDEN_LAN_H

#include <net/if.h>
#include <stdint.h>

#include "config.h"

/* The effective LAN: which sources may reach lan-only ports, each part with
 * the reason it is there.  Computed by a pure function from the host's
 * interfaces and addresses (read from rtnetlink elsewhere) and the
 * configuration, so the kernel sets, `status` and the worker agree. */

#define LAN_LINKS_MAX	1024
#define LAN_ADDRS_MAX	1024
#define LAN_PARTS_MAX	512
#define LAN_WHY_MAX	64

struct lan_link {
	uint32_t ifindex;
	unsigned flags;		/* IFF_* */
	char name[IFNAMSIZ];
};

/* An address as the kernel's connected route sees it: IFA_ADDRESS (the
 * peer on point-to-point links) and its prefix length. */
struct lan_addr {
	uint32_t ifindex;
	int family;
	uint8_t addr[16];
	uint8_t prefix;
};

struct lan_host {
	struct lan_link links[LAN_LINKS_MAX];
	unsigned nlinks;
	struct lan_addr addrs[LAN_ADDRS_MAX];
	unsigned naddrs;
	unsigned dropped;	/* links or addresses past the limits, not counted */
};

enum lan_part_kind {
	LAN_PART_SUBNET,	/* a network, only on the interface it lives on */
	LAN_PART_IFACE,		/* every source arriving on an interface */
	LAN_PART_NETWORK,	/* a configured network, on the interface routing back to it */
};

struct lan_part {
	enum lan_part_kind kind;
	char ifname[IFNAMSIZ];	/* SUBNET and IFACE */
	struct config_net net;	/* SUBNET and NETWORK */
	char why[LAN_WHY_MAX];
};

struct lan {
	struct lan_part parts[LAN_PARTS_MAX];
	unsigned nparts;
	unsigned dropped;	/* parts past LAN_PARTS_MAX */
	/* link-local sources and link-layer broadcast/multicast count */
	int link_scope;
	/* nothing arriving on these is LAN (wan_interfaces) */
	char wan[CONFIG_LIST_MAX][IFNAMSIZ];
	unsigned nwan;
};

/* Fills lan (sorted, without duplicates or nested subnets on one
 * interface) from what the host has and what cfg asks for. */
void lan_compute(const struct lan_host *host, const struct config *cfg, struct lan *lan);

/* When addr/prefix lies in a private range (RFC 1918, ULA), writes the
 * subnet, clipped to the range when the prefix is wider, to net and
 * returns the range's name; otherwise NULL. */
const char *lan_private_subnet(int family, const uint8_t *addr, unsigned prefix,
			       struct config_net *net);

/* The host-internal bridge prefix (docker, virbr, ...) name starts with,
 * or NULL. */
const char *lan_bridge_prefix(const char *name);

/* Is a packet from saddr to daddr arriving on iifname from the LAN, as far
 * as user space can tell: the table adds a reverse-path check that only
 * the kernel can make, so configured networks (which rely on it alone) do
 * not count here.  Returns the reason, or NULL. */
const char *lan_source_reason(const struct lan *lan, int family, const uint8_t *saddr,
			      const uint8_t *daddr, const char *iifname);

/* The part of the LAN an address belongs to when the interface it comes
 * in on is not known (a connection listed in /proc, an address to explain):
 * subnets on any of their interfaces, configured networks, link-local.
 * Returns the reason, or NULL. */
const char *lan_address_reason(const struct lan *lan, int family, const uint8_t *addr);

/* "192.0.2.0/24 on eth1", "docker0", "192.0.2.0/24" */
void lan_part_name(const struct lan_part *p, char *out, size_t cap);
int lan_part_cmp(const struct lan_part *a, const struct lan_part *b);
/* Same parts (compared with lan_part_cmp) and the same link scope. */
int lan_equal(const struct lan *a, const struct lan *b);

#endif
