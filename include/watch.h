/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_WATCH_H
#define PORTWARDEN_WATCH_H

#include <stdint.h>

#include "nlsock.h"

/* Ruleset events (NFNLGRP_NFTABLES): notices when someone else removes or
 * changes table inet portwarden, e.g. `nft flush ruleset` when
 * nftables.service reloads.  Used where the table cannot be owned. */

struct watch {
	struct nlsock nl;
	uint32_t self;		/* our transactions' netlink port: not foreign */
	char *rx;
	unsigned long long events, lost;
};

int watch_open(struct watch *w, uint32_t self_portid);
void watch_close(struct watch *w);
int watch_fd(const struct watch *w);
/* Reads pending events; returns 1 when someone else touched our table
 * (or events were lost), 0 otherwise, -errno on a broken socket. */
int watch_drain(struct watch *w);

/* Pure: does this event message concern our table, from someone else? */
int watch_event_is_foreign(const struct nlmsghdr *nlh, uint32_t self);

#endif
