/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_COMMANDS_H
#define PORTWARDEN_COMMANDS_H

#include "settings.h"

/* One function per subcommand; each returns the process exit status. */
int cmd_check(const struct settings *s);
int cmd_lookup(const struct settings *s, int argc, char **argv);
int cmd_status(const struct settings *s);
int cmd_flush(const struct settings *s);
int cmd_log(const struct settings *s);
int cmd_audit(const struct settings *s);
int cmd_allow(const struct settings *s, int argc, char **argv);
int cmd_guard(const struct settings *s, int argc, char **argv);
int cmd_reset(const struct settings *s, int argc, char **argv);
int cmd_adopt(const struct settings *s);
int cmd_reload(const struct settings *s);
int cmd_changes(const struct settings *s);
int cmd_why(const struct settings *s, int argc, char **argv);
int cmd_zone(const struct settings *s, int argc, char **argv);
int cmd_report(const struct settings *s);

/* The query of `log` and `report` from the command line; 0, or the exit
 * status after saying what is wrong. */
struct logview_query;
int cmd_log_query(const struct settings *s, struct logview_query *q);

/* What `audit` says, for `report`: each listening port and each port
 * published by DNAT, worst first.  0 (free both arrays), or 2 after saying
 * on stderr why there is no answer; published_error is -errno when only
 * the DNAT rules could not be read. */
struct report_listener;
struct report_published;
struct audit_rows {
	struct report_listener *listeners;
	unsigned nlisteners;
	struct report_published *published;
	unsigned npublished;
	int published_error;
};
int audit_rows(const struct settings *s, struct audit_rows *out);

#endif
