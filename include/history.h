/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_HISTORY_H
#define PORTWARDEN_HISTORY_H

#include <stddef.h>
#include <stdint.h>

/* What local.rules held before each change a command made, so that
 * `portwarden reset PORT` goes back one step (to an adopted entry, say)
 * instead of straight to the shipped policy.  Kept beside the file as
 * LOCAL.history, a text file of records, newest last:
 *	@ 2026-12-06T10:00:00Z 143/tcp
 *	- # portwarden: adopted on 2026-12-01 with `portwarden adopt`: ...
 *	- 143/tcp  imap  open
 *	+ # portwarden: guarded on 2026-12-06 with `portwarden guard`
 *	+ 143/tcp  imap  lan-only
 * "-" lines are the entry before the change (none: there was no entry),
 * "+" lines the entry the change wrote.  A record is used only while the
 * entry in the file is still exactly its "+" lines: an entry changed by
 * hand since is not undone from a stale record.  Pure functions on text. */

#define HISTORY_MAX	200	/* records kept; the oldest go first */
#define HISTORY_SPEC_MAX 32

struct history_record {
	char spec[HISTORY_SPEC_MAX];	/* as portspec_format writes it */
	int64_t when;
	char *before, *after;	/* whole lines; "" for no entry */
};

struct history {
	struct history_record *v;
	unsigned n;
};

/* Reads the text of a history file; lines that are no part of a record
 * are skipped (the file is ours, but may have been edited).  0 or -ENOMEM. */
int history_parse(const char *text, size_t len, struct history *h);
/* The file's text (free() it), or NULL when out of memory. */
char *history_format(const struct history *h, size_t *len);
void history_free(struct history *h);

/* Appends a record (copies of the texts); 0 or -ENOMEM. */
int history_push(struct history *h, const char *spec, int64_t when, const char *before,
		 const char *after);
/* The newest record of spec whose "+" lines are current; -1 for none. */
int history_find(const struct history *h, const char *spec, const char *current);
/* Removes record i, once its "-" lines are back in the file: the older
 * records of its spec are what the next reset uses. */
void history_drop(struct history *h, unsigned i);

#endif
