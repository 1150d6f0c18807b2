// SPDX-License-Identifier: GPL-2.0-or-later
/* Space-Saving over a stream summary: entries with the same count share a
 * bucket, buckets are kept in ascending order of count, so the lightest
 * entry (the one a new key replaces) is found at once and an increment of
 * one moves an entry at most one bucket on. */
#include <stdlib.h>
#include <string.h>

#include "heavy.h"

#define NIL UINT32_MAX

struct entry {
	uint8_t key[HEAVY_KEY];
	uint32_t bucket;
	uint32_t prev, next;	/* within the bucket */
	uint32_t hash;
	uint64_t error;
	int64_t first, last;
};

/* The index: open addressing over (entry, hash) pairs, so that a key that
 * is not in the table (in a flood of new sources, nearly every key) is
 * told from the slots alone, without a look at the entries.  A replaced
 * entry's old slot stays: it still names an entry, whose key a match
 * compares, so it can only cost a probe; the index is rebuilt when such
 * stale slots add up. */
struct slot {
	uint32_t entry;
	uint32_t hash;
};

struct bucket {
	uint64_t count;
	uint32_t head;		/* first entry */
	uint32_t prev, next;	/* buckets by ascending count */
};

/* The table starts with room for HEAVY_ROOM_FIRST entries and doubles
 * while every count is still exact, up to its capacity: a review of a
 * small log (a router's) touches little memory, a flood of sources gets
 * the whole table. */
#define HEAVY_ROOM_FIRST	1024

struct heavy {
	unsigned cap, room, used;	/* room: entries allocated, <= cap */
	int replaced;
	struct entry *e;
	struct bucket *b;
	uint32_t bfree, bmin, bmax;
	struct slot *index;
	uint32_t mask;
	unsigned stale;
	/* the key of the last add, counted at the next one: its slot is
	 * fetched from memory meanwhile */
	int pending;
	uint8_t pkey[HEAVY_KEY];
	uint32_t phash;
	uint64_t pw;
	int64_t pts;
};

static uint32_t key_hash(const uint8_t *k)
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, k + 8, 8);
	a ^= (b + ((uint64_t)k[16] << 8 | k[17])) * 0x9e3779b97f4a7c15ULL;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(a >> 32);
}

static void rebuild(struct heavy *h);

/* Room for n entries (n > h->room): the entries and buckets keep their
 * numbers, the new buckets join the free list, the index is made anew
 * for the new size.  0, or -1 with the table as it was. */
static int grow(struct heavy *h, unsigned n)
{
	unsigned i, slots = 1;
	struct entry *e;
	struct bucket *b;
	struct slot *index;

	while (slots < n * 4)
		slots <<= 1;
	e = realloc(h->e, n * sizeof(*e));
	if (!e)
		return -1;
	h->e = e;
	/* one more bucket than entries: an entry's new bucket is made before
	 * its old one is let go */
	b = realloc(h->b, (n + 1) * sizeof(*b));
	if (!b)
		return -1;
	h->b = b;
	index = malloc(slots * sizeof(*index));
	if (!index)
		return -1;
	for (i = h->room ? h->room + 1 : 0; i <= n; i++)
		b[i].next = i < n ? i + 1 : h->bfree;
	h->bfree = h->room ? h->room + 1 : 0;
	free(h->index);
	h->index = index;
	h->mask = slots - 1;
	h->room = n;
	rebuild(h);
	return 0;
}

struct heavy *heavy_new(unsigned capacity)
{
	struct heavy *h = calloc(1, sizeof(*h));

	if (!h || !capacity)
		goto out_free;
	h->cap = capacity;
	h->bfree = h->bmin = h->bmax = NIL;
	if (grow(h, capacity < HEAVY_ROOM_FIRST ? capacity : HEAVY_ROOM_FIRST) < 0)
		goto out_free;
	return h;
out_free:
	heavy_free(h);
	return NULL;
}

void heavy_free(struct heavy *h)
{
	if (!h)
		return;
	free(h->e);
	free(h->b);
	free(h->index);
	free(h);
}

/* ---- buckets ------------------------------------------------------------ */

/* A new bucket of count c after bucket at (NIL: in front of all). */
static uint32_t bucket_new(struct heavy *h, uint64_t c, uint32_t at)
{
	uint32_t n = h->bfree;
	struct bucket *b = &h->b[n];

	h->bfree = b->next;
	b->count = c;
	b->head = NIL;
	b->prev = at;
	b->next = at == NIL ? h->bmin : h->b[at].next;
	if (b->next != NIL)
		h->b[b->next].prev = n;
	else
		h->bmax = n;
	if (at != NIL)
		h->b[at].next = n;
	else
		h->bmin = n;
	return n;
}

static void bucket_release(struct heavy *h, uint32_t n)
{
	struct bucket *b = &h->b[n];

	if (b->prev != NIL)
		h->b[b->prev].next = b->next;
	else
		h->bmin = b->next;
	if (b->next != NIL)
		h->b[b->next].prev = b->prev;
	else
		h->bmax = b->prev;
	b->next = h->bfree;
	h->bfree = n;
}

static void entry_unlink(struct heavy *h, uint32_t i)
{
	struct entry *e = &h->e[i];

	if (e->prev != NIL)
		h->e[e->prev].next = e->next;
	else
		h->b[e->bucket].head = e->next;
	if (e->next != NIL)
		h->e[e->next].prev = e->prev;
}

static void entry_push(struct heavy *h, uint32_t i, uint32_t n)
{
	struct entry *e = &h->e[i];
	struct bucket *b = &h->b[n];

	e->bucket = n;
	e->prev = NIL;
	e->next = b->head;
	if (b->head != NIL)
		h->e[b->head].prev = i;
	b->head = i;
}

