// SPDX-License-Identifier: GPL-2.0-or-later
/* One key of portwarden.conf, changed in its text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "confedit.h"

struct out {
	char *buf;
	size_t len, cap;
	unsigned lines;
	int failed;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *grown = realloc(o->buf, cap);

		if (!grown) {
			o->failed = 1;
			return;
		}
		o->buf = grown;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	o->lines += (unsigned)(memchr(s, '\n', n) != NULL);
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Is the line [p, end) "KEY = ..." for this key (blanks around KEY) */
static int has_key(const char *p, const char *end, const char *key)
{
	const char *eq, *k_end;

	p = skip_blanks(p, end);
	if (p == end || *p == '#')
		return 0;
	eq = memchr(p, '=', (size_t)(end - p));
	if (!eq)
		return 0;
	for (k_end = eq; k_end > p && (k_end[-1] == ' ' || k_end[-1] == '\t'); k_end--)
		;
	return (size_t)(k_end - p) == strlen(key) && !memcmp(p, key, (size_t)(k_end - p));
}

static int is_note(const char *p, const char *end)
{
	p = skip_blanks(p, end);
	return (size_t)(end - p) >= strlen(CONFEDIT_NOTE) &&
	       !memcmp(p, CONFEDIT_NOTE, strlen(CONFEDIT_NOTE));
}

/* The end of the line starting at p (its newline, or the end of text) */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

static void put_setting(struct out *o, const char *key, const char *value, const char *note)
{
	if (note) {
		put_str(o, CONFEDIT_NOTE);
		put_str(o, note);
		put_str(o, "\n");
	}
	put_str(o, key);
	put_str(o, " = ");
	put_str(o, value);
	put_str(o, "\n");
}

int confedit_set(const char *text, size_t len, const char *key, const char *value,
		 const char *note, struct confedit *res)
{
	const char *p = text, *end = text + len;
	struct out o = { 0 };
	unsigned line = 0;

	put(&o, "", 0);
	while (p < end) {
		const char *e = line_end(p, end), *next = e < end ? e + 1 : end;

		if (is_note(p, e) && next < end && has_key(next, line_end(next, end), key)) {
			p = next;	/* the note goes with its line */
			continue;
		}
		if (has_key(p, e, key)) {
			if (value && !line) {
				put_setting(&o, key, value, note);
				line = o.lines;
			}
			p = next;
			continue;
		}
		put(&o, p, (size_t)(next - p));
		if (next == end && e == end)
			put_str(&o, "\n");	/* the last line had none */
		p = next;
	}
	if (value && !line) {
		put_setting(&o, key, value, note);
		line = o.lines;
	}
	if (o.failed) {
		free(o.buf);
		return -ENOMEM;
	}
	res->text = o.buf;
	res->len = o.len;
	res->line = line;
	return 0;
}
