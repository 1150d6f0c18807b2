// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the blocked-connection log: rotated files, gzip, time seeks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "logscan.h"

#define CHUNK		(1 << 20)
#define MAX_ROTATED	(LOGSCAN_FILES - 1)

/* A FIFO or device in place of the log is refused before a read could
 * block on it. */
static int open_regular(const char *path, int *gz)
{
	unsigned char magic[2];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	*gz = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return fd;
}

static int add_file(struct logscan *s, const char *path)
{
	struct logscan_file *f = &s->f[s->n];
	int fd = open_regular(path, &f->gz);

	if (fd < 0)
		return fd;
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->fd = fd;
	f->end = -1;
	f->start = -1;
	f->first_ms = INT64_MIN;
	f->first_known = 0;
	s->n++;
	return 0;
}

int logscan_open(struct logscan *s, const char *path, int all)
{
	char rotated[512];
	int n, ret;

	memset(s, 0, sizeof(*s));
	s->main_end = -1;
	s->buf = malloc(CHUNK + 1);
	if (!s->buf)
		return -ENOMEM;
	for (n = MAX_ROTATED; all && n >= 1; n--) {
		snprintf(rotated, sizeof(rotated), "%s.%d.gz", path, n);
		if (access(rotated, F_OK) < 0)
			snprintf(rotated, sizeof(rotated), "%s.%d", path, n);
		if (access(rotated, F_OK) < 0)
			continue;
		ret = add_file(s, rotated);
		if (ret < 0)
			fprintf(stderr, "portwarden: cannot read %s: %s\n", rotated,
				ret == -EINVAL ? "not a regular file" : strerror(-ret));
	}
	ret = add_file(s, path);
	s->has_main = ret == 0;
	return ret;
}

void logscan_close(struct logscan *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		close(s->f[i].fd);
	s->n = 0;
	free(s->buf);
	s->buf = NULL;
}

/* ---- lines ------------------------------------------------------------------ */

struct pass {
	struct logscan *s;
	int64_t since, until;
	logscan_fn fn;
	void *ctx;
	int stop;		/* past until: no later line can match */
	int skipping;		/* inside a line longer than LOGSCAN_LINE_MAX */
	int first;		/* the first pass counts corrupt lines */
};

static void one_line(struct pass *p, const char *line, size_t len)
{
	struct log_record r;

	if (!len)
		return;
	if (logline_parse(line, len, &r) < 0) {
		p->s->corrupt += p->first;
		return;
	}
	if (p->until && r.ts_ms >= p->until + LOGSCAN_SLACK_MS) {
		p->stop = 1;
		return;
	}
	if (p->since && r.ts_ms < p->since)
		return;
	p->fn(p->ctx, &r, line, len);
}

/* Hands the complete lines in buf on; returns how many bytes of an
 * unfinished last line remain, moved to the front. */
static size_t split(struct pass *p, char *buf, size_t len)
{
	char *start = buf, *end = buf + len, *nl;

	while (!p->stop && (nl = memchr(start, '\n', (size_t)(end - start)))) {
		if (p->skipping)
			p->skipping = 0;	/* the end of an over-long line */
		else
			one_line(p, start, (size_t)(nl - start));
		start = nl + 1;
	}
	if (p->stop)
		return 0;
	if (end - start >= LOGSCAN_LINE_MAX) {
		/* no record is this long: corrupt, up to its newline */
		if (!p->skipping)
			p->s->corrupt += p->first;
		p->skipping = 1;
		return 0;
	}
	memmove(buf, start, (size_t)(end - start));
	return (size_t)(end - start);
}

/* The end of a file: a last line without its newline is a torn write. */
static void file_end(struct pass *p, size_t keep)
{
	if (keep && !p->skipping && !p->stop)
		p->s->corrupt += p->first;
	p->skipping = 0;
}

/* ---- seeking ------------------------------------------------------------------ */

/* The first line that starts at or after pos and parses, within two
 * lines' worth of bytes: its start and time.  0, or -1 when none. */
static int probe(int fd, off_t pos, off_t limit, char *buf, off_t *start, int64_t *ms)
{
	off_t base = pos > 0 ? pos - 1 : 0;
	size_t want = 2 * LOGSCAN_LINE_MAX + 1;
	char *p = buf, *end, *nl;
	ssize_t n;

	if (limit - base < (off_t)want)
		want = (size_t)(limit - base);
	n = pread(fd, buf, want, base);
	if (n <= 0)
		return -1;
	end = buf + n;
	if (pos > 0) {
		/* a line starts after a newline: the byte before pos tells */
		nl = memchr(p, '\n', (size_t)n);
		if (!nl)
			return -1;
		p = nl + 1;
	}
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		struct log_record r;

		if (logline_parse(p, (size_t)(nl - p), &r) == 0) {
			*start = base + (p - buf);
			*ms = r.ts_ms;
			return 0;
		}
		p = nl + 1;
	}
	return -1;
}

