/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOGCLOCK_H
#define PORTWARDEN_LOGCLOCK_H

#include <stddef.h>
#include <stdint.h>

/* The clock `log` and `report` show times on: UTC, or the local time zone
 * (TZ) with --local-time.  The zone's offset is looked up once a quarter
 * hour of log time, not once a line. */
struct logclock {
	int local;
	int64_t quarter;	/* the quarter hour of the cached offset */
	long offset;		/* seconds east of UTC */
};

void logclock_init(struct logclock *c, int local);
/* Hours since the epoch on this clock (local hours: wall-clock hours). */
int64_t logclock_hour(struct logclock *c, int64_t ms);
/* "2026-11-27 08:00:00" */
void logclock_format(struct logclock *c, int64_t ms, char *out, size_t cap);
/* "2026-11-27 08:00" (with_hour) or "2026-11-27" for an hour of logclock_hour. */
void logclock_format_hour(int64_t hour, int with_hour, char *out, size_t cap);
/* Floor division, for times before 1970 that a hostile file may hold. */
int64_t logclock_floor_div(int64_t a, int64_t b);

#endif
