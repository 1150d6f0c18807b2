// SPDX-License-Identifier: GPL-2.0-or-later
/* Ports and service names as the commands take them. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "portspec.h"

static int parse_number(const char *s, size_t n, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "PORT[-PORT][/PROTO]"; protos 0 when no protocol is given */
static int parse_numeric(const char *arg, struct portspec *ps)
{
	const char *slash = strchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	const char *dash = memchr(arg, '-', len);

	ps->protos = 0;
	ps->entry = NULL;
	if (slash) {
		if (policy_protos_parse(slash + 1, &ps->protos) < 0)
			return -1;
	}
	if (!dash)
		return parse_number(arg, len, &ps->lo) < 0 ? -1 : (ps->hi = ps->lo, 0);
	if (parse_number(arg, (size_t)(dash - arg), &ps->lo) < 0 ||
	    parse_number(dash + 1, len - (size_t)(dash - arg) - 1, &ps->hi) < 0 || ps->hi < ps->lo)
		return -1;
	return 0;
}

static int word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p && (p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int entry_named(const struct policy_entry *e, const char *name)
{
	return !strcasecmp(e->service, name) || (e->aliases && word_in(e->aliases, name));
}

/* The protocols the database has entries for on this port. */
static uint8_t protos_of(const struct policy_db *db, uint16_t port)
{
	uint8_t protos = 0;

	if (policy_lookup(db, IPPROTO_TCP, port))
		protos |= POLICY_TCP;
	if (policy_lookup(db, IPPROTO_UDP, port))
		protos |= POLICY_UDP;
	return protos ? protos : POLICY_BOTH;
}

static int resolve_name(const struct policy_db *db, const char *arg, struct portspec *out,
			unsigned max)
{
	unsigned i, n = 0;

	/* the later file wins for a port, so walk from the end and skip what
	 * a later entry already named */
	for (i = db->nentries; i-- > 0 && n < max;) {
		const struct policy_entry *e = &db->entries[i];
		unsigned k, seen = 0;

		if (!entry_named(e, arg))
			continue;
		for (k = 0; k < n; k++)
			seen |= out[k].lo == e->lo && out[k].hi == e->hi && out[k].protos == e->protos;
		if (seen)
			continue;
		out[n].lo = e->lo;
		out[n].hi = e->hi;
		out[n].protos = e->protos;
		out[n].entry = e;
		n++;
	}
	return n ? (int)n : -ENOENT;
}

int portspec_resolve(const struct policy_db *db, const char *arg, struct portspec *out,
		     unsigned max)
{
	if (max == 0)
		return -EINVAL;
	if (arg[0] >= '0' && arg[0] <= '9') {
		if (parse_numeric(arg, &out[0]) < 0)
			return -EINVAL;
		if (!out[0].protos)
			out[0].protos = protos_of(db, out[0].lo);
		return 1;
	}
	if (strlen(arg) >= POLICY_SERVICE_MAX)
		return -ENOENT;
	return resolve_name(db, arg, out, max);
}

void portspec_format(const struct portspec *ps, char *buf, size_t cap)
{
	const char *proto = policy_protos_name(ps->protos);

	if (ps->lo == ps->hi)
		snprintf(buf, cap, "%u/%s", ps->lo, proto);
	else
		snprintf(buf, cap, "%u-%u/%s", ps->lo, ps->hi, proto);
}
