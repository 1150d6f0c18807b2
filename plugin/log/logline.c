// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading log lines back: a strict parser for flat JSON objects of string
 * and unsigned integer members, and the time formats of `portwarden log`. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "hexdigit.h"
#include "logline.h"

struct cursor {
	const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static int expect(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

/* Bytes a string copies as they are: all but '"', '\\' and controls. */
static inline int plain(uint8_t b)
{
	return b >= 0x20 && b != '"' && b != '\\';
}

static int read_escape(struct cursor *c, unsigned char *ch)
{
	int i, v = 0;

	if (c->p >= c->end)
		return -1;
	switch (*c->p++) {
	case '"': *ch = '"'; return 0;
	case '\\': *ch = '\\'; return 0;
	case '/': *ch = '/'; return 0;
	case 'b': *ch = '\b'; return 0;
	case 'f': *ch = '\f'; return 0;
	case 'n': *ch = '\n'; return 0;
	case 'r': *ch = '\r'; return 0;
	case 't': *ch = '\t'; return 0;
	case 'u':
		break;
	default:
		return -1;
	}
	if (c->end - c->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int h = hexdigit(c->p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	c->p += 4;
	*ch = v < 0x80 ? (unsigned char)v : '?';
	return 0;
}

/* A JSON string into out (cap bytes with NUL); too long is an error. */
static int read_string(struct cursor *c, char *out, size_t cap)
{
	size_t n = 0;

	if (expect(c, '"') < 0)
		return -1;
	for (;;) {
		const char *p = c->p, *stop = c->end;
		unsigned char ch;

		/* the run of plain bytes, as far as out has room */
		if ((size_t)(stop - p) > cap - 1 - n)
			stop = p + (cap - 1 - n);
		while (p < stop && plain((uint8_t)*p))
			out[n++] = *p++;
		c->p = p;
		if (p >= c->end)
			return -1;
		ch = (unsigned char)*c->p++;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (read_escape(c, &ch) < 0)
				return -1;
		} else if (ch < 0x20) {
			return -1;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return 0;
}

static int read_uint(struct cursor *c, unsigned long *out)
{
	unsigned long v = 0;
	const char *start;

	skip_ws(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (v > (~0UL - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*c->p++ - '0');
	}
	if (c->p == start)
		return -1;
	*out = v;
	return 0;
}

enum { F_TS = 1, F_ACTION = 2, F_PROTO = 4, F_SRC = 8, F_DPORT = 16, F_COUNT = 32 };
#define F_REQUIRED (F_TS | F_ACTION | F_PROTO | F_SRC | F_DPORT | F_COUNT)

/* The string member named key: its field and the flag it sets, or NULL. */
static char *string_field(struct log_record *r, const char *key, size_t *cap, unsigned *flag)
{
#define IS(name, field, f) \
	if (!strcmp(key, name)) { *cap = sizeof(r->field); *flag = (f); return r->field; }
	switch (key[0]) {
	case 'a': IS("action", action, F_ACTION) break;
	case 'd': IS("dst", dst, 0) break;
	case 'i': IS("iif", iif, 0) break;
	case 'l': IS("listener", listener, 0) break;
	case 'n': IS("nat_dst", nat_dst, 0) break;
	case 'p':
		IS("proto", proto, F_PROTO)
		IS("policy", policy, 0)
		IS("path", path, 0)
		break;
	case 's':
		IS("src", src, F_SRC)
		IS("service", service, 0)
		break;
	case 't': IS("ts", ts, F_TS) break;
	default: break;
	}
#undef IS
	return NULL;
}

static int read_member(struct cursor *c, struct log_record *r, unsigned *seen)
{
	char key[16], *field;
	unsigned long v;
	unsigned flag;
	size_t cap;

	if (read_string(c, key, sizeof(key)) < 0 || expect(c, ':') < 0)
		return -1;
	skip_ws(c);
	field = string_field(r, key, &cap, &flag);
	if (field) {
		*seen |= flag;
		return read_string(c, field, cap);
	}
	if (read_uint(c, &v) < 0)
		return -1;	/* unknown string members are not ours either */
	if (!strcmp(key, "sport") && v <= 65535)
		r->sport = (unsigned)v;
	else if (!strcmp(key, "nat_dport") && v <= 65535)
		r->nat_dport = (unsigned)v;
	else if (!strcmp(key, "dport") && v <= 65535) {
		r->dport = (unsigned)v;
		*seen |= F_DPORT;
	} else if (!strcmp(key, "count")) {
		r->count = v;
		*seen |= F_COUNT;
	} else {
		return -1;
	}
	return 0;
}

static void clear_record(struct log_record *r)
{
	/* the strings' first bytes, not the whole record: this runs per line */
	r->ts[0] = r->action[0] = r->proto[0] = r->src[0] = r->dst[0] = '\0';
	r->iif[0] = r->service[0] = r->policy[0] = r->path[0] = '\0';
	r->listener[0] = r->nat_dst[0] = '\0';
	r->sport = r->dport = r->nat_dport = 0;
	r->count = 0;
	r->ts_ms = 0;
}

int logline_parse_any(const char *line, size_t len, struct log_record *r)
{
	struct cursor c = { line, line + len };
	unsigned seen = 0;

	clear_record(r);
	if (expect(&c, '{') < 0)
		return -1;
	for (;;) {
		if (read_member(&c, r, &seen) < 0)
			return -1;
		skip_ws(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			continue;
		}
		if (expect(&c, '}') < 0)
			return -1;
		break;
	}
	skip_ws(&c);
	if (c.p != c.end || (seen & F_REQUIRED) != F_REQUIRED)
		return -1;
	return logline_parse_rfc3339(r->ts, strlen(r->ts), &r->ts_ms);
}

/* ---- the daemon's own layout, fast ------------------------------------- */

/* blocklog_format writes these members in this order, without spaces, and
 * nat_dst with nat_dport last when there is a published port.  A line in
 * exactly that shape, without escapes, is read here with one comparison a
 * key and the strings copied eight bytes at a time; any other line goes to
 * the general parser, which accepts the same records (a fuzz target holds
 * the two to it). */
enum { M_STR, M_PORT, M_ULONG };

struct member {
	char lit[16];		/* "\"key\":", zero-padded for 8-byte loads */
	uint8_t len, kind;
	uint16_t off, cap;
};

#define STR_M(key, field) \
	{ "\"" key "\":", sizeof(key) + 2, M_STR, offsetof(struct log_record, field), \
	  sizeof(((struct log_record *)0)->field) }
#define NUM_M(key, kind, field) \
	{ "\"" key "\":", sizeof(key) + 2, kind, offsetof(struct log_record, field), 0 }

static const struct member layout[] = {
	STR_M("ts", ts), STR_M("action", action), STR_M("proto", proto), STR_M("src", src),
	NUM_M("sport", M_PORT, sport), STR_M("dst", dst), NUM_M("dport", M_PORT, dport),
	STR_M("iif", iif), STR_M("service", service), STR_M("policy", policy),
	STR_M("path", path), NUM_M("count", M_ULONG, count), STR_M("listener", listener),
	STR_M("nat_dst", nat_dst), NUM_M("nat_dport", M_PORT, nat_dport),
};
#define LAYOUT_BASE 13	/* members before the optional nat pair */
#define LAYOUT_ALL (sizeof(layout) / sizeof(layout[0]))

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Eight bytes as a little-endian number, so that the first byte is the
 * lowest on every machine. */
static inline uint64_t load_le64(const char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* The high bit of each byte of x that is '"', '\\' or a control byte; the
 * lowest one marked is exact (the usual carry caveat applies above it). */
static inline uint64_t special_bytes(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x)) & HIGHS;
}

#ifdef __SSE2__
/* Sixteen bytes: a bit for each that is '"', '\\' or a control byte. */
static inline unsigned special16(const char *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i q = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
	__m128i b = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
	__m128i c = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c));
}
#endif

/* A string without escapes; 0, or 1 for anything the fast path leaves to
 * the general parser. */
static int fast_string(const char **pp, const char *end, char *out, size_t cap)
{
	const char *p = *pp;
	size_t n = 0;

	if (p >= end || *p++ != '"')
		return 1;
	/* a block at a time; out gets the whole block, the length says how
	 * many bytes belong to the string */
#ifdef __SSE2__
	while (end - p >= 16 && n + 16 <= cap) {
		unsigned special = special16(p);

		memcpy(out + n, p, 16);
		if (special) {
			unsigned k = (unsigned)__builtin_ctz(special);

			n += k;
			p += k;
			goto stop;
		}
		n += 16;
		p += 16;
	}
#endif
	while (end - p >= 8 && n + 8 <= cap) {
		uint64_t special = special_bytes(load_le64(p));

		memcpy(out + n, p, 8);
		if (special) {
			unsigned k = (unsigned)__builtin_ctzll(special) >> 3;

			n += k;
			p += k;
			goto stop;
		}
		n += 8;
		p += 8;
	}
	while (p < end && n + 1 < cap && plain((uint8_t)*p))
		out[n++] = *p++;
stop:
	if (p >= end || *p != '"' || n >= cap)
		return 1;
	out[n] = '\0';
	*pp = p + 1;
	return 0;
}

static int fast_uint(const char **pp, const char *end, unsigned long max, unsigned long *out)
{
	const char *p = *pp;
	unsigned long v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return 1;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (~0UL - 9) / 10)
			return 1;
		v = v * 10 + (unsigned long)(*p++ - '0');
	}
	if (v > max)
		return 1;
	*out = v;
	*pp = p;
	return 0;
}

/* Whether p starts with m's key (at most 12 bytes: two 8-byte loads). */
static inline int same_key(const struct member *m, const char *p, const char *end)
{
	uint64_t a, b, la, lb, ma, mb;

	if (end - p < 16) {
		size_t i;

		if ((size_t)(end - p) < m->len)
			return 0;
		for (i = 0; i < m->len; i++)
			if (p[i] != m->lit[i])
				return 0;
		return 1;
	}
	a = load_le64(p);
	b = load_le64(p + 8);
	la = load_le64(m->lit);
	lb = load_le64(m->lit + 8);
	ma = m->len >= 8 ? ~0ULL : (1ULL << (8 * m->len)) - 1;
	mb = m->len <= 8 ? 0 : (1ULL << (8 * (m->len - 8))) - 1;
	return !(((a ^ la) & ma) | ((b ^ lb) & mb));
}

static int fast_member(const struct member *m, const char **pp, const char *end,
		       struct log_record *r)
{
	char *field = (char *)r + m->off;
	unsigned long v;

