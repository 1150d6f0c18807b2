/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_WHYADVICE_H
#define PORTWARDEN_WHYADVICE_H

#include <stdint.h>

#include "lan.h"
#include "policy.h"

/* `portwarden why`: what admits a source to a port, and the narrowest
 * change that would.  Pure, from the facts the command gathered. */

#define WHYADVICE_FROM_MAX 3

struct whyadvice {
	/* what admits the source now: a `from` line of the entry, or the LAN
	 * of a lan-only port; neither when it is refused */
	const struct policy_source *listed;
	int lan;
	/* an overlay network (Tailscale, WireGuard, ZeroTier): what it is */
	char overlay[96];
	/* --from networks, the first the narrowest change; what each is */
	struct config_net from[WHYADVICE_FROM_MAX];
	char from_what[WHYADVICE_FROM_MAX][48];
	unsigned nfrom;
	int lan_fits;		/* --lan would admit it too (a LAN source) */
};

/* e: the port's entry (guarded); addr of family; iif: the interface the
 * source's attempts came in on, "" when unknown; in_lan: the source is of
 * the effective LAN; host: the host's interfaces and addresses, or NULL. */
void whyadvice_compute(const struct policy_entry *e, int family, const uint8_t *addr,
		       const char *iif, int in_lan, const struct lan_host *host,
		       struct whyadvice *out);

/* "Tailscale (100.64.0.0/10)" and its network when addr is an address of a
 * known overlay; NULL otherwise. */
const char *whyadvice_overlay_range(int family, const uint8_t *addr, struct config_net *net);

#endif
