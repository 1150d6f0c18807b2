/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_CONFEDIT_H
#define PORTWARDEN_CONFEDIT_H

#include <stddef.h>

/* Edits the text of portwarden.conf the way an admin would by hand: one
 * key set or removed, every other line and comment kept as it was.  Pure:
 * the caller reads, validates and writes the file. */

#define CONFEDIT_NOTE "# portwarden: "

struct confedit {
	char *text;		/* the result, NUL-terminated; free() it */
	size_t len;
	unsigned line;		/* the key's line in the result, 0 when removed */
};

/* Sets key to value: the first "key = ..." line is rewritten, later ones
 * are removed, a new one is appended when there is none; value NULL
 * removes every line of the key.  A "# portwarden: " note above a line of
 * the key goes with it; note (may be NULL) becomes the new line's.
 * 0 or -ENOMEM. */
int confedit_set(const char *text, size_t len, const char *key, const char *value,
		 const char *note, struct confedit *out);

#endif
