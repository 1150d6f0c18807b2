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
int cmd_why(const struct settings *s, int argc, char **argv);
int cmd_zone(const struct settings *s, int argc, char **argv);

#endif