/* Puts entry i (in no bucket) at count c, looking from bucket at onwards
 * (at's count is below c; NIL: from the lightest). */
static void place(struct heavy *h, uint32_t i, uint64_t c, uint32_t at)
{
	uint32_t next = at == NIL ? h->bmin : h->b[at].next;

	while (next != NIL && h->b[next].count < c) {
		at = next;
		next = h->b[next].next;
	}
	if (next != NIL && h->b[next].count == c)
		entry_push(h, i, next);
	else
		entry_push(h, i, bucket_new(h, c, at));
}

static void increment(struct heavy *h, uint32_t i, uint64_t w)
{
	uint32_t old = h->e[i].bucket;
	uint64_t c = h->b[old].count + w;

	entry_unlink(h, i);
	/* a count from a file can be anything: the order of buckets holds */
	place(h, i, c < w ? UINT64_MAX : c, old);
	if (h->b[old].head == NIL)
		bucket_release(h, old);
}

/* ---- keys ----------------------------------------------------------------- */

/* The entry holding key, or NIL; *slot: where the search ended (free). */
static uint32_t lookup(const struct heavy *h, const uint8_t *key, uint32_t hash, uint32_t *slot)
{
	uint32_t j = hash & h->mask;

	for (; h->index[j].entry != NIL; j = (j + 1) & h->mask) {
		uint32_t i = h->index[j].entry;

		if (h->index[j].hash == hash && !memcmp(h->e[i].key, key, HEAVY_KEY))
			return i;
	}
	*slot = j;
	return NIL;
}

static void rebuild(struct heavy *h)
{
	uint32_t i, j;

	memset(h->index, 0xff, (h->mask + 1) * sizeof(*h->index));
	for (i = 0; i < h->used; i++) {
		for (j = h->e[i].hash & h->mask; h->index[j].entry != NIL; j = (j + 1) & h->mask)
			;
		h->index[j].entry = i;
		h->index[j].hash = h->e[i].hash;
	}
	h->stale = 0;
}

static void count_key(struct heavy *h, const uint8_t *key, uint32_t hash, uint64_t w, int64_t ts)
{
	uint32_t slot = 0;
	uint32_t i = lookup(h, key, hash, &slot);
	struct entry *e;

	if (i != NIL) {
		e = &h->e[i];
		if (ts < e->first)
			e->first = ts;
		if (ts > e->last)
			e->last = ts;
		increment(h, i, w);
		return;
	}
	if (h->used == h->room && h->room < h->cap) {
		unsigned n = h->room > h->cap / 2 ? h->cap : h->room * 2;

		/* without memory for more room the table stays as it is and
		 * counts as full: its counts turn to bounds, as past cap */
		if (grow(h, n) < 0)
			h->cap = h->room;
		(void)lookup(h, key, hash, &slot);	/* the index was made anew */
	}
	if (h->used < h->room) {
		i = h->used++;
		e = &h->e[i];
		e->error = 0;
		place(h, i, w, NIL);
	} else {
		/* the lightest entry gives its place and its count as the error */
		i = h->b[h->bmin].head;
		e = &h->e[i];
		e->error = h->b[h->bmin].count;
		h->replaced = 1;
		h->stale++;
		increment(h, i, w);
	}
	memcpy(e->key, key, HEAVY_KEY);
	e->hash = hash;
	e->first = e->last = ts;
	h->index[slot].entry = i;
	h->index[slot].hash = hash;
	/* live and stale slots stay under half of the index */
	if (h->stale >= h->room)
		rebuild(h);
}

static void flush(struct heavy *h)
{
	if (h->pending)
		count_key(h, h->pkey, h->phash, h->pw, h->pts);
	h->pending = 0;
}

void heavy_add(struct heavy *h, const uint8_t key[HEAVY_KEY], uint64_t w, int64_t ts)
{
	uint32_t hash = key_hash(key);

	__builtin_prefetch(&h->index[hash & h->mask]);
	flush(h);
	memcpy(h->pkey, key, HEAVY_KEY);
	h->phash = hash;
	h->pw = w;
	h->pts = ts;
	h->pending = 1;
}

/* ---- results -------------------------------------------------------------- */

static int heaviest_first(const void *a, const void *b)
{
	const struct heavy_item *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return memcmp(x->key, y->key, HEAVY_KEY);
}

unsigned heavy_top(struct heavy *h, struct heavy_item *out, unsigned n)
{
	struct heavy_item *all;
	uint32_t b, i;
	unsigned got = 0;

	flush(h);
	if (!n || !h->used)
		return 0;
	all = malloc(h->used * sizeof(*all));
	if (!all)
		return 0;
	/* whole buckets from the heaviest, until n are in: ties inside the
	 * last bucket are then broken by key */
	for (b = h->bmax; b != NIL && got < n; b = h->b[b].prev)
		for (i = h->b[b].head; i != NIL; i = h->e[i].next) {
			struct heavy_item *it = &all[got++];

			memcpy(it->key, h->e[i].key, HEAVY_KEY);
			it->count = h->b[b].count;
			it->error = h->e[i].error;
			it->first = h->e[i].first;
			it->last = h->e[i].last;
		}
	qsort(all, got, sizeof(*all), heaviest_first);
	if (got > n)
		got = n;
	memcpy(out, all, got * sizeof(*all));
	free(all);
	return got;
}

unsigned heavy_used(struct heavy *h)
{
	flush(h);
	return h->used;
}

int heavy_replaced(struct heavy *h)
{
	flush(h);
	return h->replaced;
}
