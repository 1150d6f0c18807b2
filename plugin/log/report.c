// SPDX-License-Identifier: GPL-2.0-or-later
/* `report`: what the page shows, collected from the log. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

struct drawing {
	struct report *r;
	const struct logview_query *q;
};

static struct report_series *series_of(struct report *r, const struct log_record *rec)
{
	unsigned i;

	for (i = 0; i < r->nseries; i++) {
		struct report_series *s = &r->series[i];

		if (s->port == 65536)
			return s;	/* "other" is last */
		if (s->port == rec->dport && !strcmp(s->proto, rec->proto))
			return s;
	}
	return NULL;
}

static void draw_line(void *ctx, const struct log_record *rec, const char *line, size_t len)
{
	struct drawing *d = ctx;
	struct report_series *s;
	long b;

	(void)line;
	(void)len;
	if (!logview_match(d->q, rec))
		return;
	b = summary_axis_bucket(d->r->sum, &d->r->axis, rec->ts_ms);
	s = series_of(d->r, rec);
	if (b >= 0 && s)
		s->counts[b] += rec->count;
}

/* The heaviest ports get a series each; the rest share one. */
static int choose_series(struct report *r)
{
	const struct summary_port *v;
	unsigned i, n = summary_ports(r->sum, &v);

	for (i = 0; i < n && r->nseries <= REPORT_SERIES; i++) {
		struct report_series *s = &r->series[r->nseries];

		if (r->nseries == REPORT_SERIES && n > REPORT_SERIES) {
			snprintf(s->proto, sizeof(s->proto), "*");
			s->port = 65536;
			snprintf(s->service, sizeof(s->service), "%u other port%s", n - REPORT_SERIES,
				 n - REPORT_SERIES == 1 ? "" : "s");
			for (; i < n; i++)
				s->total += v[i].attempts;
		} else {
			snprintf(s->proto, sizeof(s->proto), "%s", v[i].proto);
			s->port = v[i].port;
			snprintf(s->service, sizeof(s->service), "%s", v[i].service);
			s->total = v[i].attempts;
		}
		s->counts = calloc(r->axis.n ? r->axis.n : 1, sizeof(*s->counts));
		if (!s->counts)
			return -ENOMEM;
		r->nseries++;
	}
	return 0;
}

int report_collect(struct report *r, const struct logview_query *q, const char *path)
{
	struct drawing d = { r, q };
	struct logscan scan;
	int ret, status = 0;

	memset(r, 0, sizeof(*r));
	r->q = q;
	r->made_ms = q->now_ms;
	if (gethostname(r->host, sizeof(r->host) - 1) < 0)
		snprintf(r->host, sizeof(r->host), "this host");
	ret = logscan_open(&scan, path, q->all);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot read %s: %s\n", path,
			ret == -EINVAL ? "not a regular file" : strerror(-ret));
		status = 1;
	}
	r->sum = logview_summarize(q, &scan);
	if (!r->sum) {
		logscan_close(&scan);
		return -ENOMEM;
	}
	summary_axis(r->sum, &r->axis);
	r->totals = calloc(r->axis.n ? r->axis.n : 1, sizeof(*r->totals));
	if (!r->totals || choose_series(r) < 0) {
		logscan_close(&scan);
		return -ENOMEM;
	}
	summary_timeline(r->sum, &r->axis, r->totals);
	/* the second pass reads the lines the first one read, no more */
	if (r->nseries)
		logscan_run(&scan, q->since_ms, q->until_ms, draw_line, &d);
	r->corrupt = scan.corrupt;
	logscan_close(&scan);
	return status;
}

void report_free(struct report *r)
{
	unsigned i;

	for (i = 0; i < r->nseries; i++)
		free(r->series[i].counts);
	free(r->totals);
	summary_free(r->sum);
	memset(r, 0, sizeof(*r));
}
