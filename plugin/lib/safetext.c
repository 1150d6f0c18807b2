// SPDX-License-Identifier: GPL-2.0-or-later
/* Escaping of untrusted text for terminals and for the JSON log: one place
 * decides what is unsafe, so every output escapes the same characters. */
#include <stdio.h>
#include <string.h>

#include "safetext.h"

size_t safetext_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;

	*cp = s[0];
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return len;
}

static int safetext_is_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escaped form of one character (or invalid byte) into esc[12]. */
static size_t escape_one(char *esc, uint32_t cp, int invalid, enum safetext_style style)
{
	if (invalid)
		return (size_t)snprintf(esc, 12, style == SAFETEXT_JSON ? "\\\\x%02x" : "\\x%02x",
					(unsigned)cp);
	if (style == SAFETEXT_TERMINAL && cp < 0x80)
		return (size_t)snprintf(esc, 12, "\\x%02x", (unsigned)cp);
	return (size_t)snprintf(esc, 12, "\\u%04x", (unsigned)cp);
}

int safetext_escape(char *out, size_t cap, const char *s, enum safetext_style style)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, left = strlen(s);

	if (!cap)
		return -1;
	out[0] = '\0';
	while (left) {
		char esc[12];
		const char *from = esc;
		uint32_t cp;
		size_t len = safetext_utf8(p, left, &cp), outlen;

		if (!len) {
			outlen = escape_one(esc, p[0], 1, style);
			len = 1;
		} else if (safetext_is_unsafe(cp)) {
			outlen = escape_one(esc, cp, 0, style);
		} else if (style == SAFETEXT_JSON && (cp == '"' || cp == '\\')) {
			outlen = (size_t)snprintf(esc, sizeof(esc), "\\%c", (char)cp);
		} else {
			from = (const char *)p;
			outlen = len;
		}
		if (n + outlen >= cap)
			return -1;
		memcpy(out + n, from, outlen);
		n += outlen;
		out[n] = '\0';
		p += len;
		left -= len;
	}
	return (int)n;
}

const char *safetext(char *buf, size_t cap, const char *s)
{
	if (safetext_escape(buf, cap, s ? s : "", SAFETEXT_TERMINAL) < 0 && cap >= 4) {
		size_t n = strlen(buf);

		/* cut back to a character boundary with room for the dots */
		while (n > 0 && (n > cap - 4 || ((unsigned char)buf[n] & 0xc0) == 0x80))
			n--;
		memcpy(buf + n, "...", 4);
	}
	return buf;
}
