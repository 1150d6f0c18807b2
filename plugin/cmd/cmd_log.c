// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden log`: turns the command line into a log query. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "logview.h"

static int bad(const char *what, const char *value, const char *hint)
{
	fprintf(stderr, "portwarden: bad %s \"%s\" (%s)\n", what, value, hint);
	return 2;
}

int cmd_log(const struct settings *s)
{
	struct logview_query q;
	struct config cfg;
	time_t now = time(NULL);
	char *end;

	logview_query_init(&q);
	if (settings_load_config(s, &cfg, stderr) < 0)
		return 2;
	if (s->since && logline_parse_when(s->since, now, &q.since_ms) < 0)
		return bad("--since", s->since, "1h, 2d, 2026-11-27 or 2026-11-27T08:00:00Z");
	if (s->until && logline_parse_when(s->until, now, &q.until_ms) < 0)
		return bad("--until", s->until, "1h, 2d, 2026-11-27 or 2026-11-27T08:00:00Z");
	if (s->port) {
		q.port = strtol(s->port, &end, 10);
		if (*s->port < '0' || *s->port > '9' || *end || q.port > 65535)
			return bad("--port", s->port, "0-65535");
	}
	if (s->source) {
		if (config_parse_net(s->source, &q.source) < 0)
			return bad("--source", s->source, "an address or ADDRESS/PREFIX");
		q.have_source = 1;
	}
	q.service = s->service;
	q.json = s->json;
	q.summary = s->summary;
	q.follow = s->follow;
	q.all = s->all;
	return logview_run(&q, cfg.log_file, stdout);
}
