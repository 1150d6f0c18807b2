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

/* Removes ps's protocols from the entries for ps's ports: an entry with
 * no protocol left goes (with the note above it), one with another left
 * keeps it (8765/both less 8765/udp is 8765/tcp).  Returns how many
 * entries changed. */
int rulesedit_remove(const char *text, size_t len, const struct portspec *ps,
		     struct rulesedit *out);

#endif
