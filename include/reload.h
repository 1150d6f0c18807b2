/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RELOAD_H
#define PORTWARDEN_RELOAD_H

#include "daemonstate.h"

/* The daemon's policy into the kernel: the first table, SIGHUP, a table
 * someone else changed, a LAN that changed. */

/* Installs the whole table for db, cfg and lan, carrying over @blocked and
 * what the listener watcher decided.  0 or -errno (the kernel keeps what
 * it had). */
int reload_apply(struct daemon *d, const struct policy_db *db, const struct config *cfg,
		 const struct lan *lan);
/* SIGHUP (received at asked, CLOCK_MONOTONIC): the new policy replaces
 * the old in one transaction, or not at all; the log follows a changed
 * log_file. */
void reload_config(struct daemon *d, const struct timespec *asked);
/* Someone else removed (part of) our table: put the whole of it back. */
void reload_restore(struct daemon *d);
/* Without the owner flag, ruleset events are the way to notice removal. */
int reload_start_watching(struct daemon *d);
/* The host's links and addresses now, and the LAN they make for cfg. */
void reload_read_host(struct daemon *d);
void reload_compute_lan(struct daemon *d, const struct config *cfg, struct lan *out);
/* Interfaces or addresses came or went (rtnetlink told lanwatch). */
void reload_lan_changed(struct daemon *d);
/* These links' places in the LAN may have changed (NetworkManager, or
 * rtnetlink): what differs goes into the kernel in one transaction. */
void reload_lan_links(struct daemon *d, const uint32_t *links, unsigned n);
/* NetworkManager's table changed: the interfaces whose connection or zone
 * differs follow. */
void reload_nm_changed(struct daemon *d);

#endif
