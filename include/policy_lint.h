/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_POLICY_LINT_H
#define PORTWARDEN_POLICY_LINT_H

#include <stdio.h>

#include "policy.h"

/* The shortest about text a guarded entry may have: enough to say what
 * listens, on which address, what an outsider gains and what to do. */
#define POLICY_LINT_ABOUT_MIN	200

/* `portwarden check --lint`: what the parser accepts but a maintained
 * database should not hold (related and via ports no entry describes,
 * overlaps nobody declared, guarded entries without an explanation, a word
 * given twice, neighbours of a service numbered in a row with no entry: a
 * gap inside the row, or the next port after a guarded row).  Each finding
 * goes to out as "FILE:LINE: service: message".  db must be indexed.
 * Returns the number of findings. */
unsigned policy_lint(const struct policy_db *db, FILE *out);

#endif
