// SPDX-License-Identifier: GPL-2.0-or-later
/* `report --text`: the page's sections for a terminal, attempts over time
 * as sparklines. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "reportfmt.h"
#include "safetext.h"

#define SPARK_WIDTH	72

static const char *const blocks[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
				      "\u2586", "\u2587", "\u2588" };

/* counts[n] as at most SPARK_WIDTH cells, each the sum of its buckets,
 * scaled to the largest cell of top (shared by the rows, so that heights
 * compare); a cell with anything in it is never blank. */
static void sparkline(FILE *out, const uint64_t *counts, unsigned n, uint64_t top,
		      unsigned per_cell)
{
	unsigned c, cells = (n + per_cell - 1) / per_cell;

	for (c = 0; c < cells; c++) {
		uint64_t sum = 0;
		unsigned b, level;

		for (b = c * per_cell; b < n && b < (c + 1) * per_cell; b++)
			sum += counts[b];
		level = !sum ? 0 : top ? (unsigned)(1 + (sum * 7) / top) : 1;
		fputs(blocks[level > 8 ? 8 : level], out);
	}
}

static uint64_t largest_cell(const uint64_t *counts, unsigned n, unsigned per_cell)
{
	uint64_t top = 0;
	unsigned c;

	for (c = 0; c * per_cell < n; c++) {
		uint64_t sum = 0;
		unsigned b;

		for (b = c * per_cell; b < n && b < (c + 1) * per_cell; b++)
			sum += counts[b];
		if (sum > top)
			top = sum;
	}
	return top;
}

static void timeline(FILE *out, const struct report *r)
{
	const struct summary_axis *a = &r->axis;
	unsigned i, per_cell = a->n > SPARK_WIDTH ? (a->n + SPARK_WIDTH - 1) / SPARK_WIDTH : 1;
	uint64_t top = largest_cell(r->totals, a->n, per_cell);
	char first[32], last[32];

	if (!a->n)
		return;
	summary_axis_label(a, 0, first, sizeof(first));
	summary_axis_label(a, a->n - 1, last, sizeof(last));
	fprintf(out, "\nAttempts per %s (%s), %s to %s", a->hours == 1 ? "hour" : "day",
		r->q->local_time ? "local time" : "UTC", first, last);
	if (per_cell > 1 || a->hours > 24)
		fprintf(out, ", %u %s a character", per_cell * a->hours / (a->hours == 1 ? 1 : 24),
			a->hours == 1 ? "hours" : "days");
	fprintf(out, ":\n  %-24s ", "all ports");
	sparkline(out, r->totals, a->n, top, per_cell);
	fprintf(out, " %llu\n", (unsigned long long)summary_attempts(r->sum));
	for (i = 0; i < r->nseries; i++) {
		char name[64];
		FILE *f = fmemopen(name, sizeof(name), "w");

		if (!f)
			continue;
		report_port_text(f, &r->series[i], 0);
		fclose(f);
		name[sizeof(name) - 1] = '\0';
		fprintf(out, "  %-24.24s ", name);
		sparkline(out, r->series[i].counts, a->n, top, per_cell);
		fprintf(out, " %llu\n", (unsigned long long)r->series[i].total);
	}
}

static void ports(FILE *out, const struct report *r)
{
	const struct summary_port *v;
	unsigned i, n = summary_ports(r->sum, &v);

	fprintf(out, "\nTop ports:\n  %-11s  %-16s  %-13s  %10s  %10s  %10s  %-19s  %s\n", "PORT",
		"SERVICE", "POLICY", "ATTEMPTS", "KERNEL", "QUEUE", "FIRST SEEN", "LAST SEEN");
	for (i = 0; i < n && i < REPORT_TOP; i++) {
		char port[48], service[128], policy[64], first[32], last[32];
		const char *label = port;

		summary_format_time(r->sum, v[i].first_ms, first, sizeof(first));
		summary_format_time(r->sum, v[i].last_ms, last, sizeof(last));
		logview_port_label(&v[i], port, sizeof(port));
		while (*label == ' ')
			label++;
		fprintf(out, "  %-11s  %-16s  %-13s  %10llu  %10llu  %10llu  %-19s  %s\n", label,
			v[i].service[0] ? safetext(service, sizeof(service), v[i].service) : "-",
			v[i].policy[0] ? safetext(policy, sizeof(policy), v[i].policy) : "-",
			(unsigned long long)v[i].attempts, (unsigned long long)v[i].kernel,
			(unsigned long long)v[i].queue, first, last);
	}
	if (n > REPORT_TOP)
		fprintf(out, "  and %u more ports\n", n - REPORT_TOP);
}

