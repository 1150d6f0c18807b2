/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULESOURCES_H
#define PORTWARDEN_RULESOURCES_H

#include <stdint.h>

#include "batch.h"
#include "nftmsg.h"
#include "nftset.h"
#include "policy.h"

/* Builders of the per-port sources of table inet portwarden: the `from`
 * lines of the entries that govern each port, as sets of
 * "meta l4proto . th dport . ip saddr" (and ip6 saddr) intervals, and the
 * rules of chain prerouting that accept a listed source arriving on the
 * interface that routes back to it, before anything could drop it.  Like
 * ruleset.c, they only write messages into a batch. */

#define RULESOURCES_SET_V4	"sources_v4"
#define RULESOURCES_SET_V6	"sources_v6"

/* One element: a protocol, a port interval and an address interval. */
struct rulesources_elem {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t lo, hi;
	int family;		/* AF_INET or AF_INET6 */
	struct nftset_range addr;
	const struct policy_entry *entry;
	/* the one `from` network the interval is, or NULL for networks of
	 * the entry merged into one interval */
	const struct policy_source *source;
};

typedef int (*rulesources_fn)(void *ctx, const struct rulesources_elem *e);
/* Every element db's sources make, ports ascending, TCP before UDP: each
 * port's governing entry (policy_lookup) with its networks of a family
 * merged, since a set's intervals may not overlap.  Stops at the first
 * non-zero return of fn and returns it. */
int rulesources_walk(const struct policy_db *db, rulesources_fn fn, void *ctx);

/* Both sets, with their elements, each commented with the entry's
 * file:line. */
int rulesources_build(struct batch *b, const struct policy_db *db);
/* The prerouting rule of one family (AF_INET or AF_INET6); without a
 * body (left out) when no entry has a network of that family. */
struct nftmsg_rule rulesources_rule(const struct policy_db *db, int family);

#endif
