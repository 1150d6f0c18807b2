// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading log lines back: a strict parser for flat JSON objects of string
 * and unsigned integer members, and the time formats of `portwarden log`. */
#include <stdlib.h>
#include <string.h>

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

/* A JSON string into out (cap bytes with NUL); too long is an error. */
static int read_string(struct cursor *c, char *out, size_t cap)
{
	size_t n = 0;

	if (expect(c, '"') < 0)
		return -1;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p++;

		if (ch < 0x20)
			return -1;
		if (ch == '\\') {
			if (c->p >= c->end)
				return -1;
			switch (*c->p++) {
			case '"': ch = '"'; break;
			case '\\': ch = '\\'; break;
			case '/': ch = '/'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'u': {
				int i, v = 0;

				if (c->end - c->p < 4)
					return -1;
				for (i = 0; i < 4; i++) {
					int h = hexdigit(c->p[i]);

					if (h < 0)
						return -1;
					v = v * 16 + h;
				}
				c->p += 4;
				ch = v < 0x80 ? (unsigned char)v : '?';
				break;
			}
			default:
				return -1;
			}
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)ch;
	}
	if (c->p >= c->end)
		return -1;
	c->p++;
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

static int read_member(struct cursor *c, struct log_record *r, unsigned *seen)
{
	char key[16];
	unsigned long v;

	if (read_string(c, key, sizeof(key)) < 0 || expect(c, ':') < 0)
		return -1;
	skip_ws(c);
#define STR(name, field, flag) \
	if (!strcmp(key, name)) { *seen |= (flag); return read_string(c, r->field, sizeof(r->field)); }
	STR("ts", ts, F_TS)
	STR("action", action, F_ACTION)
	STR("proto", proto, F_PROTO)
	STR("src", src, F_SRC)
	STR("dst", dst, 0)
	STR("iif", iif, 0)
	STR("service", service, 0)
	STR("policy", policy, 0)
	STR("path", path, 0)
	STR("listener", listener, 0)
	STR("nat_dst", nat_dst, 0)
#undef STR
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

int logline_parse(const char *line, size_t len, struct log_record *r)
{
	struct cursor c = { line, line + len };
	unsigned seen = 0;

	memset(r, 0, sizeof(*r));
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
