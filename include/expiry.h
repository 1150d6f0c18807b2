/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_EXPIRY_H
#define PORTWARDEN_EXPIRY_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "textfile.h"

/* Entries that end by themselves (`portwarden allow PORT --timeout 10m`):
 *	8080/tcp  http-alt  open
 *		expires 2026-12-06T10:10:00Z lan-only
 *	9100/tcp  jetdirect  lan-only
 *		expires 2026-12-07T10:00:00Z lan-only from 203.0.113.0/24
 *		from 203.0.113.0/24 198.51.100.7
 * Until that moment (UTC, on the wall clock) the entry is what its header
 * and its `from` lines say; from then on it has the policy after the time
 * and only the networks after "from" (none without), or, without a
 * policy, it is as if it were not there.  Pure, but for the caller's
 * clock. */

#define EXPIRY_TEXT_MAX 24	/* "2026-12-06T10:10:00Z" */

/* Parses an `expires` value: TIME [POLICY [from NET...]].  0, or -1 with
 * the reason in why.  *then is the policy after TIME plus one, 0 for none;
 * nets (NULL: only checked) gets the networks after "from", at most
 * POLICY_SOURCES_MAX, *nnets how many. */
int expiry_parse_sources(const char *value, int64_t *when, uint8_t *then, struct config_net *nets,
			 unsigned *nnets, char *why, size_t cap);
/* The same without the networks. */
int expiry_parse(const char *value, int64_t *when, uint8_t *then, char *why, size_t cap);
/* The parser's attribute: fills e->expires and e->expires_then, or
 * reports FILE:LINE through d. */
void expiry_attribute(struct policy_entry *e, struct diag *d, unsigned line, const char *value);

/* Entries whose time has come by now take their later policy or leave
 * db; before policy_db_build_index().  Returns how many changed. */
unsigned expiry_apply(struct policy_db *db, int64_t now);
/* The first moment after now at which an entry of db ends; 0: none. */
int64_t expiry_next(const struct policy_db *db, int64_t now);

/* "2026-12-06T10:10:00Z" */
void expiry_format(int64_t when, char *buf, size_t cap);
/* "10m", "2h", "90s", "1d", "1h30m": seconds, or -1.  At most a year. */
long expiry_duration(const char *text);

#endif
