// SPDX-License-Identifier: GPL-2.0-or-later
/* `report`: one HTML file that holds everything it shows (style and SVG
 * inline, no script, no address anything would be fetched from). */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "reportfmt.h"

#ifndef PW_VERSION
#define PW_VERSION "unknown"
#endif

static const char style[] =
	"body{font:15px/1.45 system-ui,sans-serif;color:#1d2433;background:#f6f7f9;margin:0}"
	"main{max-width:1120px;margin:0 auto;padding:20px 24px 40px}"
	"h1{font-size:24px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px}"
	".meta{color:#5b6475;margin:0 0 16px}"
	".cards{display:flex;flex-wrap:wrap;gap:12px}"
	".card{background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:10px 16px;min-width:130px}"
	".card b{display:block;font-size:22px;font-variant-numeric:tabular-nums}"
	".card span{color:#5b6475;font-size:13px}"
	"section{background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:4px 16px 14px;margin-top:16px}"
	"table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceff4;vertical-align:top}"
	"th{font-size:13px;color:#5b6475;font-weight:600}"
	"td.n,th.n{text-align:right}"
	"tr.exposed td{background:#fdecea}td.exposed{color:#b3261e;font-weight:700}"
	"td.protected,td.lan{color:#1e7d32}"
	".why{color:#5b6475;font-size:13px}"
	"svg.timeline{width:100%;height:auto;display:block}"
	"svg .grid{stroke:#e3e6ec}svg .tick{font-size:11px;fill:#5b6475}"
	"svg .hover{fill:transparent}svg .hover:hover{fill:rgba(0,0,0,.06)}"
	".legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:6px 18px}"
	".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}"
	".note{color:#5b6475;font-size:13px}";

static const char *zone(const struct report *r)
{
	return r->q->local_time ? "local time" : "UTC";
}

static void time_cell(FILE *out, const struct report *r, int64_t ms)
{
	char text[32];

	summary_format_time(r->sum, ms, text, sizeof(text));
	fprintf(out, "<td>%s</td>", text);
}

static void heading(FILE *out, const struct report *r)
{
	const struct logview_query *q = r->q;
	char made[32];

	fprintf(out, "<h1>Blocked connection attempts on ");
	report_html_text(out, r->host);
	fprintf(out, "</h1>\n<p class=\"meta\">");
	if (summary_lines(r->sum)) {
		char from[32], to[32];

		summary_format_time(r->sum, summary_first_ms(r->sum), from, sizeof(from));
		summary_format_time(r->sum, summary_last_ms(r->sum), to, sizeof(to));
		fprintf(out, "%s to %s (%s)", from, to, zone(r));
	} else {
		fprintf(out, "no attempts in the log");
	}
	if (q->since_ms || q->until_ms || q->port >= 0 || q->service || q->have_source) {
		fprintf(out, " &middot; selected:");
		if (q->port >= 0)
			fprintf(out, " port %ld", q->port);
		if (q->service) {
			fprintf(out, " service ");
			report_html_text(out, q->service);
		}
		if (q->have_source) {
			fprintf(out, " source ");
			report_html_text(out, q->source_text ? q->source_text : "(given)");
		}
	}
	summary_format_time(r->sum, r->made_ms, made, sizeof(made));
	fprintf(out, " &middot; made %s by portwarden %s</p>\n", made, PW_VERSION);
}

static void card(FILE *out, unsigned long long n, const char *what)
{
	fprintf(out, "<div class=\"card\"><b>%llu</b><span>%s</span></div>\n", n, what);
}

static void totals(FILE *out, const struct report *r)
{
	unsigned distinct = summary_distinct_sources(r->sum);

	fprintf(out, "<div class=\"cards\" id=\"totals\" data-attempts=\"%llu\" data-lines=\"%llu\">\n",
		(unsigned long long)summary_attempts(r->sum), (unsigned long long)summary_lines(r->sum));
	card(out, summary_attempts(r->sum), "attempts");
	card(out, summary_lines(r->sum), "log lines");
	card(out, distinct, summary_sources_approximate(r->sum) ? "sources (more than counted)" :
	     "distinct sources");
	card(out, summary_path(r->sum, "kernel"), "stopped in the kernel");
	card(out, summary_path(r->sum, "queue"), "decided by the daemon");
	if (summary_would_block(r->sum))
		card(out, summary_would_block(r->sum), "would be blocked (monitor)");
	fprintf(out, "</div>\n");
}

