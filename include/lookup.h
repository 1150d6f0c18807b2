/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOOKUP_H
#define PORTWARDEN_LOOKUP_H

#include <stdio.h>

#include "policy.h"

/* `portwarden lookup PORT[/PROTO]`: the database entry as a readable page
 * or as JSON lines.  Returns 0, or -EINVAL when spec is not a port. */
int lookup_print(FILE *out, const struct policy_db *db, const char *spec, int json);

#endif
