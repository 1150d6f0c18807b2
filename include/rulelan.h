/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULELAN_H
#define PORTWARDEN_RULELAN_H

#include "batch.h"
#include "lan.h"

/* Builders of the LAN part of table inet portwarden: the sets holding the
 * effective LAN and each interface's zone (see lan.h), and chain lan,
 * which accepts first packets to lan-only ports from it.  They only write
 * messages into a batch. */

#define RULELAN_CHAIN	"lan"
/* its sets, which `status` reads back */
#define RULELAN_SET_SUBNETS_V4	"lan_subnets_v4"
#define RULELAN_SET_SUBNETS_V6	"lan_subnets_v6"
#define RULELAN_SET_NETS_V4	"lan_nets_v4"
#define RULELAN_SET_NETS_V6	"lan_nets_v6"
#define RULELAN_SET_IFACES	"lan_ifaces"
#define RULELAN_SET_ZONE_LAN	"zone_lan"
#define RULELAN_SET_ZONE_PUBLIC	"zone_public"
#define RULELAN_SET_ZONE_WAN	"zone_wan"

/* The set holding interfaces of zone z */
const char *rulelan_zone_set(enum zone z);

/* The LAN sets with lan's parts, then chain lan that reads them; wan: the
 * table has set wan_ifaces (router mode), whose packets are never LAN. */
int rulelan_build(struct batch *b, const struct lan *lan, int wan);

/* An interface whose place in the LAN changed: cur when present, else it
 * has none any more (gone, or a port of a bridge now) */
struct lan_change {
	uint32_t ifindex;
	int present;
	struct lan_iface cur;
};

/* Brings the sets from what lan holds to the n changes, element by
 * element, removals first, in the batch.  Returns the number of elements
 * changed (0: nothing to send) or -errno. */
int rulelan_build_changes(struct batch *b, const struct lan *lan, const struct lan_change *v,
			  unsigned n);

#endif
