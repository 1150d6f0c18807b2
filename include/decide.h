/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_DECIDE_H
#define PORTWARDEN_DECIDE_H

#include "config.h"
#include "listenpolicy.h"
#include "packet.h"
#include "policy.h"

enum verdict {
	VERDICT_ACCEPT,
	VERDICT_BLOCK,		/* drop and block the port in the kernel */
	VERDICT_WOULD_BLOCK,	/* monitor mode: accept, but record it */
};

struct decision {
	enum verdict verdict;
	enum policy_kind kind;	/* the entry's, or what its listener made it */
	const struct policy_entry *entry;	/* NULL for ports no entry covers */
	int served;		/* accepted: a served-by executable holds the port */
	/* the port's entry admits the source (`from`): the table accepts it
	 * only through the interface that routes back to it, so one that
	 * reaches the worker came in elsewhere and is blocked */
	const struct policy_source *source;
};

/* The whole policy decision for a first packet the table queued: no I/O,
 * no state.  iifname is the input interface ("" when unknown); listen is
 * what the listener watcher knows of the port (NULL: nothing).  The table
 * accepted LAN sources of lan-only ports before queueing (chain lan), so
 * a lan-only port is blocked here whatever the source. */
struct decision decide(const struct packet_info *pkt, const char *iifname,
		       const struct policy_db *db, const struct config *cfg,
		       const struct listenpolicy_port *listen);

/* A packet the parser could not read (see packet_parse) is decided like a
 * first packet from the worst source: blocked, or would-block in monitor
 * mode.  entry is set when the port could be read and is guarded; the
 * kind is then the entry's, else loopback-only. */
struct decision decide_unreadable(const struct packet_info *pkt, const struct policy_db *db,
				  const struct config *cfg);

#endif
