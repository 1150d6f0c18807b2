/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULESEDIT_H
#define PORTWARDEN_RULESEDIT_H

#include <stddef.h>
#include <stdint.h>

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

/* Removes ps's protocols from the entries for ps's ports: an entry with
 * no protocol left goes (with the note above it), one with another left
 * keeps it (8765/both less 8765/udp is 8765/tcp).  Returns how many
 * entries changed. */
int rulesedit_remove(const char *text, size_t len, const struct portspec *ps,
		     struct rulesedit *out);

/* The whole entry for exactly ps (the note above it, header, attribute
 * lines), as text in *entry (free() it): 1, 0 when there is none (*entry
 * NULL), or -errno. */
int rulesedit_entry(const char *text, size_t len, const struct portspec *ps, char **entry);
/* Puts entry (whole lines, as rulesedit_entry gives) in place of the
 * entry for exactly ps, appends it when there is none, or removes that
 * entry when entry is NULL.  1 when there was one, 0 when not, or -errno. */
int rulesedit_replace(const char *text, size_t len, const struct portspec *ps, const char *entry,
		      struct rulesedit *out);

/* Gives the entry for exactly ps an `expires` line (expiry.h) for when,
 * with the policy then after it (NULL: the entry leaves), replacing any it
 * had; when 0 removes it.  -ENOENT without such an entry. */
int rulesedit_set_expiry(const char *text, size_t len, const struct portspec *ps, int64_t when,
			 const char *then, struct rulesedit *out);
/* Entries whose `expires` time is not after now become what comes after
 * it: their later policy without the line, with the networks the line
 * names after "from" as their only `from` line (none without), or nothing
 * (with their note).  Returns how many, or -errno. */
int rulesedit_expire(const char *text, size_t len, int64_t now, struct rulesedit *out);

/* One entry as the file has it, for listing local changes. */
#define RULESEDIT_LINE_MAX	256
#define RULESEDIT_ATTRS_MAX	8
struct rulesedit_view {
	struct portspec spec;
	unsigned line;		/* its header's */
	char service[32], policy[16];
	char note[RULESEDIT_LINE_MAX];	/* the note above it, without "# portwarden: " */
	int64_t expires;	/* 0: for good */
	char then[16];		/* the policy after it, "" for none */
	char then_from[RULESEDIT_LINE_MAX];	/* and its networks, "" for none */
	char attrs[RULESEDIT_ATTRS_MAX][RULESEDIT_LINE_MAX];	/* its other attribute lines */
	unsigned nattrs;
};
typedef void (*rulesedit_entry_fn)(void *ctx, const struct rulesedit_view *v);
/* Calls fn for every entry of text, in order; returns how many, or -errno. */
int rulesedit_each(const char *text, size_t len, rulesedit_entry_fn fn, void *ctx);

#endif
