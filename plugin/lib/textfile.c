// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading untrusted text files line by line.  Everything that is not plain
 * UTF-8 text is refused here, once, so the parsers above only see words. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "safetext.h"
#include "textfile.h"

void diag_error(struct diag *d, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (++d->errors > TEXTFILE_MAX_SHOWN || !d->out)
		return;
	if (line)
		fprintf(d->out, "%s:%u: ", d->file, line);
	else
		fprintf(d->out, "%s: ", d->file);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

void diag_finish(struct diag *d)
{
	if (d->errors > TEXTFILE_MAX_SHOWN && d->out)
		fprintf(d->out, "%s: %u more errors not shown\n", d->file,
			d->errors - TEXTFILE_MAX_SHOWN);
}

static int read_fd(struct diag *d, int fd, char **buf, size_t *len)
{
	size_t cap = 65536, used = 0;
	char *data = malloc(cap + 1);

	if (!data)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (used == cap) {
			char *bigger;

			if (cap >= TEXTFILE_MAX_SIZE) {
				diag_error(d, 0, "file is larger than %u bytes", TEXTFILE_MAX_SIZE);
				free(data);
				return -EFBIG;
			}
			cap *= 2;
			bigger = realloc(data, cap + 1);
			if (!bigger) {
				free(data);
				return -ENOMEM;
			}
			data = bigger;
		}
		n = read(fd, data + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			diag_error(d, 0, "cannot read: %s", strerror(err));
			free(data);
			return -err;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	data[used] = '\0';
	*buf = data;
	*len = used;
	return 0;
}

static const char *textfile_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a plain file";
}

/* --config /dev/null is the usual way to say "no configuration" */
static int is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

static int read_path(struct diag *d, const char *path, int missing_ok, char **buf,
		     size_t *len)
{
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK: opening a FIFO without a writer must not wait for one */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		if (ret != -ENOENT || !missing_ok)
			diag_error(d, 0, "cannot open: %s", strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !is_dev_null(&st))) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		diag_error(d, 0, "not a regular file (%s); give the path of a plain file",
			   textfile_kind(st.st_mode));
		close(fd);
		return ret;
	}
	/* like sshd: a policy others can rewrite is no policy */
	if (S_ISREG(st.st_mode) && ((st.st_mode & (S_IWGRP | S_IWOTH)) ||
				    (st.st_uid != 0 && st.st_uid != geteuid()))) {
		diag_error(d, 0, "refused: writable by others (mode %04o, owner uid %u); "
			   "fix with chown root and chmod go-w", (unsigned)(st.st_mode & 07777),
			   (unsigned)st.st_uid);
		close(fd);
		return -EPERM;
	}
	ret = read_fd(d, fd, buf, len);
	close(fd);
	return ret;
}

int textfile_read(struct diag *d, const char *path, char **buf, size_t *len)
{
	return read_path(d, path, 0, buf, len);
}

unsigned textfile_load(const char *path, int missing_ok, FILE *err, textfile_load_fn load,
		       void *ctx)
{
	struct diag d = { .out = err, .file = path };
	unsigned errors;
	size_t len;
	char *buf;
	int ret = read_path(&d, path, missing_ok, &buf, &len);

	if (ret == -ENOENT && missing_ok)
		return 0;
	if (ret < 0)
		return d.errors ? d.errors : 1;
	errors = load(ctx, path, buf, len, err);
	free(buf);
	return errors;
}

static int line_is_text(struct diag *d, unsigned lineno, const unsigned char *s, size_t n)
{
	size_t i = 0;

	if (n > TEXTFILE_MAX_LINE) {
		diag_error(d, lineno, "line is %zu bytes long (limit %u)", n, TEXTFILE_MAX_LINE);
		return 0;
	}
	while (i < n) {
		uint32_t cp;
		size_t len;

		/* printable ASCII, nearly every byte of a rules file: a
		 * reload under a flood reads 640 KB of them */
		if ((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t') {
			i++;
			continue;
		}
		if (s[i] == '\0') {
			diag_error(d, lineno, "NUL byte at column %zu", i + 1);
			return 0;
		}
		if (s[i] < 0x20 || s[i] == 0x7f) {
			diag_error(d, lineno, "control character 0x%02x at column %zu", s[i], i + 1);
			return 0;
		}
		len = safetext_utf8(s + i, n - i, &cp);
		if (!len) {
			diag_error(d, lineno, "invalid UTF-8 at column %zu", i + 1);
			return 0;
		}
		i += len;
	}
	return 1;
}

void textfile_lines(struct diag *d, char *buf, size_t len, textfile_line_fn fn, void *ctx)
{
	char last[TEXTFILE_MAX_LINE + 1];
	unsigned lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		char *start = buf + pos;
		char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (nl != start && start[n - 1] == '\r')
			n--;
		if (!line_is_text(d, lineno, (const unsigned char *)start, n))
			continue;
		/* a last line without newline ends at the buffer's end: the
		 * terminating NUL goes into a copy, never past the buffer */
		if (!nl && start + n == buf + len) {
			memcpy(last, start, n);
			start = last;
		}
		start[n] = '\0';
		fn(ctx, d, lineno, start);
	}
}

char *textfile_word(char **cursor)
{
	char *s = *cursor, *word;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*cursor = s;
		return NULL;
	}
	word = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*cursor = s;
	return word;
}
