/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOGVIEW_H
#define PORTWARDEN_LOGVIEW_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "logline.h"

/* `portwarden log`: filters, table, summary and follow over the
 * blocked-connection log and, with --all, its rotated files. */

struct logview_query {
	int64_t since_ms, until_ms;	/* 0: open */
	long port;			/* -1: any */
	int have_source;
	struct config_net source;
	const char *service;
	int json, summary, follow, all;
};

void logview_query_init(struct logview_query *q);

/* Returns the exit status: 0, 1 when nothing could be read. */
int logview_run(const struct logview_query *q, const char *path, FILE *out);

#endif
