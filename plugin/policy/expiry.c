// SPDX-License-Identifier: GPL-2.0-or-later
/* Entries that end by themselves: the `expires` attribute. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expiry.h"

#define DURATION_MAX (366L * 24 * 3600)

/* YYYY-MM-DDTHH:MM:SSZ exactly, a real date */
static int parse_time(const char *s, size_t n, int64_t *when)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm, back;
	char z;
	time_t t;
	int used = 0;
	size_t i;

	if (n != sizeof(shape) - 1)
		return -1;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			      &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &used) != 7 || used != 20 ||
	    z != 'Z')
		return -1;
	if (tm.tm_year < 1970)
		return -1;	/* before the epoch: no moment anything ends */
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = 0;
	back = tm;
	t = timegm(&tm);
	/* timegm normalises 2026-02-30 into March: such a date is no date */
	if (t == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon ||
	    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return -1;
	*when = (int64_t)t;
	return 0;
}

/* "from NET..." after the policy: the entry's networks after the time */
static int parse_nets(const char *rest, uint8_t then, struct config_net *nets, unsigned *nnets,
		      char *why, size_t cap)
{
	struct config_net net;
	size_t m = strcspn(rest, " \t");

	if (m != 4 || memcmp(rest, "from", 4)) {
		snprintf(why, cap, "expires takes a time, at most one policy after it, and the "
			 "networks of that policy after \"from\"");
		return -1;
	}
	if (then == POLICY_OPEN + 1) {
		snprintf(why, cap, "expires: from after open has no effect (open admits every source)");
		return -1;
	}
	rest += m + strspn(rest + m, " \t");
	if (!*rest) {
		snprintf(why, cap, "expires: from without a network");
		return -1;
	}
	while (*rest) {
		char word[64];
		int ret;

		m = strcspn(rest, " \t");
		if (m >= sizeof(word)) {
			snprintf(why, cap, "expires: a network too long after from");
			return -1;
		}
		memcpy(word, rest, m);
		word[m] = '\0';
		ret = policy_source_parse(word, &net);
		if (ret == -EDOM) {
			char meant[64];

			policy_net_text(&net, meant, sizeof(meant));
			snprintf(why, cap, "expires: \"%s\" has host bits set (did you mean %s?)", word,
				 meant);
			return -1;
		}
		if (ret < 0) {
			snprintf(why, cap, "expires: bad network \"%s\" after from (expected ADDRESS or "
				 "ADDRESS/PREFIX)", word);
			return -1;
		}
		if (*nnets == POLICY_SOURCES_MAX) {
			snprintf(why, cap, "expires: more than %d networks after from",
				 POLICY_SOURCES_MAX);
			return -1;
		}
		if (nets)
			nets[*nnets] = net;
		(*nnets)++;
		rest += m + strspn(rest + m, " \t");
	}
	return 0;
}

int expiry_parse_sources(const char *value, int64_t *when, uint8_t *then, struct config_net *nets,
			 unsigned *nnets, char *why, size_t cap)
{
	size_t n = strcspn(value, " \t");
	const char *rest = value + n;
	char word[24];
	size_t m;

	*then = 0;
	*nnets = 0;
	if (parse_time(value, n, when) < 0) {
		snprintf(why, cap, "expires wants a time as 2026-12-06T10:10:00Z (UTC), not \"%.*s\"",
			 (int)(n < 40 ? n : 40), value);
		return -1;
	}
	rest += strspn(rest, " \t");
	if (!*rest)
		return 0;
	m = strcspn(rest, " \t");
	if (m >= sizeof(word)) {
		snprintf(why, cap, "expires takes a time and at most one policy after it");
		return -1;
	}
	memcpy(word, rest, m);
	word[m] = '\0';
	if (policy_kind_parse(word, then) < 0) {
		snprintf(why, cap, "unknown policy \"%s\" after the time (expected loopback-only, "
			 "lan-only or open)", word);
		return -1;
	}
	(*then)++;
	rest += m + strspn(rest + m, " \t");
	if (*rest && parse_nets(rest, *then, nets, nnets, why, cap) < 0) {
		*then = 0;
		*nnets = 0;
		return -1;
	}
	return 0;
}

int expiry_parse(const char *value, int64_t *when, uint8_t *then, char *why, size_t cap)
{
	unsigned nnets;

	return expiry_parse_sources(value, when, then, NULL, &nnets, why, cap);
}

void expiry_attribute(struct policy_entry *e, struct diag *d, unsigned line, const char *value)
{
	struct config_net nets[POLICY_SOURCES_MAX];
	unsigned i, n = 0;
	char why[160];

	if (e->expires) {
		diag_error(d, line, "expires given twice");
		return;
	}
	if (expiry_parse_sources(value, &e->expires, &e->expires_then, nets, &n, why,
				 sizeof(why)) < 0) {
		e->expires = 0;
		diag_error(d, line, "%s", why);
		return;
	}
	if (!n)
		return;
	e->expires_sources = calloc(n, sizeof(*e->expires_sources));
	if (!e->expires_sources) {
		diag_error(d, line, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		e->expires_sources[i] = (struct policy_source){ nets[i], line };
	e->nexpires_sources = n;
}

unsigned expiry_apply(struct policy_db *db, int64_t now)
{
	unsigned i, kept = 0, changed = 0;

	for (i = 0; i < db->nentries; i++) {
		struct policy_entry *e = &db->entries[i];

		if (!e->expires || e->expires > now) {
			db->entries[kept++] = *e;
			continue;
		}
		changed++;
		if (e->expires_then) {
			/* the policy after the time, with the networks the
			 * expires line names after it (none without) */
			e->kind = (uint8_t)(e->expires_then - 1);
			e->expires = 0;
			e->expires_then = 0;
			free(e->sources);
			e->sources = e->expires_sources;
			e->nsources = e->nexpires_sources;
			e->expires_sources = NULL;
			e->nexpires_sources = 0;
			db->entries[kept++] = *e;
			continue;
		}
		/* gone: nothing points at an entry before the index is built */
		free(e->title);
		free(e->software);
		free(e->about);
		free(e->aliases);
		free(e->served_by);
		free(e->listen_lan);
		free(e->listen_loopback);
		free(e->programs);
		free(e->options);
		free(e->cves);
		free(e->cves_via);
		free(e->incidents);
		free(e->default_bind);
		free(e->sources);
		free(e->expires_sources);
	}
	db->nentries = kept;
	return changed;
}

int64_t expiry_next(const struct policy_db *db, int64_t now)
{
	int64_t next = 0;
	unsigned i;

	for (i = 0; i < db->nentries; i++) {
		int64_t t = db->entries[i].expires;

		if (t > now && (!next || t < next))
			next = t;
	}
	return next;
}

void expiry_format(int64_t when, char *buf, size_t cap)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, cap, "?");
}

long expiry_duration(const char *text)
{
	long total = 0;
	const char *p = text;

	if (!*p)
		return -1;
	while (*p) {
		char *end;
		long n, unit;

		if (*p < '0' || *p > '9')
			return -1;
		n = strtol(p, &end, 10);
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		if (n > DURATION_MAX / unit)
			return -1;
		total += n * unit;
		if (total > DURATION_MAX)
			return -1;
		p = end + 1;
	}
	return total > 0 ? total : -1;
}
