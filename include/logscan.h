/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOGSCAN_H
#define PORTWARDEN_LOGSCAN_H

#include <stdint.h>
#include <sys/types.h>

#include "logline.h"

/* Reading the blocked-connection log and, on request, its rotated files
 * (PATH.N.gz or PATH.N, oldest first), line by line.  The files are opened
 * once: a second pass reads the same lines as the first, up to where the
 * first one stopped, even when the log was rotated or grew meanwhile.
 *
 * The daemon writes the log in time order, so a start time is found by a
 * binary search over a plain file's bytes, and a rotated file whose
 * successor starts before it is skipped whole; an end time stops the read.
 * LOGSCAN_SLACK_MS of disorder is allowed for (lines of older versions
 * folded repeats under their last time, up to a minute late). */

#define LOGSCAN_FILES		100
#define LOGSCAN_LINE_MAX	8192
#define LOGSCAN_SLACK_MS	(2 * 60 * 1000)

struct logscan_file {
	char path[512];
	int fd;
	int gz;
	off_t start;	/* a plain file: where reading starts (after a seek), -1 before */
	off_t end;	/* a plain file: where the first pass stopped, -1 before */
	int64_t first_ms;	/* time of its first record, INT64_MIN: none */
	int first_known;
};

struct logscan {
	struct logscan_file f[LOGSCAN_FILES];
	unsigned n;
	char *buf;
	unsigned long long corrupt;	/* lines that are not records (first pass) */
	unsigned passes;
	int has_main;			/* the current file is the last of f */
	off_t main_end;			/* the current file's end after the first pass */
};

/* Opens path (and its rotated files when all); 0, or -errno for path
 * (-EINVAL: not a regular file).  Rotated files that cannot be read are
 * reported on stderr and left out. */
int logscan_open(struct logscan *s, const char *path, int all);
void logscan_close(struct logscan *s);

/* Calls fn for every record that may lie in [since_ms, until_ms) (0: open);
 * the caller filters exactly.  0 or -EIO. */
typedef void (*logscan_fn)(void *ctx, const struct log_record *r, const char *line, size_t len);
int logscan_run(struct logscan *s, int64_t since_ms, int64_t until_ms, logscan_fn fn, void *ctx);

/* A plain file's first line start whose time may be at or after ms
 * (binary search); exposed for the tests. */
off_t logscan_seek(int fd, off_t size, int64_t ms, char *buf);

#endif
