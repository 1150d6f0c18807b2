/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LANHOST_H
#define PORTWARDEN_LANHOST_H

#include <net/if.h>
#include <stdint.h>

#include "zone.h"

/* The host's interfaces and addresses as rtnetlink announces them, kept
 * up to date one change at a time (lanwatch.c), and what NetworkManager
 * says of them (nmwatch.c).  Grows with the host: no fixed limit. */

/* An address as the kernel's connected route sees it: IFA_ADDRESS (the
 * peer on point-to-point links) and its prefix length. */
struct lan_addr {
	int family;
	uint8_t addr[16];
	uint8_t prefix;
};

struct lan_link {
	uint32_t ifindex;
	unsigned flags;		/* IFF_* */
	char name[IFNAMSIZ];
	char kind[16];		/* IFLA_INFO_KIND: veth, bridge, ...; "" for hardware */
	/* a port of a bridge, bond or team: packets reach the host through
	 * its master, so it is no interface of the LAN itself */
	int port;
	/* read from sysfs for this name (see linkinfo.h) */
	int facts_read, wireless, wwan;
	struct lan_addr *addrs;
	unsigned naddrs, cap;
};

struct lan_host {
	struct lan_link *links;	/* sorted by ifindex */
	unsigned nlinks, cap;
	/* NetworkManager's active connections, by interface name */
	struct zone_nm *nm;
	unsigned nnm;
	unsigned left_out;	/* links or addresses not kept: out of memory */
};

struct lan_link *lanhost_find(const struct lan_host *h, uint32_t ifindex);
/* The link, created when new; NULL when out of memory (counted). */
struct lan_link *lanhost_add(struct lan_host *h, uint32_t ifindex);
void lanhost_del(struct lan_host *h, uint32_t ifindex);
/* Adds an address, or refreshes it when the link has it already. */
int lanhost_addr_add(struct lan_host *h, struct lan_link *l, const struct lan_addr *a);
void lanhost_addr_del(struct lan_link *l, const struct lan_addr *a);
/* Forgets every link and address (not what NetworkManager said). */
void lanhost_clear(struct lan_host *h);
void lanhost_free(struct lan_host *h);
/* What NetworkManager says of ifname, or NULL */
const struct zone_nm *lanhost_nm(const struct lan_host *h, const char *ifname);

#endif
