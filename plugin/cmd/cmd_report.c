// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden report`: the log, drawn, with the audit of this host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "commands.h"
#include "report.h"

/* The audit needs to read the table, the ruleset's DNAT rules and every
 * process's sockets. */
static void add_audit(const struct settings *s, struct report *r, struct audit_rows *a)
{
	if (geteuid() != 0) {
		r->audit_note = "The audit of listening ports needs root: run the report as root "
				"to include it.";
		r->published_note = "The audit of published ports needs root, like the one of "
				    "listening ports.";
		return;
	}
	if (audit_rows(s, a) != 0) {
		r->audit_note = "The audit of listening ports could not run (see the messages "
				"of portwarden report).";
		r->published_note = "The audit of published ports could not run either.";
		return;
	}
	r->listeners = a->listeners;
	r->nlisteners = a->nlisteners;
	r->published = a->published;
	r->npublished = a->npublished;
	if (a->published_error)
		r->published_note = "The ruleset's DNAT rules could not be read (see the messages "
				    "of portwarden report).";
}

/* The page or text into out; with -o, the file is replaced whole, so a
 * failed report never leaves half a page where the last one was. */
static int write_report(const struct settings *s, const struct report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = s->output ? open_memstream(&text, &len) : stdout;
	int ret = 0;

	if (!f)
		return -errno;
	if (s->text)
		report_text(f, r);
	else
		report_html(f, r);
	if (f == stdout)
		return fflush(f) == 0 ? 0 : -errno;
	if (fclose(f) != 0)
		ret = -ENOMEM;
	if (ret == 0)
		ret = atomicfile_replace(s->output, text, len, 0644);
	free(text);
	return ret;
}

int cmd_report(const struct settings *s)
{
	struct audit_rows audit = { 0 };
	struct logview_query q;
	struct report r;
	struct config cfg;
	int ret;

	if (settings_load_config(s, &cfg, stderr) < 0)
		return 2;
	ret = cmd_log_query(s, &q);
	if (ret)
		return ret;
	ret = report_collect(&r, &q, cfg.log_file);
	if (ret < 0) {
		fprintf(stderr, "portwarden: report: %s\n", strerror(-ret));
		report_free(&r);
		return 1;
	}
	add_audit(s, &r, &audit);
	ret = write_report(s, &r);
	if (ret < 0)
		fprintf(stderr, "portwarden: cannot write %s: %s\n", s->output ? s->output :
			"the report", strerror(-ret));
	ret = ret < 0 ? 1 : ret;
	report_free(&r);
	free(audit.listeners);
	free(audit.published);
	return ret;
}
