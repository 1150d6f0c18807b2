// SPDX-License-Identifier: GPL-2.0-or-later
/* Editing a rules file without disturbing what the admin wrote in it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rulesedit.h"

struct line {
	const char *s;
	size_t n;		/* without the newline */
};

struct lines {
	struct line *v;
	unsigned n;
};

static int split_lines(const char *text, size_t len, struct lines *out)
{
	size_t i, start = 0;
	unsigned cap = 64;

	out->n = 0;
	out->v = malloc(cap * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;	/* no line after the final newline */
		if (out->n == cap) {
			struct line *v = realloc(out->v, (cap *= 2) * sizeof(*v));

			if (!v) {
				free(out->v);
				return -ENOMEM;
			}
			out->v = v;
		}
		out->v[out->n].s = text + start;
		out->v[out->n].n = i - start;
		out->n++;
		start = i + 1;
	}
	return 0;
}

static int is_header(const struct line *l)
{
	return l->n && l->s[0] != ' ' && l->s[0] != '\t' && l->s[0] != '#' && l->s[0] != '\r';
}

static int is_attribute(const struct line *l)
{
	size_t i;

	if (!l->n || (l->s[0] != ' ' && l->s[0] != '\t'))
		return 0;
	for (i = 0; i < l->n; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\r')
			return 1;
	return 0;	/* only white space: a blank line */
}

static int is_note(const struct line *l)
{
	return l->n >= sizeof(RULESEDIT_NOTE) - 1 &&
	       !memcmp(l->s, RULESEDIT_NOTE, sizeof(RULESEDIT_NOTE) - 1);
}

static int is_blank(const struct line *l)
{
	return !is_header(l) && !is_attribute(l) && !(l->n && l->s[0] == '#');
}

/* The port spec of a header line, as portspec_resolve would read it. */
static int header_spec(const struct line *l, struct portspec *ps)
{
	char word[24];
	size_t n = 0;

	while (n < l->n && l->s[n] != ' ' && l->s[n] != '\t')
		n++;
	if (n == 0 || n >= sizeof(word))
		return -1;
	memcpy(word, l->s, n);
	word[n] = '\0';
	if (word[0] < '0' || word[0] > '9' || !strchr(word, '/'))
		return -1;
	return portspec_resolve(NULL, word, ps, 1) == 1 ? 0 : -1;
}

/* One past the last line of the entry whose header is at h. */
static unsigned entry_end(const struct lines *ls, unsigned h)
{
	unsigned i = h + 1;

	while (i < ls->n && is_attribute(&ls->v[i]))
		i++;
	return i;
}

struct out {
	char *s;
	size_t n, cap;
	int failed;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t cap = (o->n + n + 1) * 2;
		char *p = realloc(o->s, cap);

		if (!p) {
			o->failed = 1;
			return;
		}
		o->s = p;
		o->cap = cap;
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

static void put_line(struct out *o, const struct line *l)
{
	put(o, l->s, l->n);
	put(o, "\n", 1);
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_header(struct out *o, const struct portspec *ps, const char *service,
		       const char *policy)
{
	char spec[32];

	portspec_format(ps, spec, sizeof(spec));
	put_str(o, spec);
	put_str(o, "  ");
	put_str(o, service);
	put_str(o, "  ");
	put_str(o, policy);
	put_str(o, "\n");
}

/* The number the next line written will have. */
static unsigned next_line(const struct out *o)
{
	unsigned n = 1;
	size_t i;

	for (i = 0; i < o->n; i++)
		n += o->s[i] == '\n';
	return n;
}

static void put_note(struct out *o, const char *note)
{
	if (!note)
		return;
	put_str(o, RULESEDIT_NOTE);
	put_str(o, note);
	put_str(o, "\n");
}

static int finish(struct out *o, struct rulesedit *res, struct lines *ls)
{
	free(ls->v);
	if (o->failed || !o->s) {
		free(o->s);
		if (o->failed)
			return -ENOMEM;
		o->s = strdup("");
		if (!o->s)
			return -ENOMEM;
	}
	res->text = o->s;
	res->len = o->n;
	return 0;
}

/* The service word of a header line, into buf. */
static void header_service(const struct line *l, char *buf, size_t cap)
{
	size_t i = 0, start, n;

	while (i < l->n && l->s[i] != ' ' && l->s[i] != '\t')
		i++;
	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	start = i;
	while (i < l->n && l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\r')
		i++;
	n = i - start < cap - 1 ? i - start : cap - 1;
	memcpy(buf, l->s + start, n);
	buf[n] = '\0';
}

/* The header of the entry for exactly ps, ls->n when there is none;
 * -1 (as unsigned) marks a conflict at *conflict. */
static unsigned find_entry(const struct lines *ls, const struct portspec *ps, unsigned *conflict)
{
	unsigned i;

	for (i = 0; i < ls->n; i++) {
		struct portspec h;

		if (!is_header(&ls->v[i]) || header_spec(&ls->v[i], &h) < 0)
			continue;
		if (h.lo != ps->lo || h.hi != ps->hi || !(h.protos & ps->protos))
			continue;
		if (h.protos == ps->protos)
			return i;
		*conflict = i;
		return (unsigned)-1;
	}
	return ls->n;
}

int rulesedit_set(const char *text, size_t len, const struct portspec *ps, const char *service,
		  const char *policy, const char *note, struct rulesedit *res)
{
	struct out o = { 0 };
	struct lines ls;
	unsigned i, at, conflict = 0;
	int ret = split_lines(text, len, &ls);

	if (ret < 0)
		return ret;
	at = find_entry(&ls, ps, &conflict);
	if (at == (unsigned)-1) {
		free(ls.v);
		res->line = conflict + 1;
		return -EEXIST;
	}
	for (i = 0; i < ls.n; i++) {
		if (i + 1 == at && is_note(&ls.v[i]))
			continue;	/* replaced below */
		if (i == at) {
			char old[POLICY_SERVICE_MAX];

			header_service(&ls.v[i], old, sizeof(old));
			put_note(&o, note);
			res->line = next_line(&o);
			put_header(&o, ps, old[0] ? old : service, policy);
			continue;
		}
		put_line(&o, &ls.v[i]);
	}
	if (at == ls.n) {
		if (ls.n && !is_blank(&ls.v[ls.n - 1]))
			put_str(&o, "\n");
		put_note(&o, note);
		res->line = next_line(&o);
		put_header(&o, ps, service, policy);
	}
	return finish(&o, res, &ls);
}

/* The header with its port spec narrowed to the protocols it keeps. */
static void put_narrowed(struct out *o, const struct line *l, const struct portspec *h,
			 uint8_t keep)
{
	struct portspec rest = *h;
	char spec[32];
	size_t word = 0;

	while (word < l->n && l->s[word] != ' ' && l->s[word] != '\t')
		word++;
	rest.protos = keep;
	portspec_format(&rest, spec, sizeof(spec));
	put_str(o, spec);
	put(o, l->s + word, l->n - word);
	put(o, "\n", 1);
}

int rulesedit_remove(const char *text, size_t len, const struct portspec *ps,
		     struct rulesedit *res)
{
	struct out o = { 0 };
	struct lines ls;
	unsigned i, removed = 0;
	int ret = split_lines(text, len, &ls);

	if (ret < 0)
		return ret;
	for (i = 0; i < ls.n; i++) {
		struct portspec h;
		unsigned end;

		if (!is_header(&ls.v[i]) || header_spec(&ls.v[i], &h) < 0 || h.lo != ps->lo ||
		    h.hi != ps->hi || !(h.protos & ps->protos)) {
			put_line(&o, &ls.v[i]);
			continue;
		}
		if (h.protos & ~ps->protos) {
			/* 8765/both less udp: the TCP part stays as it was */
			put_narrowed(&o, &ls.v[i], &h, (uint8_t)(h.protos & ~ps->protos));
			removed++;
			continue;
		}
		end = entry_end(&ls, i);
		/* the note above belongs to the entry; so does the blank line
		 * that an appended entry brought along */
		if (i && is_note(&ls.v[i - 1]))
			o.n -= ls.v[i - 1].n + 1;
		if (o.n && o.s[o.n - 1] == '\n' && (o.n == 1 || o.s[o.n - 2] == '\n') &&
		    (end == ls.n || is_blank(&ls.v[end])))
			o.n--;
		if (o.s)
			o.s[o.n] = '\0';
		removed++;
		i = end - 1;
	}
	ret = finish(&o, res, &ls);
	return ret < 0 ? ret : (int)removed;
}
