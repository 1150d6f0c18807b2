/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_REPORT_H
#define PORTWARDEN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "logview.h"
#include "summary.h"

/* `portwarden report`: the log's summary (the engine of `log --summary`,
 * same filters) drawn as one self-contained HTML page with inline SVG, or
 * as text with sparklines, and what `audit` says of the host now. */

#define REPORT_SERIES	10	/* ports drawn on their own; the rest as one */
#define REPORT_TOP	10	/* rows of the top tables */

/* A listening port as `audit` sees it (filled by the audit command). */
struct report_listener {
	char status[24];
	unsigned port;
	char proto[8];
	char bind[64];
	char process[64];
	char service[32];
	char policy[16];
	char why[192];
};

/* A port published by DNAT as `audit` sees it (its second part) */
struct report_published {
	char status[24];
	char port[24];		/* 8080/tcp, 30000-32767/tcp; every port: an asterisk */
	char bind[56];		/* the address it is published on, * for any */
	char target[96];	/* where it leads */
	char by[16];		/* docker, nodeport, dnat... */
	char service[32];
	char policy[16];
	char why[320];
};

struct report_series {
	char proto[8];
	unsigned port;		/* 65536: every other port */
	char service[32];
	uint64_t total;
	uint64_t *counts;	/* per bucket of the axis */
};

struct report {
	const struct logview_query *q;
	char host[256];
	int64_t made_ms;
	struct summary *sum;
	struct summary_axis axis;
	uint64_t *totals;	/* attempts per bucket */
	struct report_series series[REPORT_SERIES + 1];
	unsigned nseries;
	unsigned long long corrupt;
	/* the audit: rows worst first, or why there are none */
	const struct report_listener *listeners;
	unsigned nlisteners;
	const char *audit_note;
	/* its second part, worst first; published_note: why it is missing */
	const struct report_published *published;
	unsigned npublished;
	const char *published_note;
};

/* Reads the log (two passes over the same lines: the summary, then the
 * drawn ports' attempts over time).  0, 1 when the log cannot be read,
 * -ENOMEM. */
int report_collect(struct report *r, const struct logview_query *q, const char *path);
void report_free(struct report *r);

void report_html(FILE *out, const struct report *r);
void report_text(FILE *out, const struct report *r);

/* The SVG of attempts over time, one series (a <path class="series">)
 * per drawn port, stacked; width and height in pixels. */
void report_svg_timeline(FILE *out, const struct report *r, unsigned width, unsigned height);

#endif
