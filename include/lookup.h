/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOOKUP_H
#define PORTWARDEN_LOOKUP_H

#include <stdio.h>

#include "policy.h"

/* `portwarden lookup PORT[/PROTO]` or `lookup NAME[/PROTO]` (a service name
 * or alias of an entry, else a name of the system's services file): the
 * database entry as a readable page or as JSON lines.  Returns 0, -EINVAL
 * when spec is neither a port nor a name, -ENOENT for a name nobody knows. */
int lookup_print(FILE *out, const struct policy_db *db, const char *spec, int json);

#endif
