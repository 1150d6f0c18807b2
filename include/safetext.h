/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SAFETEXT_H
#define PORTWARDEN_SAFETEXT_H

#include <stddef.h>
#include <stdint.h>

/* Text from rules files, /proc, the kernel and the network, made safe to
 * show: nothing in it may move a terminal's cursor, change its colours or
 * reorder what follows (C0 and C1 controls, ESC, DEL, the Unicode bidi
 * embeddings, overrides and isolates U+202A-202E and U+2066-2069), and
 * invalid UTF-8 never passes as is. */

/* Length of the UTF-8 sequence at s (at most n bytes, n > 0), 0 if invalid
 * (overlong, surrogate, past U+10FFFF, cut short); *cp gets the code point. */
size_t safetext_utf8(const unsigned char *s, size_t n, uint32_t *cp);

/* How an escaped character is written: for a terminal (\x1b, \u202e) or
 * inside a JSON string (\u001b, \u202e; JSON's own " and \ escaped too;
 * an invalid byte as the text \xff). */
enum safetext_style { SAFETEXT_TERMINAL, SAFETEXT_JSON };

/* Writes s escaped into out; returns the length, or -1 when cap is too
 * small (out then holds a NUL-terminated prefix). */
int safetext_escape(char *out, size_t cap, const char *s, enum safetext_style style);

/* For printf: s escaped for a terminal in buf, cut short with "..." when
 * buf is too small; returns buf. */
const char *safetext(char *buf, size_t cap, const char *s);

#endif
