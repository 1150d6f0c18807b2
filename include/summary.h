/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SUMMARY_H
#define PORTWARDEN_SUMMARY_H

#include <stdint.h>

#include "logline.h"

/* The summary of blocked-connection log records behind `log --summary`
 * and `report`, in bounded memory whatever the log holds: every port
 * exactly (at most two protocols' worth of ports), sources in a
 * Space-Saving table of SUMMARY_SOURCES (exact while they fit, bounds
 * past that), attempts by hour for the last days seen and by day. */

#define SUMMARY_SOURCES		65536u
#define SUMMARY_HOURLY_BELOW	(3 * 24)	/* hours: an hourly view below */
#define SUMMARY_MAX_BUCKETS	400		/* days per bucket grow past it */
#define SUMMARY_SOURCE_TEXT	64

struct summary_options {
	int local_time;			/* hours and days in local time */
	int64_t since_ms, until_ms;	/* the query's range, 0: open */
	int64_t now_ms;			/* an open end after since means now */
};

struct summary_port {
	char proto[8];
	unsigned port;
	char service[32], policy[16];
	uint64_t attempts, lines, kernel, queue, would_block;
	int64_t first_ms, last_ms;
};

struct summary_source {
	char text[SUMMARY_SOURCE_TEXT];	/* an address, an IPv6 /64 or "*" */
	uint64_t attempts, error;	/* true count in [attempts - error, attempts] */
	int64_t first_ms, last_ms;	/* first_ms: counted since (exact when error is 0) */
};

/* The time axis: buckets of `hours` hours each (1 in the hourly view, a
 * multiple of 24 otherwise), starting at start_key (hours since the epoch,
 * local hours when local_time). */
struct summary_axis {
	int64_t start_key;
	unsigned hours, n;
	int local_time;
};

struct summary;

struct summary *summary_new(const struct summary_options *o);
void summary_free(struct summary *s);
void summary_add(struct summary *s, const struct log_record *r);

/* The key a source is grouped under: the address, or an IPv6 address's
 * /64; text for anything else ("*" folds many sources). */
void summary_source_key(const char *src, uint8_t *key);
void summary_source_text(const uint8_t *key, char *out, size_t cap);

/* Totals. */
uint64_t summary_lines(const struct summary *s);
uint64_t summary_attempts(const struct summary *s);
uint64_t summary_path(const struct summary *s, const char *path);	/* "kernel", "queue", "" other */
uint64_t summary_would_block(const struct summary *s);
int64_t summary_first_ms(const struct summary *s);
int64_t summary_last_ms(const struct summary *s);
int summary_local_time(const struct summary *s);

/* Ports by attempts, heaviest first; valid until the next summary_add. */
unsigned summary_ports(struct summary *s, const struct summary_port **v);
/* Up to n sources, heaviest first. */
unsigned summary_sources(const struct summary *s, struct summary_source *out, unsigned n);
/* Distinct sources counted, and whether the table overflowed (the counts
 * of summary_sources are then bounds: see error). */
unsigned summary_distinct_sources(const struct summary *s);
int summary_sources_approximate(const struct summary *s);

/* The axis for the query's range: hourly below SUMMARY_HOURLY_BELOW hours. */
void summary_axis(const struct summary *s, struct summary_axis *a);
/* The bucket of a record's time on a, or -1 outside it. */
long summary_axis_bucket(const struct summary *s, const struct summary_axis *a, int64_t ts_ms);
/* Attempts per bucket of a into counts[a->n]. */
void summary_timeline(const struct summary *s, const struct summary_axis *a, uint64_t *counts);
/* "2026-11-27 08:00" or "2026-11-27" for a bucket's start. */
void summary_axis_label(const struct summary_axis *a, unsigned i, char *out, size_t cap);

/* "2026-11-27 08:00:00" in the summary's time zone. */
void summary_format_time(const struct summary *s, int64_t ms, char *out, size_t cap);

#endif
