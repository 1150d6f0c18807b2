// SPDX-License-Identifier: GPL-2.0-or-later
/* Addresses in text: dotted quads and RFC 4291 section 2.2 forms. */
#include <string.h>
#include <sys/socket.h>

#include "addrtext.h"

/* hex digit values + 1, 0 for other bytes: one load a byte */
static const uint8_t hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Four decimal numbers of 0-255 without leading zeros, and nothing after. */
static int parse_v4(const char *s, const char *end, uint8_t *out)
{
	unsigned i;

	for (i = 0; i < 4; i++) {
		unsigned v = 0, n = 0;

		if (i && (s >= end || *s++ != '.'))
			return -1;
		for (; s < end && *s >= '0' && *s <= '9'; s++, n++) {
			if (n && !v)
				return -1;	/* "01" */
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 255)
				return -1;
		}
		if (!n)
			return -1;
		out[i] = (uint8_t)v;
	}
	return s == end ? 0 : -1;
}

/* Groups of up to four hex digits, at most one "::" standing for one or
 * more zero groups, and a dotted quad as the last 32 bits. */
static int parse_v6(const char *s, const char *end, uint8_t *out)
{
	uint16_t g[8];
	int n = 0, gap = -1, i;

	if (s < end && *s == ':') {
		if (end - s < 2 || s[1] != ':')
			return -1;
		gap = 0;
		s += 2;
	}
	while (s < end) {
		const char *start = s;
		unsigned v = 0, digits = 0, h;

		for (; s < end && (h = hexval[(uint8_t)*s]) != 0; s++) {
			if (digits++ == 4)
				return -1;
			v = v * 16 + h - 1;
		}
		if (s < end && *s == '.') {
			uint8_t q[4];

			if (n > 6 || parse_v4(start, end, q) < 0)
				return -1;
			g[n++] = (uint16_t)(q[0] << 8 | q[1]);
			g[n++] = (uint16_t)(q[2] << 8 | q[3]);
			break;
		}
		if (!digits || n == 8)
			return -1;
		g[n++] = (uint16_t)v;
		if (s == end)
			break;
		if (*s++ != ':' || s == end)
			return -1;	/* another byte, or a lone ':' at the end */
		if (*s == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			s++;
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return -1;
	memset(out, 0, 16);
	for (i = 0; i < n; i++) {
		/* the groups after the gap move to the end */
		int at = gap >= 0 && i >= gap ? i + 8 - n : i;

		out[2 * at] = (uint8_t)(g[i] >> 8);
		out[2 * at + 1] = (uint8_t)g[i];
	}
	return 0;
}

int addrtext_parse(const char *s, size_t len, uint8_t out[16])
{
	if (memchr(s, ':', len))
		return parse_v6(s, s + len, out) == 0 ? AF_INET6 : 0;
	return parse_v4(s, s + len, out) == 0 ? AF_INET : 0;
}
