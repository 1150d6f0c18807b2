/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LEARNFILE_H
#define PORTWARDEN_LEARNFILE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* The adoption window's state file (adopt_state in portwarden.conf): while
 * it exists, lan-only ports log `would-block` instead of dropping, and
 * `portwarden adopt --finish` turns the clients seen into `from` sources.
 * A file, so that the window survives restarts and reboots:
 *
 *   # portwarden adopt: ...
 *   started = 2026-12-06T04:00:00Z
 *   until = 2026-12-07T04:00:00Z
 */

struct learnfile {
	time_t started, until;	/* CLOCK_REALTIME seconds */
};

/* Parses the text; errors go to err as "NAME:LINE: message".  Returns the
 * number of errors (both keys are required, until after started). */
unsigned learnfile_parse(const char *name, char *buf, size_t len, struct learnfile *lf, FILE *err);
/* The file's text for lf; the length written, as snprintf. */
int learnfile_format(const struct learnfile *lf, char *out, size_t cap);
/* 1: the file exists (a window is open), lf filled when it parses (else
 * zeroed, errors printed); 0: no file; -errno when it cannot be read. */
int learnfile_load(const char *path, struct learnfile *lf, FILE *err);

/* "2026-12-06T04:00:00Z" */
void learnfile_time_text(time_t t, char *out, size_t cap);

#endif
