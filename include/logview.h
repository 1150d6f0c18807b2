/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOGVIEW_H
#define PORTWARDEN_LOGVIEW_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "logline.h"
#include "logscan.h"
#include "summary.h"

/* `portwarden log`: filters, table, summary and follow over the
 * blocked-connection log and, with --all, its rotated files.  `report`
 * shares the filters and the summary. */

struct logview_query {
	int64_t since_ms, until_ms;	/* 0: open */
	long port;			/* -1: any */
	int have_source;
	struct config_net source;
	const char *source_text;	/* as given, for headings */
	const char *service;
	int json, summary, follow, all;
	int local_time;			/* times and days in the local time zone */
	int64_t now_ms;			/* for a range open at its end */
	unsigned top;			/* sources in a summary */
};

#define LOGVIEW_TOP	10

void logview_query_init(struct logview_query *q);

/* Whether a record passes the query's filters. */
int logview_match(const struct logview_query *q, const struct log_record *r);

/* The summary of the records the query selects from an open scan; NULL
 * when out of memory. */
struct summary *logview_summarize(const struct logview_query *q, struct logscan *scan);

/* Returns the exit status: 0, 1 when nothing could be read. */
int logview_run(const struct logview_query *q, const char *path, FILE *out);

/* `log --summary` as text or JSON (the fields are in portwarden(8)). */
void logview_print_summary(FILE *out, struct summary *s, unsigned top);
void logview_print_summary_json(FILE *out, struct summary *s, unsigned top);
/* "    143/tcp", right-aligned on the slash, terminal-safe */
void logview_port_label(const struct summary_port *p, char *out, size_t cap);

#endif
