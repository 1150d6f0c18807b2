// SPDX-License-Identifier: GPL-2.0-or-later
/* The port policy database in memory and its O(1) lookup index. */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "policy.h"

struct policy_db *policy_db_new(void)
{
	return calloc(1, sizeof(struct policy_db));
}

void policy_db_free(struct policy_db *db)
{
	unsigned i;

	if (!db)
		return;
	for (i = 0; i < db->nentries; i++) {
		free(db->entries[i].title);
		free(db->entries[i].software);
		free(db->entries[i].about);
		free(db->entries[i].aliases);
		free(db->entries[i].served_by);
		free(db->entries[i].listen_lan);
		free(db->entries[i].listen_loopback);
		free(db->entries[i].programs);
		free(db->entries[i].options);
		free(db->entries[i].cves);
		free(db->entries[i].cves_via);
		free(db->entries[i].incidents);
		free(db->entries[i].default_bind);
		free(db->entries[i].sources);
		free(db->entries[i].expires_sources);
	}
	for (i = 0; i < db->nfiles; i++)
		free(db->files[i]);
	free(db->files);
	free(db->entries);
	free(db->winner[0]);
	free(db->winner[1]);
	free(db);
}

/* The words a reader needs but a running enforcer does not. */
static void free_reader_text(struct policy_entry *e)
{
	char **const text[] = { &e->title, &e->software, &e->about, &e->aliases, &e->cves,
				&e->cves_via, &e->incidents, &e->default_bind };
	size_t i;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		char **field = text[i];

		free(*field);
		*field = NULL;
	}
}

