// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden report`: the log, drawn, with the audit of this host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"

/* The audit needs to read the table and every process's sockets. */
static void add_audit(const struct settings *s, struct report *r,
		      struct report_listener **listeners)
{
	if (geteuid() != 0) {
		r->audit_note = "The audit of listening ports needs root: run the report as root "
				"to include it.";
		return;
	}
	if (audit_listeners(s, listeners, &r->nlisteners) != 0) {
		r->audit_note = "The audit of listening ports could not run (see the messages "
				"of portwarden report).";
		return;
	}
	r->listeners = *listeners;
}

int cmd_report(const struct settings *s)
{
	struct report_listener *listeners = NULL;
	struct logview_query q;
	struct report r;
	struct config cfg;
	FILE *out = stdout;
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
	add_audit(s, &r, &listeners);
	if (s->output && !(out = fopen(s->output, "we"))) {
		fprintf(stderr, "portwarden: cannot write %s: %s\n", s->output, strerror(errno));
		ret = 1;
		goto out;
	}
	if (s->text)
		report_text(out, &r);
	else
		report_html(out, &r);
	if ((out == stdout ? fflush(out) : fclose(out)) != 0) {
		fprintf(stderr, "portwarden: cannot write %s: %s\n", s->output ? s->output :
			"the report", strerror(errno));
		ret = 1;
	}
out:
	report_free(&r);
	free(listeners);
	return ret;
}