static void timeline(FILE *out, const struct report *r)
{
	unsigned i;

	fprintf(out, "<section id=\"timeline\">\n<h2>Attempts per %s by port (%s)</h2>\n",
		r->axis.hours == 1 ? "hour" : r->axis.hours == 24 ? "day" : "period", zone(r));
	if (r->axis.hours > 24)
		fprintf(out, "<p class=\"note\">each bar: %u days</p>\n", r->axis.hours / 24);
	if (!r->nseries) {
		fprintf(out, "<p class=\"note\">nothing to draw</p>\n</section>\n");
		return;
	}
	report_svg_timeline(out, r, 1060, 300);
	fprintf(out, "<ul class=\"legend\">\n");
	for (i = 0; i < r->nseries; i++) {
		fprintf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>", report_colour(r, i));
		report_port_text(out, &r->series[i], 1);
		fprintf(out, " (%llu)</li>\n", (unsigned long long)r->series[i].total);
	}
	fprintf(out, "</ul>\n</section>\n");
}

static void ports(FILE *out, const struct report *r)
{
	const struct summary_port *v;
	unsigned i, n = summary_ports(r->sum, &v);

	fprintf(out, "<section id=\"ports\">\n<h2>Top ports</h2>\n<table>\n<tr><th>Port</th><th>Service"
		"</th><th>Policy</th><th class=\"n\">Attempts</th><th class=\"n\">Kernel</th>"
		"<th class=\"n\">Queue</th><th>First seen</th><th>Last seen</th></tr>\n");
	for (i = 0; i < n && i < REPORT_TOP; i++) {
		fprintf(out, "<tr data-key=\"%u/", v[i].port);
		report_html_text(out, v[i].proto);
		fprintf(out, "\" data-count=\"%llu\"><td>", (unsigned long long)v[i].attempts);
		if (v[i].port > 65535)
			fprintf(out, "other");
		else
			fprintf(out, "%u/", v[i].port);
		report_html_text(out, v[i].port > 65535 ? "" : v[i].proto);
		fprintf(out, "</td><td>");
		report_html_text(out, v[i].service[0] ? v[i].service : "-");
		fprintf(out, "</td><td>");
		report_html_text(out, v[i].policy[0] ? v[i].policy : "-");
		fprintf(out, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu"
			"</td>", (unsigned long long)v[i].attempts, (unsigned long long)v[i].kernel,
			(unsigned long long)v[i].queue);
		time_cell(out, r, v[i].first_ms);
		time_cell(out, r, v[i].last_ms);
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</table>\n");
	if (n > REPORT_TOP)
		fprintf(out, "<p class=\"note\">and %u more ports</p>\n", n - REPORT_TOP);
	fprintf(out, "</section>\n");
}

static void sources(FILE *out, const struct report *r)
{
	struct summary_source v[REPORT_TOP];
	unsigned i, n = summary_sources(r->sum, v, REPORT_TOP);

	fprintf(out, "<section id=\"sources\">\n<h2>Top sources</h2>\n<p class=\"note\">IPv6 sources "
		"by /64: one host usually holds a whole /64.</p>\n<table>\n<tr><th>Source</th>"
		"<th class=\"n\">Attempts</th><th>First seen</th><th>Last seen</th></tr>\n");
	for (i = 0; i < n; i++) {
		fprintf(out, "<tr data-key=\"");
		report_html_text(out, v[i].text);
		fprintf(out, "\" data-count=\"%llu\" data-error=\"%llu\"><td>",
			(unsigned long long)v[i].attempts, (unsigned long long)v[i].error);
		report_html_text(out, v[i].text);
		if (v[i].error)
			fprintf(out, "</td><td class=\"n\">%llu&ndash;%llu</td>",
				(unsigned long long)(v[i].attempts - v[i].error),
				(unsigned long long)v[i].attempts);
		else
			fprintf(out, "</td><td class=\"n\">%llu</td>", (unsigned long long)v[i].attempts);
		time_cell(out, r, v[i].first_ms);
		time_cell(out, r, v[i].last_ms);
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</table>\n");
	if (summary_sources_approximate(r->sum))
		fprintf(out, "<p class=\"note\">More than %u distinct sources: the heaviest are kept. "
			"A range bounds a count that is not exact; its first seen is when it began to "
			"be counted.</p>\n", SUMMARY_SOURCES);
	fprintf(out, "</section>\n");
}

/* The two audit tables' shared parts: a note in place of the table, and
 * each row's status cell first and policy cell (with the reason) last */
static void note(FILE *out, const char *text)
{
	fprintf(out, "<p class=\"note\">");
	report_html_text(out, text);
	fprintf(out, "</p>\n</section>\n");
}

static void row_begin(FILE *out, const char *status)
{
	fprintf(out, "<tr class=\"");
	report_html_text(out, status);
	fprintf(out, "\"><td class=\"");
	report_html_text(out, status);
	fprintf(out, "\">");
	report_html_text(out, status);
	fprintf(out, "</td>");
}

static void row_end(FILE *out, const char *policy, const char *why)
{
	fprintf(out, "<td>");
	report_html_text(out, policy);
	if (why[0]) {
		fprintf(out, "<div class=\"why\">");
		report_html_text(out, why);
		fprintf(out, "</div>");
	}
	fprintf(out, "</td></tr>\n");
}

static void audit(FILE *out, const struct report *r)
{
	unsigned i;

	fprintf(out, "<section id=\"audit\">\n<h2>Listening ports now</h2>\n");
	if (r->audit_note) {
		note(out, r->audit_note);
		return;
	}
	fprintf(out, "<table>\n<tr><th>Status</th><th>Port</th><th>Bound to</th><th>Process</th>"
		"<th>Service</th><th>Policy</th></tr>\n");
	for (i = 0; i < r->nlisteners; i++) {
		const struct report_listener *l = &r->listeners[i];

		row_begin(out, l->status);
		fprintf(out, "<td>%u/", l->port);
		report_html_text(out, l->proto);
		fprintf(out, "</td><td>");
		report_html_text(out, l->bind);
		fprintf(out, "</td><td>");
		report_html_text(out, l->process);
		fprintf(out, "</td><td>");
		report_html_text(out, l->service[0] ? l->service : "-");
		fprintf(out, "</td>");
		row_end(out, l->policy, l->why);
	}
	fprintf(out, "</table>\n</section>\n");
}

static void cell(FILE *out, const char *text)
{
	fprintf(out, "<td>");
	report_html_text(out, text[0] ? text : "-");
	fprintf(out, "</td>");
}

static void published(FILE *out, const struct report *r)
{
	unsigned i;

	fprintf(out, "<section id=\"published\">\n<h2>Published ports now (DNAT)</h2>\n");
	if (r->published_note || !r->npublished) {
		note(out, r->published_note ? r->published_note :
		     "No rule of the ruleset publishes a port of this host.");
		return;
	}
	fprintf(out, "<table>\n<tr><th>Status</th><th>Port</th><th>Address</th><th>Leads to</th>"
		"<th>Kind</th><th>Service</th><th>Policy</th></tr>\n");
	for (i = 0; i < r->npublished; i++) {
		const struct report_published *p = &r->published[i];

		row_begin(out, p->status);
		cell(out, p->port);
		cell(out, p->bind);
		cell(out, p->target);
		cell(out, p->by);
		cell(out, p->service);
		row_end(out, p->policy, p->why);
	}
	fprintf(out, "</table>\n</section>\n");
}

void report_html(FILE *out, const struct report *r)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>portwarden report: ");
	report_html_text(out, r->host);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
	heading(out, r);
	totals(out, r);
	if (r->corrupt)
		fprintf(out, "<p class=\"note\">%llu corrupt or truncated log lines were skipped.</p>\n",
			r->corrupt);
	timeline(out, r);
	ports(out, r);
	sources(out, r);
	audit(out, r);
	published(out, r);
	fprintf(out, "</main>\n</body>\n</html>\n");
}
