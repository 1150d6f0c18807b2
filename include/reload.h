/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RELOAD_H
#define PORTWARDEN_RELOAD_H

#include <stdio.h>

#include "daemonstate.h"

/* The daemon's policy into the kernel: the first table, SIGHUP, a table
 * someone else changed, a LAN that changed. */

/* Installs the whole table for db, cfg and lan, carrying over @blocked and
 * what the listener watcher decided.  0, or -errno with the reason in
 * d->apply_error (the kernel keeps what it had, and so does what the
 * daemon believes it holds). */
int reload_apply(struct daemon *d, const struct policy_db *db, const struct config *cfg,
		 const struct lan *lan);
enum reload_result {
	RELOAD_APPLIED,		/* the kernel took the new policy */
	RELOAD_REFUSED,		/* the files have errors: nothing changed */
	RELOAD_FAILED,		/* the kernel refused the table: nothing changed */
};

/* "change" lines an answer lists before it only counts the rest */
#define RELOAD_CHANGES_MAX	256

/* SIGHUP or a request on the control socket (asked: when it arrived,
 * CLOCK_MONOTONIC): the new policy replaces the old in one transaction, or
 * not at all; the log follows a changed log_file.  fresh: parse the files
 * even when they look unchanged.  When answer is not NULL the outcome is
 * written there for the command that asked: "applied N" and a "change
 * PROTO LO HI WAS NOW [from]" line per run of ports (from: their `from`
 * networks changed), "refused" and the files'
 * FILE:LINE errors, or "failed" and the kernel's reason. */
int reload_config(struct daemon *d, const struct timespec *asked, int fresh, FILE *answer);
/* Entries whose time ran out (allow --timeout): logged, and the policy
 * without them applied; nothing before d->expires_at. */
void reload_expired(struct daemon *d);
/* Someone else removed (part of) our table, or a transaction failed: put
 * the whole of it back, with the LAN the host has now. */
void reload_restore(struct daemon *d);
/* Without the owner flag, ruleset events are the way to notice removal. */
int reload_start_watching(struct daemon *d);
/* The host's links and addresses now, and the LAN they make for cfg. */
void reload_read_host(struct daemon *d);
void reload_compute_lan(struct daemon *d, const struct config *cfg, struct lan *out);
/* Interfaces or addresses came or went (rtnetlink told lanwatch), or
 * lan_stale: a last try failed. */
void reload_lan_changed(struct daemon *d);
/* These links' places in the LAN may have changed (NetworkManager, or
 * rtnetlink): what differs goes into the kernel in one transaction. */
void reload_lan_links(struct daemon *d, const uint32_t *links, unsigned n);
/* NetworkManager's table changed: the interfaces whose connection or zone
 * differs follow. */
void reload_nm_changed(struct daemon *d);

#endif