static void sources(FILE *out, const struct report *r)
{
	struct summary_source v[REPORT_TOP];
	unsigned i, n = summary_sources(r->sum, v, REPORT_TOP);

	fprintf(out, "\nTop sources (IPv6 by /64):\n  %-42s  %12s  %-19s  %s\n", "SOURCE", "ATTEMPTS",
		"FIRST SEEN", "LAST SEEN");
	for (i = 0; i < n; i++) {
		char text[256], count[48], first[32], last[32];

		if (v[i].error)
			snprintf(count, sizeof(count), "%llu-%llu",
				 (unsigned long long)(v[i].attempts - v[i].error),
				 (unsigned long long)v[i].attempts);
		else
			snprintf(count, sizeof(count), "%llu", (unsigned long long)v[i].attempts);
		summary_format_time(r->sum, v[i].first_ms, first, sizeof(first));
		summary_format_time(r->sum, v[i].last_ms, last, sizeof(last));
		fprintf(out, "  %-42s  %12s  %-19s  %s\n", safetext(text, sizeof(text), v[i].text),
			count, first, last);
	}
	if (summary_sources_approximate(r->sum))
		fprintf(out, "  (more than %u distinct sources: a range A-B bounds a count that is not "
			"exact)\n", SUMMARY_SOURCES);
}

static void audit(FILE *out, const struct report *r)
{
	unsigned i;

	fprintf(out, "\nListening ports now:\n");
	if (r->audit_note) {
		fputs("  ", out);
		report_plain_text(out, r->audit_note);
		fputc('\n', out);
		return;
	}
	fprintf(out, "  %-10s  %-11s  %-28s  %-24s  %-16s  %s\n", "STATUS", "PORT", "BOUND TO",
		"PROCESS", "SERVICE", "POLICY");
	for (i = 0; i < r->nlisteners; i++) {
		const struct report_listener *l = &r->listeners[i];
		char port[48], proto[32], bind[128], proc[160], service[128];

		snprintf(port, sizeof(port), "%u/%s", l->port, safetext(proto, sizeof(proto), l->proto));
		fprintf(out, "  %-10s  %-11s  %-28s  %-24s  %-16s  %s\n", l->status, port,
			safetext(bind, sizeof(bind), l->bind), safetext(proc, sizeof(proc), l->process),
			l->service[0] ? safetext(service, sizeof(service), l->service) : "-", l->policy);
		if (l->why[0]) {
			char why[512];

			fprintf(out, "              %s\n", safetext(why, sizeof(why), l->why));
		}
	}
}

static void published(FILE *out, const struct report *r)
{
	unsigned i;

	fprintf(out, "\nPublished ports now (DNAT):\n");
	if (r->published_note || !r->npublished) {
		fputs("  ", out);
		report_plain_text(out, r->published_note ? r->published_note :
				  "No rule of the ruleset publishes a port of this host.");
		fputc('\n', out);
		return;
	}
	fprintf(out, "  %-10s  %-15s  %-20s  %-34s  %-10s  %-16s  %s\n", "STATUS", "PORT",
		"ADDRESS", "LEADS TO", "KIND", "SERVICE", "POLICY");
	for (i = 0; i < r->npublished; i++) {
		const struct report_published *p = &r->published[i];
		char port[48], bind[128], target[256], service[128];

		fprintf(out, "  %-10s  %-15s  %-20s  %-34s  %-10s  %-16s  %s\n", p->status,
			safetext(port, sizeof(port), p->port), safetext(bind, sizeof(bind), p->bind),
			safetext(target, sizeof(target), p->target), p->by,
			p->service[0] ? safetext(service, sizeof(service), p->service) : "-", p->policy);
		if (p->why[0]) {
			char why[1024];

			fprintf(out, "              %s\n", safetext(why, sizeof(why), p->why));
		}
	}
}

void report_text(FILE *out, const struct report *r)
{
	fprintf(out, "Blocked connection attempts on ");
	report_plain_text(out, r->host);
	if (summary_lines(r->sum)) {
		char from[32], to[32];

		summary_format_time(r->sum, summary_first_ms(r->sum), from, sizeof(from));
		summary_format_time(r->sum, summary_last_ms(r->sum), to, sizeof(to));
		fprintf(out, ", %s to %s (%s)", from, to, r->q->local_time ? "local time" : "UTC");
	}
	fprintf(out, "\n%llu attempts in %llu log lines, %u%s distinct sources; kernel %llu, queue "
		"%llu\n", (unsigned long long)summary_attempts(r->sum),
		(unsigned long long)summary_lines(r->sum), summary_distinct_sources(r->sum),
		summary_sources_approximate(r->sum) ? "+" : "",
		(unsigned long long)summary_path(r->sum, "kernel"),
		(unsigned long long)summary_path(r->sum, "queue"));
	if (r->corrupt)
		fprintf(out, "%llu corrupt or truncated log lines skipped\n", r->corrupt);
	timeline(out, r);
	ports(out, r);
	sources(out, r);
	audit(out, r);
	published(out, r);
}
