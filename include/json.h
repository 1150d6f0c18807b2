/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_JSON_H
#define PORTWARDEN_JSON_H

#include <stddef.h>

/* Builds one JSON object into a fixed caller buffer.  When the buffer is too
 * small the builder marks itself truncated instead of writing past it, so a
 * caller never emits half an object. */
struct json {
	char *buf;
	size_t cap, len;
	int truncated;
	unsigned depth;
	unsigned fields[4];	/* members written so far, per nesting level */
};

void json_begin(struct json *j, char *buf, size_t cap);
void json_str(struct json *j, const char *key, const char *value);
void json_uint(struct json *j, const char *key, unsigned long long value);
void json_raw_bool(struct json *j, const char *key, int value);
/* Nested arrays and objects; key is NULL for members of an array. */
void json_open(struct json *j, const char *key, char bracket);
void json_close(struct json *j, char bracket);
/* Closes the object and adds a newline; returns its length, or -1 when it
 * did not fit. */
int json_end(struct json *j);

/* Escapes s as a JSON string body (no quotes) into out; returns the
 * length, or -1 when out is too small. */
int json_escape(char *out, size_t cap, const char *s);

#endif
