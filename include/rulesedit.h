/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULESEDIT_H
#define PORTWARDEN_RULESEDIT_H

#include <stddef.h>

#include "portspec.h"

/* Edits the text of a rules file (local.rules) the way an admin would by
 * hand: one entry changed, added or removed, every other line, comment and
 * blank line kept as it was.  Pure functions on buffers: the caller reads,
 * validates and writes the file. */

#define RULESEDIT_NOTE "# portwarden: "

struct rulesedit {
	char *text;		/* the result, NUL-terminated; free() it */
	size_t len;
	unsigned line;		/* the changed entry's header line, or the
				 * conflicting one on -EEXIST */
};

/* Gives ps the policy: rewrites the entry for exactly ps when there is one,
 * else appends one named service.  note (may be NULL) becomes a comment line
 * above it.  -EEXIST when an entry covers the same ports with other
 * protocols (out->line says where). */
int rulesedit_set(const char *text, size_t len, const struct portspec *ps, const char *service,
		  const char *policy, const char *note, struct rulesedit *out);

/* The `from` lines of the entry for exactly ps: with replace, every one
 * goes; then, when words is not empty, one line "from WORDS" ends the
 * entry's attribute lines.  -ENOENT when the file has no such entry. */
int rulesedit_set_from(const char *text, size_t len, const struct portspec *ps, int replace,
		       const char *words, struct rulesedit *out);

/* Removes the entries for ps's ports (and the note above each).  Returns
 * how many were removed. */
int rulesedit_remove(const char *text, size_t len, const struct portspec *ps,
		     struct rulesedit *out);

#endif
