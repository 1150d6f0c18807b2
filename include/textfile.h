/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_TEXTFILE_H
#define PORTWARDEN_TEXTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Line-oriented reading of untrusted text files (database, config), with
 * every problem reported as "FILE:LINE: message". */

#define TEXTFILE_MAX_SIZE   (16u << 20)
#define TEXTFILE_MAX_LINE   4096
#define TEXTFILE_MAX_SHOWN  20	/* errors printed per file before summarising */

struct diag {
	FILE *out;
	const char *file;
	unsigned errors;
};

void diag_error(struct diag *d, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints how many errors were not shown; call once per file. */
void diag_finish(struct diag *d);

/* Reads a whole file into a NUL-terminated heap buffer.  Anything but a
 * regular file (FIFO, device, directory) is refused at once, without
 * blocking.  Returns 0 or -errno (already reported through d). */
int textfile_read(struct diag *d, const char *path, char **buf, size_t *len);

/* Reads path whole and hands its text to load, a parser's *_load_buf.
 * Returns load's error count, or the number of errors reading the file (at
 * least one, reported to err).  A file that does not exist is no error
 * when missing_ok. */
typedef unsigned (*textfile_load_fn)(void *ctx, const char *name, char *buf, size_t len,
				     FILE *err);
unsigned textfile_load(const char *path, int missing_ok, FILE *err, textfile_load_fn load,
		       void *ctx);

/* Calls fn for every line of buf that is valid text (no NUL, no control
 * bytes but tab, valid UTF-8, not too long), with a trailing CR removed.
 * Invalid lines are reported and skipped. */
typedef void (*textfile_line_fn)(void *ctx, struct diag *d, unsigned lineno, char *line);
void textfile_lines(struct diag *d, char *buf, size_t len, textfile_line_fn fn, void *ctx);

/* Splits off the next whitespace-separated word; NULL at end of line. */
char *textfile_word(char **cursor);

#endif