	if (!same_key(m, *pp, end))
		return 1;
	*pp += m->len;
	if (m->kind == M_STR)
		return fast_string(pp, end, field, m->cap);
	if (fast_uint(pp, end, m->kind == M_PORT ? 65535 : ~0UL, &v))
		return 1;
	if (m->kind == M_PORT)
		*(unsigned *)(void *)field = (unsigned)v;
	else
		*(unsigned long *)(void *)field = v;
	return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

static inline unsigned two(const char *s)
{
	return (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
}

/* The daemon's "2026-11-27T08:00:00.123Z": 0, or 1 for any other text (the
 * general parser then answers). */
static int fast_ts(const char *s, size_t len, int64_t *ms)
{
	static const char digit_at[24] = "dddd-dd-ddTdd:dd:dd.dddZ";
	unsigned i, y, mo, d, h, mi, sec;

	if (len != 24)
		return 1;
	for (i = 0; i < 24; i++)
		if (digit_at[i] == 'd' ? (unsigned)(s[i] - '0') > 9 : s[i] != digit_at[i])
			return 1;
	y = two(s) * 100 + two(s + 2);
	mo = two(s + 5);
	d = two(s + 8);
	h = two(s + 11);
	mi = two(s + 14);
	sec = two(s + 17);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 1;
	*ms = (((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec) * 1000 +
	      (int64_t)(two(s + 20) * 10 + (unsigned)(s[22] - '0'));
	return 0;
}

/* 0 or -1 as logline_parse; 1: not in the daemon's layout. */
static int parse_layout(const char *line, size_t len, struct log_record *r)
{
	const char *p = line, *end = line + len;
	unsigned i;

	if (p >= end || *p++ != '{')
		return 1;
	for (i = 0; i < LAYOUT_ALL; i++) {
		if (fast_member(&layout[i], &p, end, r) || p >= end)
			return 1;
		if (*p == '}' && (i + 1 == LAYOUT_BASE || i + 1 == LAYOUT_ALL))
			break;
		if (*p++ != ',')
			return 1;
	}
	if (i == LAYOUT_ALL || p + 1 != end)
		return 1;
	len = strlen(r->ts);
	if (fast_ts(r->ts, len, &r->ts_ms) == 0)
		return 0;
	return logline_parse_rfc3339(r->ts, len, &r->ts_ms);
}

int logline_parse(const char *line, size_t len, struct log_record *r)
{
	int ret;

	clear_record(r);
	ret = parse_layout(line, len, r);
	return ret <= 0 ? ret : logline_parse_any(line, len, r);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_date(const char *s, size_t len, int64_t *days)
{
	unsigned y, mo, d;

	if (len < 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) < 0 ||
	    digits(s + 5, 2, &mo) < 0 || digits(s + 8, 2, &d) < 0 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	*days = days_from_civil(y, mo, d);
	return 0;
}

int logline_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	unsigned h, mi, sec, frac = 0, oh, om;
	int64_t days, t;
	size_t i = 19;

	if (len < 19 || parse_date(s, len, &days) < 0 || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':' || digits(s + 11, 2, &h) < 0 ||
	    digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &sec) < 0 ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	if (i < len && s[i] == '.') {
		unsigned scale = 100;

		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (unsigned)(s[i] - '0') * scale;
			scale /= 10;
		}
	}
	t = ((days * 24 + h) * 60 + mi) * 60 + sec;
	if (i == len || (i + 1 == len && (s[i] == 'Z' || s[i] == 'z'))) {
		*ms = t * 1000 + frac;
		return 0;
	}
	if (len - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':' ||
	    digits(s + i + 1, 2, &oh) < 0 || digits(s + i + 4, 2, &om) < 0 || oh > 23 || om > 59)
		return -1;
	t += (s[i] == '+' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return 0;
}

int logline_parse_when(const char *s, time_t now, int64_t *ms)
{
	size_t len = strlen(s);
	unsigned n;

	if (len >= 2 && len <= 8 && digits(s, len - 1, &n) == 0) {
		int64_t unit;

		switch (s[len - 1]) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -1;
		}
		*ms = ((int64_t)now - (int64_t)n * unit) * 1000;
		return 0;
	}
	if (len == 10) {
		int64_t days;

		if (parse_date(s, len, &days) < 0)
			return -1;
		*ms = days * 86400 * 1000;
		return 0;
	}
	return logline_parse_rfc3339(s, len, ms);
}
