/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_DAEMON_H
#define PORTWARDEN_DAEMON_H

#include "settings.h"

/* `portwarden run`: install the table, serve the queue, write the log, until
 * SIGTERM.  Returns the exit status. */
int daemon_run(const struct settings *s);

#endif