void policy_db_shed_text(struct policy_db *db)
{
	unsigned i;

	for (i = 0; i < db->nentries; i++)
		free_reader_text(&db->entries[i]);
	/* the freed strings lie between live allocations; hand their pages
	 * back so that a large database does not raise the daemon's RSS
	 * (glibc only: musl's allocator returns freed pages by itself and has
	 * no malloc_trim) */
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static int by_width_then_order(const void *a, const void *b, void *arg)
{
	const struct policy_entry *entries = arg;
	unsigned ia = *(const unsigned *)a, ib = *(const unsigned *)b;
	unsigned wa = entries[ia].hi - entries[ia].lo;
	unsigned wb = entries[ib].hi - entries[ib].lo;

	if (wa != wb)
		return wa < wb ? -1 : 1;
	/* among equal widths the later entry comes first: it wins */
	return ia > ib ? -1 : (ia < ib);
}

/* Smallest unpainted port >= p, with path halving; 65536 means none. */
static unsigned next_free(unsigned *next, unsigned p)
{
	while (next[p] != p) {
		next[p] = next[next[p]];
		p = next[p];
	}
	return p;
}

/* Entries come sorted by precedence, best first: each port takes the first
 * entry that covers it.  The skip list makes this O(ports + entries) even
 * for databases full of wide, overlapping ranges. */
static void paint(const struct policy_db *db, const unsigned *order, uint8_t proto_bit,
		  unsigned *next, uint32_t *cell)
{
	unsigned i, p;

	for (p = 0; p <= 65536; p++)
		next[p] = p;
	memset(cell, 0, 65536 * sizeof(*cell));
	for (i = 0; i < db->nentries; i++) {
		const struct policy_entry *e = &db->entries[order[i]];

		if (!(e->protos & proto_bit))
			continue;
		for (p = next_free(next, e->lo); p <= e->hi; p = next_free(next, p + 1)) {
			cell[p] = order[i] + 1;
			next[p] = p + 1;
		}
	}
}

/* The painted entry numbers into 16-bit cells: each governing entry gets
 * a number of its own (65535 ports at most, port 0 never), in winner[]. */
static void compact(struct policy_db *db, int slot, const uint32_t *cell, uint32_t *local)
{
	uint32_t *w = malloc(65536 * sizeof(*w));
	unsigned p, n = 0;

	if (!w)
		abort();
	memset(local, 0, db->nentries * sizeof(*local));
	for (p = 0; p < 65536; p++) {
		uint32_t c = cell[p];

		if (c && !local[c - 1]) {
			w[n] = c - 1;
			local[c - 1] = ++n;
		}
		db->index[slot][p] = (uint16_t)(c ? local[c - 1] : 0);
	}
	free(db->winner[slot]);
	db->winner[slot] = realloc(w, (n + 1) * sizeof(*w));
	if (!db->winner[slot])
		db->winner[slot] = w;
}

void policy_db_build_index(struct policy_db *db)
{
	unsigned *order = malloc((db->nentries + 1) * sizeof(*order));
	/* freed after the build: each is as big as the index itself, or more */
	unsigned *next = malloc(65537 * sizeof(*next));
	uint32_t *cell = malloc(65536 * sizeof(*cell));
	uint32_t *local = malloc((db->nentries + 1) * sizeof(*local));
	unsigned i;

	if (!order || !next || !cell || !local)
		abort();
	for (i = 0; i < db->nentries; i++)
		order[i] = i;
	qsort_r(order, db->nentries, sizeof(*order), by_width_then_order, db->entries);
	paint(db, order, POLICY_TCP, next, cell);
	compact(db, 0, cell, local);
	paint(db, order, POLICY_UDP, next, cell);
	compact(db, 1, cell, local);
	free(local);
	free(cell);
	free(next);
	free(order);
}

const struct policy_entry *policy_lookup(const struct policy_db *db, int proto, uint16_t port)
{
	int slot;
	unsigned cell;

	if (proto > 0 && proto < 256)
		proto = packet_policy_proto((uint8_t)proto);
	if (proto == IPPROTO_TCP)
		slot = 0;
	else if (proto == IPPROTO_UDP)
		slot = 1;
	else
		return NULL;
	cell = db->index[slot][port];
	return cell ? &db->entries[db->winner[slot][cell - 1]] : NULL;
}

enum policy_kind policy_kind_of(const struct policy_db *db, int proto, uint16_t port)
{
	const struct policy_entry *e = policy_lookup(db, proto, port);

	return e ? (enum policy_kind)e->kind : POLICY_OPEN;
}

int policy_has_listener_rules(const struct policy_entry *e)
{
	return e->served_by || e->listen_lan || e->listen_loopback;
}

const struct policy_source *policy_source_of(const struct policy_entry *e, int family,
					     const uint8_t *addr)
{
	const struct policy_source *best = NULL;
	unsigned i;

	for (i = 0; i < e->nsources; i++) {
		const struct policy_source *s = &e->sources[i];

		if (config_net_contains(&s->net, family, addr) &&
		    (!best || s->net.prefix > best->net.prefix))
			best = s;
	}
	return best;
}

void policy_net_text(const struct config_net *net, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned max = net->family == AF_INET ? 32 : 128;

	inet_ntop(net->family, net->addr, addr, sizeof(addr));
	if (net->prefix == max)
		snprintf(out, cap, "%s", addr);
	else
		snprintf(out, cap, "%s/%u", addr, net->prefix);
}

const char *policy_kind_name(enum policy_kind kind)
{
	switch (kind) {
	case POLICY_LAN_ONLY:
		return "lan-only";
	case POLICY_LOOPBACK_ONLY:
		return "loopback-only";
	case POLICY_OPEN:
		break;
	}
	return "open";
}

int policy_kind_parse(const char *s, uint8_t *kind)
{
	static const enum policy_kind all[] = { POLICY_OPEN, POLICY_LAN_ONLY, POLICY_LOOPBACK_ONLY };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, policy_kind_name(all[i]))) {
			*kind = (uint8_t)all[i];
			return 0;
		}
	return -1;
}

int policy_protos_parse(const char *s, uint8_t *protos)
{
	uint8_t proto = packet_l4_parse(s);

	if (proto)
		*protos = proto == IPPROTO_TCP ? POLICY_TCP : POLICY_UDP;
	else if (!strcmp(s, "both"))
		*protos = POLICY_BOTH;
	else
		return -1;
	return 0;
}

const char *policy_protos_name(uint8_t protos)
{
	switch (protos) {
	case POLICY_TCP:
		return "tcp";
	case POLICY_UDP:
		return "udp";
	default:
		return "both";
	}
}
