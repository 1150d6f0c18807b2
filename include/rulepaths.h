/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULEPATHS_H
#define PORTWARDEN_RULEPATHS_H

#include "batch.h"
#include "ruleset.h"

/* The paths into this host and the hosts behind it that ruleset.c's
 * decision does not see by itself: addresses this host routes (a DNAT,
 * REDIRECT or TPROXY of an address routed to it, a container bridge),
 * transports other than TCP and UDP, and monitor mode's kernel verdict.
 * Like ruleset.c, it only writes messages into a batch. */

struct nftnl_rule;

#define RULEPATHS_CHAIN_ROUTED	"routed"
#define RULEPATHS_CHAIN_TRANSPORTS	"transports"
#define RULEPATHS_CHAIN_WOULD_BLOCK	"would_block"
#define RULEPATHS_SET_TRANSPORTS	"transports"

/* The chains and the map below, before any rule that jumps to them. */
int rulepaths_build(struct batch *b, const struct ruleset_spec *spec);

/* Where the kernel sends a connection it refuses by itself: chain blocked
 * (logged, dropped), or in monitor mode chain would_block (logged, let
 * through). */
const char *rulepaths_refuse_chain(const struct ruleset_spec *spec);

/* Rule bodies (nftmsg_rule_body, arg unused) for the chains that decide:
 * "meta l4proto 33-136 meta l4proto @transports jump transports" and
 * "meta l4proto . th dport @guarded fib daddr type unicast goto routed" */
int rulepaths_body_transports(struct nftnl_rule *r, const void *arg);
int rulepaths_body_routed(struct nftnl_rule *r, const void *arg);

#endif
