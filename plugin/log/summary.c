// SPDX-License-Identifier: GPL-2.0-or-later
/* The summary engine of `log --summary` and `report`: totals, ports,
 * sources and time, in memory that does not grow with the log. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrtext.h"
#include "heavy.h"
#include "logclock.h"
#include "summary.h"

#define HOUR_MS		3600000LL
#define RING_HOURS	128	/* more than the hourly view needs */
#define DAYS_MAX	65536	/* about 180 years of days */
#define PORTS_MAX	131072	/* two protocols' worth; past it, one "other" row */
#define PROTOS_MAX	4

struct hour_slot {
	int64_t key;
	uint64_t n;
};

struct day_slot {
	int64_t key;
	uint64_t n;
	int used;
};

struct summary {
	struct summary_options o;
	uint64_t lines, attempts, kernel, queue, other_path, would_block;
	int64_t first, last;
	/* ports: open addressing over (protocol slot, port) */
	char protos[PROTOS_MAX][8];
	unsigned nprotos;
	uint32_t *port_index;	/* 1 + position in ports, 0 free */
	unsigned port_slots;
	struct summary_port *ports, *sorted;
	uint32_t *port_keys;	/* beside ports: protocol slot and port */
	unsigned nports, cap_ports;
	int sorted_ok;
	struct heavy *sources;
	/* time: the last RING_HOURS hours seen, and days */
	struct hour_slot ring[RING_HOURS];
	int64_t max_hour;
	struct day_slot *days;
	unsigned ndays, day_slots;
	uint64_t days_lost;
	struct logclock clock;
};

struct summary *summary_new(const struct summary_options *o)
{
	struct summary *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = *o;
	s->port_slots = 1 << 10;
	s->port_index = calloc(s->port_slots, sizeof(*s->port_index));
	s->sources = heavy_new(SUMMARY_SOURCES);
	s->max_hour = INT64_MIN;
	logclock_init(&s->clock, o->local_time);
	if (!s->port_index || !s->sources) {
		summary_free(s);
		return NULL;
	}
	return s;
}

