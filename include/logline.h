/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOGLINE_H
#define PORTWARDEN_LOGLINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One line of the blocked-connection log, read back.  The reader accepts
 * exactly the flat objects portwarden writes; anything else is corrupt. */
struct log_record {
	int64_t ts_ms;		/* milliseconds since the epoch, UTC */
	char ts[32];
	char action[16];
	char proto[8];
	char src[48], dst[48];
	unsigned sport, dport;
	char iif[32];
	char service[32];
	char policy[16];
	char path[8];
	unsigned long count;
	char listener[64];
	char nat_dst[48];	/* a published port's target, or "" */
	unsigned nat_dport;
};

/* Returns 0, or -1 for a line that is not a complete log record.  Lines
 * in the daemon's own layout take a fast path; others, and any line with
 * an escape, logline_parse_any, which yields the same record. */
int logline_parse(const char *line, size_t len, struct log_record *r);
/* The general reader: members in any order, spaces, escapes. */
int logline_parse_any(const char *line, size_t len, struct log_record *r);

/* "2026-11-27T08:00:00.123Z", with or without fraction; other offsets as
 * +HH:MM.  Returns 0 and milliseconds since the epoch. */
int logline_parse_rfc3339(const char *s, size_t len, int64_t *ms);

/* --since/--until: "90s", "15m", "1h", "2d", "1w" before now, a date
 * "2026-11-27" (midnight UTC) or an RFC 3339 time. */
int logline_parse_when(const char *s, time_t now, int64_t *ms);

#endif
