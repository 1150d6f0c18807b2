/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NATHOOKS_H
#define PORTWARDEN_NATHOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "nlsock.h"

/* Does the host use NAT?  A chain of type nat in any table but ours, of
 * any family (nft, iptables-nft, Docker, libvirt, kube-proxy), or a nat
 * table of legacy iptables.  Where it does, connection tracking runs for
 * every packet anyway, and the table may ask it (see ruleset.h, host_nat).
 * Parsing is pure; nathooks_chains() dumps the chains through nlsock, and
 * needs a new look only when the ruleset's generation moved (natscan_gen). */

/* One message of a chain dump (NFT_MSG_NEWCHAIN): 1 for a base chain of
 * type nat in a table other than ours, else 0 (also when malformed). */
int nathooks_chain_msg(const struct nlmsghdr *nlh);

/* The text of /proc/net/ip_tables_names or ip6_tables_names: 1 when it
 * names the nat table, else 0. */
int nathooks_legacy_names(const char *text, size_t len);

/* A nat chain in a table other than ours: 1, 0, or -errno. */
int nathooks_chains(struct nlsock *nl);
/* A nat table of legacy iptables in this network namespace: 1 or 0.  Its
 * changes do not advance the generation. */
int nathooks_legacy(void);

#endif