off_t logscan_seek(int fd, off_t size, int64_t ms, char *buf)
{
	off_t lo = 0, hi = size, start;
	int64_t t;

	/* lo: a line start before ms (or 0); the first line at or after ms
	 * comes later */
	while (hi - lo > 2 * LOGSCAN_LINE_MAX) {
		off_t mid = lo + (hi - lo) / 2;

		if (probe(fd, mid, size, buf, &start, &t) == 0 && t < ms && start < hi)
			lo = start;
		else
			hi = mid;
	}
	return lo;
}

/* ---- files ------------------------------------------------------------------- */

static int read_plain(struct pass *p, struct logscan_file *f)
{
	char *buf = p->s->buf;
	size_t keep = 0;
	off_t pos, limit = f->end;
	struct stat st;

	if (f->start < 0) {
		f->start = 0;
		if (p->since && fstat(f->fd, &st) == 0)
			f->start = logscan_seek(f->fd, st.st_size, p->since - LOGSCAN_SLACK_MS, buf);
	}
	pos = f->start;
	for (;;) {
		size_t want = CHUNK - keep;
		ssize_t n;

		if (limit >= 0 && (off_t)want > limit - pos)
			want = (size_t)(limit - pos);
		if (!want)
			break;
		n = pread(f->fd, buf + keep, want, pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EIO;
		if (n == 0)
			break;
		pos += n;
		keep = split(p, buf, keep + (size_t)n);
		if (p->stop)
			break;
	}
	if (f->end < 0)
		f->end = pos - (off_t)keep;
	file_end(p, keep);
	return 0;
}

static gzFile gz_from_start(const struct logscan_file *f)
{
	int fd = dup(f->fd);
	gzFile gz;

	if (fd < 0)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0 || !(gz = gzdopen(fd, "rb"))) {
		close(fd);
		return NULL;
	}
	gzbuffer(gz, 256 * 1024);
	return gz;
}

static int read_gz(struct pass *p, const struct logscan_file *f)
{
	gzFile gz = gz_from_start(f);
	char *buf = p->s->buf;
	size_t keep = 0;
	int n;

	if (!gz)
		return -EIO;
	while (!p->stop && (n = gzread(gz, buf + keep, CHUNK - (unsigned)keep)) > 0)
		keep = split(p, buf, keep + (size_t)n);
	file_end(p, keep);
	n = gzclose(gz) == Z_OK || p->stop ? 0 : -EIO;
	return n;
}

/* The time of a file's first record, INT64_MIN when it has none. */
static int64_t first_time(struct logscan *s, struct logscan_file *f)
{
	off_t start;
	int64_t ms = INT64_MIN;

	if (f->first_known)
		return f->first_ms;
	if (!f->gz) {
		struct stat st;

		if (fstat(f->fd, &st) < 0 || probe(f->fd, 0, st.st_size, s->buf, &start, &ms) < 0)
			ms = INT64_MIN;
	} else {
		gzFile gz = gz_from_start(f);
		int n = gz ? gzread(gz, s->buf, 2 * LOGSCAN_LINE_MAX) : -1;
		char *p = s->buf, *nl;

		while (n > 0 && (nl = memchr(p, '\n', (size_t)(s->buf + n - p)))) {
			struct log_record r;

			if (logline_parse(p, (size_t)(nl - p), &r) == 0) {
				ms = r.ts_ms;
				break;
			}
			p = nl + 1;
		}
		if (gz)
			gzclose(gz);
	}
	f->first_ms = ms;
	f->first_known = 1;
	return ms;
}

int logscan_run(struct logscan *s, int64_t since_ms, int64_t until_ms, logscan_fn fn, void *ctx)
{
	struct pass p = { s, since_ms, until_ms, fn, ctx, 0, 0, s->passes == 0 };
	int ret = 0;
	unsigned i;

	for (i = 0; i < s->n && !p.stop; i++) {
		struct logscan_file *f = &s->f[i];

		/* a file whose successor starts before since ends before it */
		if (since_ms && i + 1 < s->n) {
			int64_t next = first_time(s, &s->f[i + 1]);

			if (next != INT64_MIN && next < since_ms - LOGSCAN_SLACK_MS)
				continue;
		}
		if ((f->gz ? read_gz(&p, f) : read_plain(&p, f)) < 0) {
			fprintf(stderr, "portwarden: cannot read %s\n", f->path);
			ret = -EIO;
		}
	}
	if (!s->passes && s->has_main)
		s->main_end = s->f[s->n - 1].end;
	s->passes++;
	return ret;
}
