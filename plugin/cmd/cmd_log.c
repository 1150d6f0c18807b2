// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden log`: turns the command line into a log query. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "logview.h"
#include "portspec.h"

static int bad(const char *what, const char *value, const char *hint)
{
	fprintf(stderr, "portwarden: bad %s \"%s\" (%s)\n", what, value, hint);
	return 2;
}

static int is_number(const char *s)
{
	return s && *s >= '0' && *s <= '9';
}

/* --port as every other command takes it: a number, or a service name
 * the database knows (one port); --service only a name it knows */
static int check_names(const struct settings *s, const struct policy_db *db, long *port)
{
	struct portspec ps[PORTSPEC_MAX];

	if (s->port && !is_number(s->port)) {
		if (portspec_resolve(db, s->port, ps, PORTSPEC_MAX) < 0)
			return bad("--port", s->port, "0-65535 or a service name of the database");
		if (ps[0].lo != ps[0].hi)
			return bad("--port", s->port, "a service of one port; give the port number");
		*port = ps[0].lo;
	}
	if (s->service && portspec_resolve(db, s->service, ps, PORTSPEC_MAX) == -ENOENT)
		return bad("--service", s->service, "no such service in the database; see portwarden lookup");
	return 0;
}

/* With --local-time, a date or a time without a zone is on the local
 * clock: the UTC reading of its fields, moved by the zone's offset then. */
static int64_t on_local_clock(const char *text, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	size_t len = strlen(text);
	struct tm tm;

	if (len < 10 || strpbrk(text + 10, "Zz+-") || !gmtime_r(&t, &tm))
		return ms;	/* relative ("1h"), or with its own zone */
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000 + ms % 1000;
}

static int parse_when(const struct settings *s, const char *text, time_t now, int64_t *ms)
{
	if (logline_parse_when(text, now, ms) < 0)
		return -1;
	if (s->local_time)
		*ms = on_local_clock(text, *ms);
	return 0;
}

int cmd_log_query(const struct settings *s, struct logview_query *q)
{
	time_t now = time(NULL);
	char *end;

	logview_query_init(q);
	q->now_ms = (int64_t)now * 1000;
	if (s->since && parse_when(s, s->since, now, &q->since_ms) < 0)
		return bad("--since", s->since, "1h, 2d, 2026-11-27 or 2026-11-27T08:00:00Z");
	if (s->until && parse_when(s, s->until, now, &q->until_ms) < 0)
		return bad("--until", s->until, "1h, 2d, 2026-11-27 or 2026-11-27T08:00:00Z");
	if (s->service || (s->port && !is_number(s->port))) {
		struct config cfg;
		struct policy_db *db = settings_load(s, &cfg, stderr);
		int ret;

		if (!db)
			return 2;
		ret = check_names(s, db, &q->port);
		policy_db_free(db);
		if (ret)
			return ret;
	} else if (is_number(s->port)) {
		q->port = strtol(s->port, &end, 10);
		if (*end || q->port > 65535)
			return bad("--port", s->port, "0-65535");
	}
	if (s->source) {
		if (config_parse_net(s->source, &q->source) < 0)
			return bad("--source", s->source, "an address or ADDRESS/PREFIX");
		q->have_source = 1;
		q->source_text = s->source;
	}
	q->service = s->service;
	q->json = s->json;
	q->summary = s->summary;
	q->follow = s->follow;
	q->all = s->all;
	q->local_time = s->local_time;
	return 0;
}

int cmd_log(const struct settings *s)
{
	struct logview_query q;
	struct config cfg;
	int ret;

	if (settings_load_config(s, &cfg, stderr) < 0)
		return 2;
	ret = cmd_log_query(s, &q);
	if (ret)
		return ret;
	return logview_run(&q, cfg.log_file, stdout);
}
