// SPDX-License-Identifier: GPL-2.0-or-later
/* Port-by-port differences between two policies. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv1a.h"
#include "policydiff.h"

static enum policy_kind kind_of(const struct policy_db *db, int proto, uint16_t port)
{
	return db ? policy_kind_of(db, proto, port) : POLICY_OPEN;
}

unsigned policydiff_count(const struct policy_db *db, int proto, uint16_t lo, uint16_t hi,
			  enum policy_kind kind)
{
	unsigned n = 0, port;

	for (port = lo; port <= hi; port++)
		n += kind_of(db, proto, (uint16_t)port) == kind;
	return n;
}

static int net_order(const void *a, const void *b)
{
	const struct config_net *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

static uint64_t entry_sources(const struct policy_entry *e)
{
	struct config_net nets[POLICY_SOURCES_MAX];
	uint64_t h = FNV1A64_START;
	unsigned i, n = 0;

	if (!e || !e->nsources)
		return 0;
	for (i = 0; i < e->nsources && n < POLICY_SOURCES_MAX; i++) {
		nets[n] = e->sources[i].net;
		/* only what the network is, whatever the parser left around it */
		if (nets[n].family != AF_INET6)
			memset(nets[n].addr + 4, 0, sizeof(nets[n].addr) - 4);
		n++;
	}
	qsort(nets, n, sizeof(nets[0]), net_order);
	for (i = 0; i < n; i++) {
		uint8_t head[2] = { nets[i].family == AF_INET6 ? 6 : 4, nets[i].prefix };

		if (i && !net_order(&nets[i - 1], &nets[i]))
			continue;	/* given twice: the same sources */
		h = fnv1a64(h, head, sizeof(head));
		h = fnv1a64(h, nets[i].addr, head[0] == 6 ? 16 : 4);
	}
	return h ? h : 1;
}

uint64_t policydiff_sources(const struct policy_db *db, int proto, uint16_t port)
{
	return db ? entry_sources(policy_lookup(db, proto, port)) : 0;
}

unsigned policydiff_count_sources(const struct policy_db *db, int proto, uint16_t lo,
				  uint16_t hi, enum policy_kind kind, uint64_t sources)
{
	const struct policy_entry *last = NULL;
	uint64_t digest = 0;
	unsigned n = 0, port;

	for (port = lo; port <= hi; port++) {
		const struct policy_entry *e = db ? policy_lookup(db, proto, (uint16_t)port) : NULL;

		if (e != last || port == lo) {
			digest = entry_sources(e);	/* once a run of one entry */
			last = e;
		}
		n += kind_of(db, proto, (uint16_t)port) == kind && digest == sources;
	}
	return n;
}

/* The sources digest of a db's port, computed once a run of one entry. */
struct sources_cache {
	const struct policy_entry *e;
	uint64_t digest;
	int valid;
};

static uint64_t cached_sources(struct sources_cache *c, const struct policy_db *db, int proto,
			       uint16_t port)
{
	const struct policy_entry *e = db ? policy_lookup(db, proto, port) : NULL;

	if (!c->valid || e != c->e) {
		c->e = e;
		c->digest = entry_sources(e);
		c->valid = 1;
	}
	return c->digest;
}

unsigned policydiff(const struct policy_db *was, const struct policy_db *now, policydiff_fn fn,
		    void *ctx)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned runs = 0, i, port;

	for (i = 0; i < 2; i++) {
		struct sources_cache ca = { 0 }, cb = { 0 };
		struct policydiff_run run = { .proto = protos[i] };
		int open = 0;

		for (port = 0; port <= 65536; port++) {
			enum policy_kind a = POLICY_OPEN, b = POLICY_OPEN;
			int sources = 0;

			if (port < 65536) {
				a = kind_of(was, protos[i], (uint16_t)port);
				b = kind_of(now, protos[i], (uint16_t)port);
				sources = cached_sources(&ca, was, protos[i], (uint16_t)port) !=
					  cached_sources(&cb, now, protos[i], (uint16_t)port);
			}
			if (open && a == run.was && b == run.now && sources == run.sources &&
			    (a != b || sources)) {
				run.hi = (uint16_t)port;
				continue;
			}
			if (open) {
				fn(ctx, &run);
				runs++;
				open = 0;
			}
			if (a != b || sources) {
				run.lo = run.hi = (uint16_t)port;
				run.was = a;
				run.now = b;
				run.sources = sources;
				open = 1;
			}
		}
	}
	return runs;
}

void policydiff_format(const struct policydiff_run *run, char *buf, size_t cap)
{
	const char *proto = run->proto == IPPROTO_UDP ? "udp" : "tcp";

	if (run->lo == run->hi)
		snprintf(buf, cap, "%u/%s", run->lo, proto);
	else
		snprintf(buf, cap, "%u-%u/%s", run->lo, run->hi, proto);
}
