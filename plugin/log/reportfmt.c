// SPDX-License-Identifier: GPL-2.0-or-later
/* Untrusted text on the report's page and in its text form. */
#include <stdlib.h>
#include <string.h>

#include "reportfmt.h"
#include "safetext.h"

static char *terminal_safe(const char *s)
{
	size_t cap = strlen(s) * 6 + 8;
	char *buf = malloc(cap);

	if (buf && safetext_escape(buf, cap, s, SAFETEXT_TERMINAL) < 0)
		buf[0] = '\0';
	return buf;
}

void report_plain_text(FILE *out, const char *s)
{
	char *safe = terminal_safe(s);

	if (safe)
		fputs(safe, out);
	free(safe);
}

void report_html_text(FILE *out, const char *s)
{
	char *safe = terminal_safe(s);
	const char *p;

	for (p = safe; p && *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*p, out); break;
		}
	}
	free(safe);
}

void report_port_text(FILE *out, const struct report_series *s, int html)
{
	void (*text)(FILE *, const char *) = html ? report_html_text : report_plain_text;

	if (s->port == 65536) {
		text(out, s->service);
		return;
	}
	fprintf(out, "%u/", s->port);
	text(out, s->proto);
	if (s->service[0]) {
		fputc(' ', out);
		text(out, s->service);
	}
}
