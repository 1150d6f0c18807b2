/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULELAN_H
#define PORTWARDEN_RULELAN_H

#include "batch.h"
#include "lan.h"

/* Builders of the LAN part of table inet portwarden: the sets holding the
 * effective LAN (see lan.h) and chain lan, which accepts first packets to
 * lan-only ports from it.  They only write messages into a batch. */

#define RULELAN_CHAIN	"lan"
/* its sets, which `status` reads back */
#define RULELAN_SET_SUBNETS_V4	"lan_subnets_v4"
#define RULELAN_SET_SUBNETS_V6	"lan_subnets_v6"
#define RULELAN_SET_NETS_V4	"lan_nets_v4"
#define RULELAN_SET_NETS_V6	"lan_nets_v6"
#define RULELAN_SET_IFACES	"lan_ifaces"

/* The LAN sets with lan's parts, then chain lan that reads them; wan: the
 * table has set wan_ifaces (router mode), whose packets are never LAN. */
int rulelan_build(struct batch *b, const struct lan *lan, int wan);
/* Brings the LAN sets from old to cur, element by element, in the batch.
 * Returns the number of elements changed (0: nothing to send) or -errno. */
int rulelan_build_update(struct batch *b, const struct lan *old, const struct lan *cur);

#endif
