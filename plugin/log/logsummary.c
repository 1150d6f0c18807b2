// SPDX-License-Identifier: GPL-2.0-or-later
/* `log --summary`: the summary as a table or as one JSON object. */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "json.h"
#include "logview.h"
#include "safetext.h"

static const char *zone(const struct summary *s)
{
	return summary_local_time(s) ? "local time" : "UTC";
}

/* "41", or "38-41" when the true count is only known within bounds */
static void count_text(uint64_t n, uint64_t error, char *out, size_t cap)
{
	if (error)
		snprintf(out, cap, "%llu-%llu", (unsigned long long)(n - error),
			 (unsigned long long)n);
	else
		snprintf(out, cap, "%llu", (unsigned long long)n);
}

void logview_port_label(const struct summary_port *p, char *out, size_t cap)
{
	if (p->port > 65535) {
		snprintf(out, cap, "%12s", "other");
	} else {
		char proto[32];

		snprintf(out, cap, "%7u/%s", p->port, safetext(proto, sizeof(proto), p->proto));
	}
}

static void print_ports(FILE *out, struct summary *s)
{
	const struct summary_port *v;
	unsigned i, n = summary_ports(s, &v);

	fprintf(out, "by port, most attempts first:\n");
	fprintf(out, "  %-12s  %-16s  %-13s  %10s  %10s  %10s  %-19s  %s\n", "PORT", "SERVICE",
		"POLICY", "ATTEMPTS", "KERNEL", "QUEUE", "FIRST", "LAST");
	for (i = 0; i < n; i++) {
		char port[32], service[128], policy[64], first[32], last[32];

		summary_format_time(s, v[i].first_ms, first, sizeof(first));
		summary_format_time(s, v[i].last_ms, last, sizeof(last));
		logview_port_label(&v[i], port, sizeof(port));
		fprintf(out, "  %-12s  %-16s  %-13s  %10llu  %10llu  %10llu  %-19s  %s\n", port,
			v[i].service[0] ? safetext(service, sizeof(service), v[i].service) : "-",
			v[i].policy[0] ? safetext(policy, sizeof(policy), v[i].policy) : "-",
			(unsigned long long)v[i].attempts, (unsigned long long)v[i].kernel,
			(unsigned long long)v[i].queue, first, last);
	}
}

static void print_sources(FILE *out, struct summary *s, unsigned top)
{
	struct summary_source *v = calloc(top ? top : 1, sizeof(*v));
	unsigned i, n = v ? summary_sources(s, v, top) : 0;

	fprintf(out, "\ntop sources (IPv6 by /64), of %u%s distinct:\n", summary_distinct_sources(s),
		summary_sources_approximate(s) ? "+" : "");
	fprintf(out, "  %-42s  %12s  %-19s  %s\n", "SOURCE", "ATTEMPTS", "FIRST", "LAST");
	for (i = 0; i < n; i++) {
		char text[256], count[48], first[32], last[32];

		count_text(v[i].attempts, v[i].error, count, sizeof(count));
		summary_format_time(s, v[i].first_ms, first, sizeof(first));
		summary_format_time(s, v[i].last_ms, last, sizeof(last));
		fprintf(out, "  %-42s  %12s  %-19s  %s\n", safetext(text, sizeof(text), v[i].text),
			count, first, last);
	}
	if (summary_sources_approximate(s))
		fprintf(out, "  (more than %u distinct sources: the heaviest are kept; a range A-B "
			"bounds a count that\n   is not exact, and FIRST then says since when it "
			"was counted)\n", SUMMARY_SOURCES);
	free(v);
}

static void print_time(FILE *out, struct summary *s)
{
	struct summary_axis a;
	uint64_t *counts;
	unsigned i;

	summary_axis(s, &a);
	counts = calloc(a.n ? a.n : 1, sizeof(*counts));
	if (!counts)
		return;
	summary_timeline(s, &a, counts);
	if (a.hours == 1)
		fprintf(out, "\nby hour (%s):\n", zone(s));
	else if (a.hours == 24)
		fprintf(out, "\nby day (%s):\n", zone(s));
	else
		fprintf(out, "\nby %u days (%s):\n", a.hours / 24, zone(s));
	for (i = 0; i < a.n; i++) {
		char label[32];

		/* every hour of an hourly view, so that quiet hours show too */
		if (!counts[i] && a.hours != 1)
			continue;
		summary_axis_label(&a, i, label, sizeof(label));
		fprintf(out, "  %-16s  %10llu\n", label, (unsigned long long)counts[i]);
	}
	free(counts);
}

void logview_print_summary(FILE *out, struct summary *s, unsigned top)
{
	fprintf(out, "%llu blocked attempts in %llu log lines",
		(unsigned long long)summary_attempts(s), (unsigned long long)summary_lines(s));
	if (summary_lines(s)) {
		char first[32], last[32];

		summary_format_time(s, summary_first_ms(s), first, sizeof(first));
		summary_format_time(s, summary_last_ms(s), last, sizeof(last));
		fprintf(out, ", %s to %s (%s)", first, last, zone(s));
	}
	fprintf(out, "\n");
	if (summary_would_block(s))
		fprintf(out, "%llu of them would be blocked (monitor mode)\n",
			(unsigned long long)summary_would_block(s));
	fprintf(out, "\n");
	print_ports(out, s);
	print_sources(out, s, top);
	print_time(out, s);
	fprintf(out, "\nby path:\n  %-16s  %10llu\n  %-16s  %10llu\n", "kernel",
		(unsigned long long)summary_path(s, "kernel"), "queue",
		(unsigned long long)summary_path(s, "queue"));
	if (summary_path(s, ""))
		fprintf(out, "  %-16s  %10llu\n", "other", (unsigned long long)summary_path(s, ""));
}

