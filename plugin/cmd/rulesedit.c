// SPDX-License-Identifier: GPL-2.0-or-later
/* Editing a rules file without disturbing what the admin wrote in it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expiry.h"
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

/* an attribute line whose key is "from" */
static int is_from(const struct line *l)
{
	size_t i;

	if (!is_attribute(l))
		return 0;
	for (i = 0; i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'); i++)
		;
	if (l->n < i + 5)	/* "from" and a blank */
		return 0;
	return !memcmp(l->s + i, "from", 4) && (l->s[i + 4] == ' ' || l->s[i + 4] == '\t');
}

int rulesedit_set_from(const char *text, size_t len, const struct portspec *ps, int replace,
		       const char *words, struct rulesedit *res)
{
	struct out o = { 0 };
	struct lines ls;
	unsigned i, at, end, conflict = 0;
	int ret = split_lines(text, len, &ls);

	if (ret < 0)
		return ret;
	at = find_entry(&ls, ps, &conflict);
	if (at >= ls.n) {
		free(ls.v);
		return -ENOENT;
	}
	end = entry_end(&ls, at);
	for (i = 0; i < ls.n; i++) {
		if (!(replace && i > at && i < end && is_from(&ls.v[i])))
			put_line(&o, &ls.v[i]);
		if (i + 1 == end && words && *words) {
			put_str(&o, "\tfrom ");
			put_str(&o, words);
			put_str(&o, "\n");
		}
	}
	res->line = at + 1;
	return finish(&o, res, &ls);
}

/* ---- whole entries: what the history keeps, and timed entries ---------- */

/* Lines [*first, *end) of the entry for exactly ps: its note, header and
 * attributes; *header its header.  0, or -ENOENT. */
static int entry_lines(const struct lines *ls, const struct portspec *ps, unsigned *first,
		       unsigned *header, unsigned *end)
{
	unsigned conflict = 0, at = find_entry(ls, ps, &conflict);

	if (at == (unsigned)-1 || at == ls->n)
		return -ENOENT;
	*header = at;
	*first = at && is_note(&ls->v[at - 1]) ? at - 1 : at;
	*end = entry_end(ls, at);
	return 0;
}

static char *join(const struct lines *ls, unsigned from, unsigned to)
{
	struct out o = { 0 };
	unsigned i;

	for (i = from; i < to; i++)
		put_line(&o, &ls->v[i]);
	if (o.failed) {
		free(o.s);
		return NULL;
	}
	return o.s ? o.s : strdup("");
}

int rulesedit_entry(const char *text, size_t len, const struct portspec *ps, char **entry)
{
	unsigned first, header, end;
	struct lines ls;
	int ret = split_lines(text, len, &ls);

	*entry = NULL;
	if (ret < 0)
		return ret;
	ret = entry_lines(&ls, ps, &first, &header, &end);
	if (ret == 0) {
		*entry = join(&ls, first, end);
		ret = *entry ? 1 : -ENOMEM;
	} else {
		ret = 0;
	}
	free(ls.v);
	return ret;
}

int rulesedit_replace(const char *text, size_t len, const struct portspec *ps, const char *entry,
		      struct rulesedit *res)
{
	unsigned first = 0, header = 0, end = 0, i;
	struct out o = { 0 };
	struct lines ls;
	int ret = split_lines(text, len, &ls), found;

	if (ret < 0)
		return ret;
	found = entry_lines(&ls, ps, &first, &header, &end) == 0;
	for (i = 0; i < ls.n; i++) {
		if (found && i >= first && i < end) {
			if (i == first && entry)
				put_str(&o, entry);
			continue;
		}
		put_line(&o, &ls.v[i]);
	}
	if (!found && entry && *entry) {
		if (ls.n && !is_blank(&ls.v[ls.n - 1]))
			put_str(&o, "\n");
		put_str(&o, entry);
	}
	if (found && !entry && o.n >= 2 && o.s[o.n - 1] == '\n' && o.s[o.n - 2] == '\n' &&
	    (end == ls.n || is_blank(&ls.v[end])))
		o.n--;	/* the blank line an appended entry brought along */
	if (o.s)
		o.s[o.n] = '\0';
	res->line = 0;
	ret = finish(&o, res, &ls);
	return ret < 0 ? ret : found;
}

/* An attribute line "\texpires TIME [POLICY]" */
static int is_expires(const struct line *l)
{
	static const char key[] = "expires";
	size_t i = 0;

	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	if (i == 0 || l->n < i + sizeof(key))
		return 0;
	return !memcmp(l->s + i, key, sizeof(key) - 1) &&
	       (l->s[i + sizeof(key) - 1] == ' ' || l->s[i + sizeof(key) - 1] == '\t');
}

int rulesedit_set_expiry(const char *text, size_t len, const struct portspec *ps, int64_t when,
			 const char *then, struct rulesedit *res)
{
	unsigned first, header, end, i;
	struct out o = { 0 };
	struct lines ls;
	int ret = split_lines(text, len, &ls);

	if (ret < 0)
		return ret;
	if (entry_lines(&ls, ps, &first, &header, &end) < 0) {
		free(ls.v);
		return -ENOENT;
	}
	for (i = 0; i < ls.n; i++) {
		if (i > header && i < end && is_expires(&ls.v[i]))
			continue;	/* replaced */
		put_line(&o, &ls.v[i]);
		if (i == header && when) {
			char at[EXPIRY_TEXT_MAX];

			expiry_format(when, at, sizeof(at));
			put_str(&o, "\texpires ");
			put_str(&o, at);
			if (then) {
				put_str(&o, " ");
				put_str(&o, then);
			}
			put_str(&o, "\n");
		}
	}
	res->line = header + 1;
	return finish(&o, res, &ls);
}

/* The time and later policy of an entry's expires line, and the networks
 * after "from" on it (words as written, "" for none, cut at cap); 0 when
 * it has none. */
static int64_t entry_expiry(const struct lines *ls, unsigned header, unsigned end, char *then,
			    size_t cap, char *from, size_t fcap)
{
	unsigned i;

	if (from && fcap)
		from[0] = '\0';
	for (i = header + 1; i < end; i++) {
		const struct line *l = &ls->v[i];
		size_t at = strspn(l->s, " \t") + 7;
		char *value, why[160];
		const char *nets;
		int64_t when;
		uint8_t kind;

		if (!is_expires(l))
			continue;
		at += strspn(l->s + at, " \t");
		value = strndup(l->s + at, l->n - at);
		if (!value)
			return 0;
		value[strcspn(value, "\r")] = '\0';
		if (expiry_parse(value, &when, &kind, why, sizeof(why)) < 0) {
			free(value);
			return 0;
		}
		snprintf(then, cap, "%s", kind ? policy_kind_name((enum policy_kind)(kind - 1)) : "");
		/* past the time and the policy: "from" and its networks */
		nets = value + strcspn(value, " \t");
		nets += strspn(nets, " \t");
		nets += strcspn(nets, " \t");
		nets += strspn(nets, " \t");
		if (!strncmp(nets, "from", 4) && from && fcap) {
			nets += 4;
			snprintf(from, fcap, "%s", nets + strspn(nets, " \t"));
		}
		free(value);
		return when;
	}
	return 0;
}

int rulesedit_expire(const char *text, size_t len, int64_t now, struct rulesedit *res)
{
	struct out o = { 0 };
	struct lines ls;
	unsigned i;
	int ret = split_lines(text, len, &ls), n = 0;

	if (ret < 0)
		return ret;
	for (i = 0; i < ls.n; i++) {
		struct portspec h;
		char then[16], service[POLICY_SERVICE_MAX], *from = NULL;
		unsigned end, k;
		int64_t when;

		if (!is_header(&ls.v[i]) || header_spec(&ls.v[i], &h) < 0) {
			put_line(&o, &ls.v[i]);
			continue;
		}
		end = entry_end(&ls, i);
		for (k = i + 1; k < end && !from; k++)
			if (is_expires(&ls.v[k]))
				from = malloc(ls.v[k].n + 1);
		when = entry_expiry(&ls, i, end, then, sizeof(then), from,
				    from ? ls.v[k - 1].n + 1 : 0);
		if (!when || when > now) {
			free(from);
			put_line(&o, &ls.v[i]);
			continue;
		}
		n++;
		if (!then[0]) {
			/* over: the entry goes, with its note */
			free(from);
			if (i && is_note(&ls.v[i - 1]))
				o.n -= ls.v[i - 1].n + 1;
			if (o.s)
				o.s[o.n] = '\0';
			i = end - 1;
			continue;
		}
		header_service(&ls.v[i], service, sizeof(service));
		put_header(&o, &h, service, then);
		/* the networks are the expires line's, none without */
		for (k = i + 1; k < end; k++)
			if (!is_expires(&ls.v[k]) && !is_from(&ls.v[k]))
				put_line(&o, &ls.v[k]);
		if (from && *from) {
			put_str(&o, "\tfrom ");
			put_str(&o, from);
			put_str(&o, "\n");
		}
		free(from);
		i = end - 1;
	}
	ret = finish(&o, res, &ls);
	return ret < 0 ? ret : n;
}

/* ---- reading entries back: `portwarden changes` ---------------------------- */

int rulesedit_each(const char *text, size_t len, rulesedit_entry_fn fn, void *ctx)
{
	struct lines ls;
	unsigned i;
	int ret = split_lines(text, len, &ls), n = 0;

	if (ret < 0)
		return ret;
	for (i = 0; i < ls.n; i++) {
		struct rulesedit_view v;
		char head[RULESEDIT_LINE_MAX];
		unsigned end, k;
		int64_t when;

		if (!is_header(&ls.v[i]) || header_spec(&ls.v[i], &v.spec) < 0)
			continue;
		memset(&v, 0, sizeof(v));
		header_spec(&ls.v[i], &v.spec);
		v.line = i + 1;
		snprintf(head, sizeof(head), "%.*s", (int)ls.v[i].n, ls.v[i].s);
		if (sscanf(head, "%*s %31s %15s", v.service, v.policy) != 2)
			continue;
		if (i && is_note(&ls.v[i - 1]))
			snprintf(v.note, sizeof(v.note), "%.*s",
				 (int)(ls.v[i - 1].n - (sizeof(RULESEDIT_NOTE) - 1)),
				 ls.v[i - 1].s + sizeof(RULESEDIT_NOTE) - 1);
		end = entry_end(&ls, i);
		when = entry_expiry(&ls, i, end, v.then, sizeof(v.then), v.then_from,
				    sizeof(v.then_from));
		v.expires = when;
		for (k = i + 1; k < end && v.nattrs < RULESEDIT_ATTRS_MAX; k++) {
			const struct line *l = &ls.v[k];
			size_t at = strspn(l->s, " \t");

			if (is_expires(l))
				continue;
			snprintf(v.attrs[v.nattrs++], RULESEDIT_LINE_MAX, "%.*s", (int)(l->n - at),
				 l->s + at);
		}
		fn(ctx, &v);
		n++;
		i = end - 1;
	}
	free(ls.v);
	return n;
}