void summary_free(struct summary *s)
{
	if (!s)
		return;
	heavy_free(s->sources);
	free(s->port_index);
	free(s->ports);
	free(s->port_keys);
	free(s->sorted);
	free(s->days);
	free(s);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* ---- time ------------------------------------------------------------------ */

/* Hours since the epoch on the summary's clock. */
static int64_t hour_key(struct summary *s, int64_t ms)
{
	return logclock_hour(&s->clock, ms);
}

static void count_hour(struct summary *s, int64_t hour, uint64_t n)
{
	struct hour_slot *slot = &s->ring[(uint64_t)hour % RING_HOURS];

	if (hour > s->max_hour)
		s->max_hour = hour;
	else if (hour <= s->max_hour - RING_HOURS)
		return;		/* only a range of days wide shows it, by day */
	if (slot->key != hour) {
		slot->key = hour;
		slot->n = 0;
	}
	slot->n = sat_add(slot->n, n);
}

static int grow_days(struct summary *s)
{
	unsigned i, slots = s->day_slots ? s->day_slots * 2 : 256;
	struct day_slot *v = calloc(slots, sizeof(*v)), *old = s->days;

	if (!v)
		return -1;
	for (i = 0; i < s->day_slots; i++) {
		unsigned j = (unsigned)((uint64_t)old[i].key * 2654435761u) & (slots - 1);

		if (!old[i].used)
			continue;
		while (v[j].used)
			j = (j + 1) & (slots - 1);
		v[j] = old[i];
	}
	free(old);
	s->days = v;
	s->day_slots = slots;
	return 0;
}

static void count_day(struct summary *s, int64_t day, uint64_t n)
{
	unsigned j;

	if (s->ndays * 2 >= s->day_slots && s->ndays < DAYS_MAX && grow_days(s) < 0) {
		s->days_lost = sat_add(s->days_lost, n);
		return;
	}
	j = (unsigned)((uint64_t)day * 2654435761u) & (s->day_slots - 1);
	while (s->days[j].used && s->days[j].key != day)
		j = (j + 1) & (s->day_slots - 1);
	if (!s->days[j].used) {
		if (s->ndays >= DAYS_MAX) {
			s->days_lost = sat_add(s->days_lost, n);
			return;
		}
		s->days[j].used = 1;
		s->days[j].key = day;
		s->ndays++;
	}
	s->days[j].n = sat_add(s->days[j].n, n);
}

/* ---- ports ------------------------------------------------------------------ */

static unsigned proto_slot(struct summary *s, const char *proto)
{
	unsigned i;

	/* nearly every line is TCP: its slot, 0, is tried first */
	if (s->nprotos && proto[0] == s->protos[0][0] && !strcmp(s->protos[0], proto))
		return 0;
	for (i = 0; i < s->nprotos; i++)
		if (!strcmp(s->protos[i], proto))
			return i;
	if (s->nprotos == PROTOS_MAX)
		return PROTOS_MAX;	/* any further protocol: "other" */
	snprintf(s->protos[s->nprotos], sizeof(s->protos[0]), "%s", proto);
	return s->nprotos++;
}

static uint32_t port_hash(uint32_t key, unsigned slots)
{
	return (key * 2654435761u) >> 8 & (slots - 1);
}

static int grow_ports(struct summary *s)
{
	unsigned i, slots = s->port_slots * 2;
	uint32_t *v = calloc(slots, sizeof(*v));

	if (!v)
		return -1;
	for (i = 0; i < s->nports; i++) {
		uint32_t j = port_hash(s->port_keys[i], slots);

		while (v[j])
			j = (j + 1) & (slots - 1);
		v[j] = i + 1;
	}
	free(s->port_index);
	s->port_index = v;
	s->port_slots = slots;
	return 0;
}

static struct summary_port *new_port(struct summary *s, uint32_t key, const char *proto,
				     unsigned port)
{
	struct summary_port *p;

	if (s->nports == s->cap_ports) {
		unsigned cap = s->cap_ports ? s->cap_ports * 2 : 64;
		uint32_t *keys = realloc(s->port_keys, cap * sizeof(*keys));

		if (!keys)
			return NULL;
		s->port_keys = keys;
		p = realloc(s->ports, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->ports = p;
		s->cap_ports = cap;
	}
	s->port_keys[s->nports] = key;
	p = &s->ports[s->nports++];
	memset(p, 0, sizeof(*p));
	snprintf(p->proto, sizeof(p->proto), "%s", proto);
	p->port = port;
	p->first_ms = INT64_MAX;
	p->last_ms = INT64_MIN;
	return p;
}

/* The row of (proto, port); past PORTS_MAX rows or an unknown fifth
 * protocol, one row "other"/65536 takes the rest. */
static struct summary_port *port_row(struct summary *s, const char *proto, unsigned port)
{
	unsigned slot = proto_slot(s, proto);
	uint32_t key, j;
	struct summary_port *p;

	if (slot == PROTOS_MAX || s->nports >= PORTS_MAX) {
		proto = "other";
		port = 65536;
		slot = PROTOS_MAX;
	}
	key = (uint32_t)slot << 17 | port;
	if (s->nports * 2 >= s->port_slots && grow_ports(s) < 0)
		return NULL;
	j = port_hash(key, s->port_slots);
	while (s->port_index[j]) {
		if (s->port_keys[s->port_index[j] - 1] == key)
			return &s->ports[s->port_index[j] - 1];
		j = (j + 1) & (s->port_slots - 1);
	}
	p = new_port(s, key, proto, port);
	if (p)
		s->port_index[j] = s->nports;
	return p;
}

/* ---- sources ------------------------------------------------------------------ */

void summary_source_key(const char *src, uint8_t *key)
{
	uint8_t a[16];
	int family = addrtext_parse(src, strlen(src), a);

	memset(key, 0, HEAVY_KEY);
	if (family == AF_INET6) {
		key[0] = 6;
		key[1] = 64;
		memcpy(key + 2, a, 8);
	} else if (family == AF_INET) {
		key[0] = 4;
		key[1] = 32;
		memcpy(key + 2, a, 4);
	} else {
		/* "*" (many sources folded), "?", or whatever else a file holds:
		 * its first bytes */
		strncpy((char *)key + 1, src, HEAVY_KEY - 1);
	}
}

void summary_source_text(const uint8_t *key, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	if (key[0] == 6) {
		uint8_t a[16] = { 0 };

		memcpy(a, key + 2, 8);
		inet_ntop(AF_INET6, a, addr, sizeof(addr));
		snprintf(out, cap, "%s/64", addr);
	} else if (key[0] == 4) {
		inet_ntop(AF_INET, key + 2, addr, sizeof(addr));
		snprintf(out, cap, "%s", addr);
	} else {
		snprintf(out, cap, "%.*s", HEAVY_KEY - 1, (const char *)key + 1);
	}
}

/* ---- adding -------------------------------------------------------------------- */

/* The path a record names: 0 kernel, 1 queue, 2 anything else. */
static int path_of(const struct log_record *r)
{
	/* sizes known here: compared inline, not by a call a line */
	if (!memcmp(r->path, "kernel", sizeof("kernel")))
		return 0;
	if (!memcmp(r->path, "queue", sizeof("queue")))
		return 1;
	return 2;
}

void summary_add(struct summary *s, const struct log_record *r)
{
	struct summary_port *p = port_row(s, r->proto, r->dport);
	int path = path_of(r), would = !memcmp(r->action, "would-block", sizeof("would-block"));
	int64_t hour;

	s->lines++;
	s->attempts = sat_add(s->attempts, r->count);
	if (s->lines == 1 || r->ts_ms < s->first)
		s->first = r->ts_ms;
	if (s->lines == 1 || r->ts_ms > s->last)
		s->last = r->ts_ms;
	if (path == 0)
		s->kernel = sat_add(s->kernel, r->count);
	else if (path == 1)
		s->queue = sat_add(s->queue, r->count);
	else
		s->other_path = sat_add(s->other_path, r->count);
	if (would)
		s->would_block = sat_add(s->would_block, r->count);
	if (p) {
		s->sorted_ok = 0;
		p->attempts = sat_add(p->attempts, r->count);
		p->lines++;
		if (path == 0)
			p->kernel = sat_add(p->kernel, r->count);
		else if (path == 1)
			p->queue = sat_add(p->queue, r->count);
		if (would)
			p->would_block = sat_add(p->would_block, r->count);
		if (r->ts_ms < p->first_ms)
			p->first_ms = r->ts_ms;
		if (r->ts_ms > p->last_ms)
			p->last_ms = r->ts_ms;
		if (!p->service[0] && r->service[0])
			snprintf(p->service, sizeof(p->service), "%s", r->service);
		if (!p->policy[0] && r->policy[0])
			snprintf(p->policy, sizeof(p->policy), "%s", r->policy);
	}
	if (r->count) {
		uint8_t key[HEAVY_KEY];

		summary_source_key(r->src, key);
		heavy_add(s->sources, key, r->count, r->ts_ms);
	}
	hour = hour_key(s, r->ts_ms);
	count_hour(s, hour, r->count);
	count_day(s, logclock_floor_div(hour, 24), r->count);
}

/* ---- results --------------------------------------------------------------------- */

uint64_t summary_lines(const struct summary *s) { return s->lines; }
uint64_t summary_attempts(const struct summary *s) { return s->attempts; }
uint64_t summary_would_block(const struct summary *s) { return s->would_block; }
int64_t summary_first_ms(const struct summary *s) { return s->lines ? s->first : 0; }
int64_t summary_last_ms(const struct summary *s) { return s->lines ? s->last : 0; }
int summary_local_time(const struct summary *s) { return s->o.local_time; }

uint64_t summary_path(const struct summary *s, const char *path)
{
	if (!strcmp(path, "kernel"))
		return s->kernel;
	if (!strcmp(path, "queue"))
		return s->queue;
	return s->other_path;
}

static int most_attempts(const void *a, const void *b)
{
	const struct summary_port *x = a, *y = b;
	int c;

	if (x->attempts != y->attempts)
		return x->attempts < y->attempts ? 1 : -1;
	c = strcmp(x->proto, y->proto);
	if (c)
		return c;
	return x->port < y->port ? -1 : x->port > y->port;
}

unsigned summary_ports(struct summary *s, const struct summary_port **v)
{
	if (!s->sorted_ok) {
		struct summary_port *sorted = realloc(s->sorted, (s->nports + 1) * sizeof(*sorted));

		if (!sorted) {
			*v = NULL;
			return 0;
		}
		memcpy(sorted, s->ports, s->nports * sizeof(*sorted));
		qsort(sorted, s->nports, sizeof(*sorted), most_attempts);
		s->sorted = sorted;
		s->sorted_ok = 1;
	}
	*v = s->sorted;
	return s->nports;
}

unsigned summary_sources(const struct summary *s, struct summary_source *out, unsigned n)
{
	struct heavy_item *items = calloc(n ? n : 1, sizeof(*items));
	unsigned i, got;

	if (!items)
		return 0;
	got = heavy_top(s->sources, items, n);
	for (i = 0; i < got; i++) {
		summary_source_text(items[i].key, out[i].text, sizeof(out[i].text));
		out[i].attempts = items[i].count;
		out[i].error = items[i].error;
		out[i].first_ms = items[i].first;
		out[i].last_ms = items[i].last;
	}
	free(items);
	return got;
}

unsigned summary_distinct_sources(const struct summary *s)
{
	return heavy_used(s->sources);
}

int summary_sources_approximate(const struct summary *s)
{
	return heavy_replaced(s->sources);
}

/* ---- the time axis ------------------------------------------------------------------ */

void summary_axis(const struct summary *s, struct summary_axis *a)
{
	struct summary *m = (struct summary *)s;	/* the offset cache only */
	int64_t start, end, last_hour, days;

	memset(a, 0, sizeof(*a));
	a->local_time = s->o.local_time;
	if (!s->lines && !s->o.since_ms)
		return;
	start = s->o.since_ms ? s->o.since_ms : s->first;
	if (s->o.until_ms)
		end = s->o.until_ms - 1;
	else if (s->o.since_ms)
		end = s->lines && s->last > s->o.now_ms ? s->last : s->o.now_ms;
	else
		end = s->last;
	if (end < start)
		end = start;
	a->start_key = hour_key(m, start);
	last_hour = hour_key(m, end);
	if (end - start < SUMMARY_HOURLY_BELOW * HOUR_MS) {
		a->hours = 1;
		a->n = (unsigned)(last_hour - a->start_key + 1);
		return;
	}
	a->start_key = logclock_floor_div(a->start_key, 24) * 24;
	days = logclock_floor_div(last_hour, 24) - a->start_key / 24 + 1;
	a->hours = 24 * (unsigned)((days + SUMMARY_MAX_BUCKETS - 1) / SUMMARY_MAX_BUCKETS);
	a->n = (unsigned)((days * 24 + a->hours - 1) / a->hours);
}

static long key_bucket(const struct summary_axis *a, int64_t hour)
{
	int64_t i;

	if (!a->n || hour < a->start_key)
		return -1;
	i = (hour - a->start_key) / a->hours;
	return i < a->n ? (long)i : -1;
}

long summary_axis_bucket(const struct summary *s, const struct summary_axis *a, int64_t ts_ms)
{
	return key_bucket(a, hour_key((struct summary *)s, ts_ms));
}

void summary_timeline(const struct summary *s, const struct summary_axis *a, uint64_t *counts)
{
	unsigned i;
	long b;

	memset(counts, 0, a->n * sizeof(*counts));
	if (a->hours == 1) {
		for (i = 0; i < RING_HOURS; i++)
			if (s->ring[i].n && (b = key_bucket(a, s->ring[i].key)) >= 0)
				counts[b] = sat_add(counts[b], s->ring[i].n);
		return;
	}
	for (i = 0; i < s->day_slots; i++)
		if (s->days[i].used && (b = key_bucket(a, s->days[i].key * 24)) >= 0)
			counts[b] = sat_add(counts[b], s->days[i].n);
}

void summary_axis_label(const struct summary_axis *a, unsigned i, char *out, size_t cap)
{
	logclock_format_hour(a->start_key + (int64_t)i * a->hours, a->hours == 1, out, cap);
}

void summary_format_time(const struct summary *s, int64_t ms, char *out, size_t cap)
{
	logclock_format(&((struct summary *)s)->clock, ms, out, cap);
}
