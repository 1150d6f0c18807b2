/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_WATCH_H
#define PORTWARDEN_WATCH_H

#include <stdint.h>

#include "kstate.h"
#include "nlsock.h"

/* Ruleset events (NFNLGRP_NFTABLES): notices when someone else removes,
 * changes or adds to table inet portwarden, e.g. `nft flush ruleset` when
 * nftables.service reloads, or a rule inserted by hand.  Used where the
 * table cannot be owned. */

/* One committed transaction as NFT_MSG_NEWGEN reports it. */
struct watch_gen {
	uint32_t id;		/* the ruleset generation it created */
	uint32_t portid;	/* netlink port that committed it */
	uint32_t pid;		/* process that committed it, 0 when unknown */
	char comm[16];
};

struct watch {
	struct nlsock nl;
	uint32_t self;		/* our transactions' netlink port: not foreign */
	unsigned long long events, lost;
	int touched;		/* the transaction being read touched our table */
	struct watch_gen last;	/* the last foreign transaction that touched it */
	/* the table as our last own transaction left it, for comparison
	 * when events were lost */
	struct kstate expect;
	int have_expect;
};

enum watch_result {
	WATCH_QUIET,		/* nothing about our table from anyone else */
	WATCH_FOREIGN,		/* someone else changed our table */
	WATCH_CHANGED,		/* events were lost and the table is not as we left it */
};

int watch_open(struct watch *w, uint32_t self_portid);
void watch_close(struct watch *w);
int watch_fd(const struct watch *w);
/* Records the table as it is now, right after our own transaction. */
int watch_remember(struct watch *w);
/* Reads pending events; returns a watch_result, or -errno on a broken
 * socket.  Lost events (ENOBUFS) are settled by comparing the table with
 * what was remembered, never by assuming a change. */
int watch_drain(struct watch *w);

/* Pure: does this event message concern our table, from someone else? */
int watch_event_is_foreign(const struct nlmsghdr *nlh, uint32_t self);
/* Pure: reads an NFT_MSG_NEWGEN message; 0, or -EINVAL for anything else. */
int watch_parse_gen(const struct nlmsghdr *nlh, struct watch_gen *gen);
/* Pure: does the table read back match the one remembered?  @blocked is
 * left out: the daemon adds to it between transactions it remembers, and
 * a port missing from it is only decided again. */
int watch_same_table(const struct kstate *want, const struct kstate *got);

#endif
