// SPDX-License-Identifier: GPL-2.0-or-later
/* The record of what local.rules held before each command's change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expiry.h"
#include "history.h"

void history_free(struct history *h)
{
	unsigned i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].before);
		free(h->v[i].after);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

static int append(struct history *h, const struct history_record *r)
{
	struct history_record *v;

	if (h->n == HISTORY_MAX) {
		free(h->v[0].before);
		free(h->v[0].after);
		memmove(h->v, h->v + 1, (h->n - 1) * sizeof(*h->v));
		h->n--;
	}
	v = realloc(h->v, (h->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	h->v[h->n++] = *r;
	return 0;
}

int history_push(struct history *h, const char *spec, int64_t when, const char *before,
		 const char *after)
{
	struct history_record r = { .when = when };

	snprintf(r.spec, sizeof(r.spec), "%s", spec);
	r.before = strdup(before ? before : "");
	r.after = strdup(after ? after : "");
	if (!r.before || !r.after || append(h, &r) < 0) {
		free(r.before);
		free(r.after);
		return -ENOMEM;
	}
	return 0;
}

/* text += line + "\n" */
static int add_line(char **text, const char *line, size_t n)
{
	size_t old = *text ? strlen(*text) : 0;
	char *s = realloc(*text, old + n + 2);

	if (!s)
		return -ENOMEM;
	memcpy(s + old, line, n);
	s[old + n] = '\n';
	s[old + n + 1] = '\0';
	*text = s;
	return 0;
}

/* "@ TIME SPEC": 0 with r's head filled, else -1 */
static int parse_head(const char *line, size_t n, struct history_record *r)
{
	char copy[96], why[128];
	const char *spec;
	uint8_t then;

	if (n < 3 || n >= sizeof(copy) || line[0] != '@' || line[1] != ' ')
		return -1;
	memcpy(copy, line + 2, n - 2);
	copy[n - 2] = '\0';
	spec = strchr(copy, ' ');
	if (!spec || strlen(spec + 1) == 0 || strlen(spec + 1) >= sizeof(r->spec) ||
	    strchr(spec + 1, ' '))
		return -1;
	/* a port spec is printable: a CR or an escape would not be read
	 * back as written (nor shown safely) */
	for (const char *c = spec + 1; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return -1;
	copy[spec - copy] = '\0';
	if (expiry_parse(copy, &r->when, &then, why, sizeof(why)) < 0 || then)
		return -1;
	snprintf(r->spec, sizeof(r->spec), "%s", spec + 1);
	return 0;
}

static int finish_record(struct history *h, struct history_record *r, int *open)
{
	int ret = 0;

	if (*open) {
		if (!r->before && !(r->before = strdup("")))
			ret = -ENOMEM;
		if (!ret && !r->after && !(r->after = strdup("")))
			ret = -ENOMEM;
		if (!ret)
			ret = append(h, r);
		if (ret) {
			free(r->before);
			free(r->after);
		}
	}
	memset(r, 0, sizeof(*r));
	*open = 0;
	return ret;
}

/* CR LF line ends, and any CR before them: a line kept with a CR at its
 * end would lose it when read back after history_format() */
static size_t without_cr(const char *line, size_t n)
{
	while (n && line[n - 1] == '\r')
		n--;
	return n;
}

int history_parse(const char *text, size_t len, struct history *h)
{
	struct history_record r = { .when = 0 };
	size_t pos = 0;
	int open = 0, ret = 0;

	memset(h, 0, sizeof(*h));
	while (pos < len && ret == 0) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl != NULL);
		n = without_cr(line, n);
		if (memchr(line, '\0', n)) {
			/* no text of ours: ends a record, part of none */
			ret = finish_record(h, &r, &open);
		} else if (n && line[0] == '@') {
			ret = finish_record(h, &r, &open);
			if (ret == 0 && parse_head(line, n, &r) == 0)
				open = 1;
		} else if (open && n >= 2 && (line[0] == '-' || line[0] == '+') && line[1] == ' ') {
			ret = add_line(line[0] == '-' ? &r.before : &r.after, line + 2, n - 2);
		} else if (open && n == 1 && (line[0] == '-' || line[0] == '+')) {
			ret = add_line(line[0] == '-' ? &r.before : &r.after, "", 0);
		} else if (n && line[0] != '#') {
			/* anything else ends a record and is no part of one */
			ret = finish_record(h, &r, &open);
		}
	}
	if (ret == 0)
		ret = finish_record(h, &r, &open);
	if (ret < 0)
		history_free(h);
	return ret;
}

static int put_lines(FILE *f, char mark, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		if (fprintf(f, "%c%s%.*s\n", mark, n ? " " : "", (int)n, text) < 0)
			return -1;
		text += n + (text[n] == '\n');
	}
	return 0;
}

char *history_format(const struct history *h, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	unsigned i;

	if (!f)
		return NULL;
	fputs("# portwarden: earlier entries of the rules file beside this one, newest last;\n"
	      "# `portwarden reset PORT` puts them back one by one\n", f);
	for (i = 0; i < h->n; i++) {
		char at[EXPIRY_TEXT_MAX];

		expiry_format(h->v[i].when, at, sizeof(at));
		fprintf(f, "@ %s %s\n", at, h->v[i].spec);
		put_lines(f, '-', h->v[i].before);
		put_lines(f, '+', h->v[i].after);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int history_find(const struct history *h, const char *spec, const char *current)
{
	unsigned i;

	for (i = h->n; i-- > 0;)
		if (!strcmp(h->v[i].spec, spec))
			return strcmp(h->v[i].after, current ? current : "") ? -1 : (int)i;
	return -1;
}

void history_drop(struct history *h, unsigned i)
{
	if (i >= h->n)
		return;
	free(h->v[i].before);
	free(h->v[i].after);
	memmove(h->v + i, h->v + i + 1, (h->n - i - 1) * sizeof(*h->v));
	h->n--;
}
