// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON output with every string escaped: field values come from the network
 * (interface names), from /proc (process names) and from rules files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "safetext.h"

int json_escape(char *out, size_t cap, const char *s)
{
	return safetext_escape(out, cap, s, SAFETEXT_JSON);
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->truncated || j->len + n >= j->cap) {
		j->truncated = 1;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void put_key(struct json *j, const char *key)
{
	if (j->fields[j->depth]++)
		put(j, ",", 1);
	if (!key)
		return;
	put(j, "\"", 1);
	put(j, key, strlen(key));
	put(j, "\":", 2);
}

void json_begin(struct json *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->truncated = cap < 2;
	j->depth = 0;
	j->fields[0] = 0;
	put(j, "{", 1);
}

void json_str(struct json *j, const char *key, const char *value)
{
	put_key(j, key);
	put(j, "\"", 1);
	if (!j->truncated) {
		int n = json_escape(j->buf + j->len, j->cap - j->len, value);
		if (n < 0)
			j->truncated = 1;
		else
			j->len += (size_t)n;
	}
	put(j, "\"", 1);
}

void json_uint(struct json *j, const char *key, unsigned long long value)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", value);

	put_key(j, key);
	put(j, num, (size_t)n);
}

void json_raw_bool(struct json *j, const char *key, int value)
{
	put_key(j, key);
	if (value)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void json_open(struct json *j, const char *key, char bracket)
{
	put_key(j, key);
	put(j, &bracket, 1);
	if (j->depth + 1 < sizeof(j->fields) / sizeof(j->fields[0]))
		j->fields[++j->depth] = 0;
	else
		j->truncated = 1;
}

void json_close(struct json *j, char bracket)
{
	put(j, &bracket, 1);
	if (j->depth)
		j->depth--;
}

int json_end(struct json *j)
{
	put(j, "}\n", 2);
	return j->truncated ? -1 : (int)j->len;
}
