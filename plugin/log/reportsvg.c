// SPDX-License-Identifier: GPL-2.0-or-later
/* The report's chart: attempts over time as stacked bars, one SVG path
 * per port, drawn here so the page needs no script and fetches nothing. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "reportfmt.h"

#define LEFT	64
#define RIGHT	12
#define TOP	12
#define BOTTOM	44

/* Okabe and Ito's palette, told apart with the common colour-vision
 * deficiencies, and two of Tol's; grey for the ports drawn together */
static const char *const colours[REPORT_SERIES] = {
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
	"#882255", "#44AA99",
};

const char *report_colour(const struct report *r, unsigned i)
{
	return r->series[i].port == 65536 ? "#999999" : colours[i % REPORT_SERIES];
}

/* The axis' top: a round number at least v, whose quarters are round */
static uint64_t nice_ceiling(uint64_t v)
{
	static const unsigned steps[] = { 1, 2, 3, 4, 5, 6, 8, 10 };
	uint64_t p = 1;
	unsigned i;

	if (v <= 4)
		return 4;
	while (p <= v / 10)
		p *= 10;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) - 1; i++)
		if (v <= steps[i] * p && (steps[i] * p) % 4 == 0)
			return steps[i] * p;
	return 10 * p;
}

static void axes(FILE *out, const struct report *r, uint64_t top, double x0, double bw,
		 unsigned width, unsigned height)
{
	const struct summary_axis *a = &r->axis;
	double ph = height - TOP - BOTTOM;
	unsigned i, step = a->n / 12 + 1;

	for (i = 0; i <= 4; i++) {
		double y = TOP + ph - ph * i / 4;

		fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%u\" y2=\"%.1f\"/>", LEFT,
			y, width - RIGHT, y);
		fprintf(out, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%llu</text>\n",
			LEFT - 6, y + 4, (unsigned long long)(top * i / 4));
	}
	for (i = 0; i < a->n; i += step) {
		char label[32];
		double x = x0 + bw * (i + 0.5);

		summary_axis_label(a, i, label, sizeof(label));
		if (strlen(label) < (a->hours == 1 ? 16u : 10u))
			continue;	/* not a date this clock can show */
		/* hours show the time, and the date where a day starts */
		fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%u\" text-anchor=\"middle\">%s</text>",
			x, height - BOTTOM + 16, a->hours == 1 ? label + 11 : label + 5);
		if (a->hours == 1 && (i == 0 || !strcmp(label + 11, "00:00")))
			fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%u\" text-anchor=\"middle\">"
				"%.10s</text>", x, height - BOTTOM + 32, label);
		fputc('\n', out);
	}
}

void report_svg_timeline(FILE *out, const struct report *r, unsigned width, unsigned height)
{
	const struct summary_axis *a = &r->axis;
	double pw = width - LEFT - RIGHT, ph = height - TOP - BOTTOM, bw, gap;
	uint64_t max = 0, top, base[SUMMARY_MAX_BUCKETS + 1];
	unsigned i, b;

	for (b = 0; b < a->n; b++)
		if (r->totals[b] > max)
			max = r->totals[b];
	top = nice_ceiling(max);
	bw = a->n ? pw / a->n : pw;
	gap = bw > 4 ? bw * 0.15 : 0;
	fprintf(out, "<svg class=\"timeline\" viewBox=\"0 0 %u %u\" width=\"%u\" height=\"%u\" "
		"role=\"img\" aria-label=\"attempts per %s, by port\">\n", width, height, width,
		height, a->hours == 1 ? "hour" : "day");
	axes(out, r, top, LEFT, bw, width, height);
	memset(base, 0, sizeof(base));
	for (i = 0; i < r->nseries; i++) {
		const struct report_series *s = &r->series[i];

		fprintf(out, "<path class=\"series\" data-port=\"");
		report_port_text(out, s, 1);
		fprintf(out, "\" fill=\"%s\" d=\"", report_colour(r, i));
		for (b = 0; b < a->n && b <= SUMMARY_MAX_BUCKETS; b++) {
			double y0, y1;

			if (!s->counts[b])
				continue;
			y0 = TOP + ph - ph * (double)base[b] / (double)top;
			base[b] += s->counts[b];
			y1 = TOP + ph - ph * (double)base[b] / (double)top;
			fprintf(out, "M%.1f %.1fh%.1fV%.1fh%.1fZ", LEFT + bw * b + gap / 2, y0,
				bw - gap, y1, -(bw - gap));
		}
		fprintf(out, "\"><title>");
		report_port_text(out, s, 1);
		fprintf(out, ": %llu attempts</title></path>\n", (unsigned long long)s->total);
	}
	/* a column per bucket, clear, whose title tells its total */
	for (b = 0; b < a->n; b++) {
		char label[32];

		summary_axis_label(a, b, label, sizeof(label));
		fprintf(out, "<rect class=\"hover\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\">"
			"<title>%s: %llu attempts</title></rect>\n", LEFT + bw * b, TOP, bw, ph, label,
			(unsigned long long)r->totals[b]);
	}
	fprintf(out, "</svg>\n");
}
