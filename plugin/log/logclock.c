// SPDX-License-Identifier: GPL-2.0-or-later
/* Log times in UTC or in the local time zone. */
#include <stdio.h>
#include <time.h>

#include "logclock.h"

int64_t logclock_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void logclock_init(struct logclock *c, int local)
{
	c->local = local;
	c->quarter = INT64_MIN;
	c->offset = 0;
}

static long offset(struct logclock *c, int64_t ms)
{
	int64_t quarter;
	struct tm tm;
	time_t t;

	if (!c->local)
		return 0;
	quarter = logclock_floor_div(ms, 900000);
	if (quarter != c->quarter) {
		t = (time_t)(quarter * 900);
		c->offset = localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
		c->quarter = quarter;
	}
	return c->offset;
}

int64_t logclock_hour(struct logclock *c, int64_t ms)
{
	return logclock_floor_div(ms + (int64_t)offset(c, ms) * 1000, 3600000);
}

static int civil(int64_t seconds, struct tm *tm)
{
	time_t t = (time_t)seconds;

	return gmtime_r(&t, tm) ? 0 : -1;
}

void logclock_format(struct logclock *c, int64_t ms, char *out, size_t cap)
{
	struct tm tm;

	if (civil(logclock_floor_div(ms + (int64_t)offset(c, ms) * 1000, 1000), &tm) < 0) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void logclock_format_hour(int64_t hour, int with_hour, char *out, size_t cap)
{
	struct tm tm;

	if (civil(hour * 3600, &tm) < 0)
		snprintf(out, cap, "?");
	else if (with_hour)
		snprintf(out, cap, "%04d-%02d-%02d %02d:00", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour);
	else
		snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