/* ---- JSON ------------------------------------------------------------------------ */

/* Members are written one by one: a summary of every port does not fit a
 * fixed buffer, and strings from the file go through json_escape. */
struct jw {
	FILE *out;
	unsigned n[4], depth;
};

static void jw_key(struct jw *w, const char *key)
{
	if (w->n[w->depth]++)
		fputc(',', w->out);
	if (key)
		fprintf(w->out, "\"%s\":", key);
}

static void jw_str(struct jw *w, const char *key, const char *value)
{
	char buf[512];

	jw_key(w, key);
	if (json_escape(buf, sizeof(buf), value) < 0)
		buf[0] = '\0';
	fprintf(w->out, "\"%s\"", buf);
}

static void jw_uint(struct jw *w, const char *key, unsigned long long v)
{
	jw_key(w, key);
	fprintf(w->out, "%llu", v);
}

static void jw_bool(struct jw *w, const char *key, int v)
{
	jw_key(w, key);
	fputs(v ? "true" : "false", w->out);
}

static void jw_open(struct jw *w, const char *key, char bracket)
{
	jw_key(w, key);
	fputc(bracket, w->out);
	w->n[++w->depth] = 0;
}

static void jw_close(struct jw *w, char bracket)
{
	fputc(bracket, w->out);
	w->depth--;
}

/* RFC 3339 in UTC with milliseconds, as the log's own ts */
static void jw_time(struct jw *w, const char *key, int64_t ms)
{
	char text[96];
	int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	time_t t = (time_t)sec;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		jw_str(w, key, "");
		return;
	}
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - sec * 1000));
	jw_str(w, key, text);
}

static void json_ports(struct jw *w, struct summary *s)
{
	const struct summary_port *v;
	unsigned i, n = summary_ports(s, &v);

	jw_open(w, "ports", '[');
	for (i = 0; i < n; i++) {
		jw_open(w, NULL, '{');
		jw_uint(w, "port", v[i].port);
		jw_str(w, "proto", v[i].proto);
		jw_str(w, "service", v[i].service);
		jw_str(w, "policy", v[i].policy);
		jw_uint(w, "count", v[i].attempts);
		jw_uint(w, "lines", v[i].lines);
		jw_uint(w, "kernel", v[i].kernel);
		jw_uint(w, "queue", v[i].queue);
		jw_uint(w, "would_block", v[i].would_block);
		jw_time(w, "first", v[i].first_ms);
		jw_time(w, "last", v[i].last_ms);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void json_sources(struct jw *w, struct summary *s, unsigned top)
{
	struct summary_source *v = calloc(top ? top : 1, sizeof(*v));
	unsigned i, n = v ? summary_sources(s, v, top) : 0;

	jw_open(w, "sources", '[');
	for (i = 0; i < n; i++) {
		jw_open(w, NULL, '{');
		jw_str(w, "key", v[i].text);
		jw_uint(w, "count", v[i].attempts);
		jw_uint(w, "error", v[i].error);
		jw_time(w, "first", v[i].first_ms);
		jw_time(w, "last", v[i].last_ms);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_uint(w, "sources_distinct", summary_distinct_sources(s));
	jw_bool(w, "sources_approximate", summary_sources_approximate(s));
	free(v);
}

static void json_time(struct jw *w, struct summary *s)
{
	struct summary_axis a;
	uint64_t *counts;
	unsigned i;

	summary_axis(s, &a);
	counts = calloc(a.n ? a.n : 1, sizeof(*counts));
	if (!counts)
		return;
	summary_timeline(s, &a, counts);
	jw_open(w, "timeline", '{');
	jw_str(w, "unit", a.hours == 1 ? "hour" : "day");
	jw_uint(w, "hours", a.hours);
	jw_open(w, "buckets", '[');
	for (i = 0; i < a.n; i++) {
		char label[32];

		summary_axis_label(&a, i, label, sizeof(label));
		jw_open(w, NULL, '{');
		jw_str(w, "key", label);
		jw_uint(w, "count", counts[i]);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
	free(counts);
}

void logview_print_summary_json(FILE *out, struct summary *s, unsigned top)
{
	struct jw w = { out, { 0 }, 0 };

	fputc('{', out);
	jw_uint(&w, "lines", summary_lines(s));
	jw_uint(&w, "attempts", summary_attempts(s));
	jw_uint(&w, "would_block", summary_would_block(s));
	if (summary_lines(s)) {
		jw_time(&w, "first", summary_first_ms(s));
		jw_time(&w, "last", summary_last_ms(s));
	}
	jw_str(&w, "time_zone", summary_local_time(s) ? "local" : "UTC");
	json_ports(&w, s);
	json_sources(&w, s, top);
	json_time(&w, s);
	jw_open(&w, "paths", '[');
	jw_open(&w, NULL, '{');
	jw_str(&w, "key", "kernel");
	jw_uint(&w, "count", summary_path(s, "kernel"));
	jw_close(&w, '}');
	jw_open(&w, NULL, '{');
	jw_str(&w, "key", "queue");
	jw_uint(&w, "count", summary_path(s, "queue"));
	jw_close(&w, '}');
	jw_close(&w, ']');
	fputs("}\n", out);
}
