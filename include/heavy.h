/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_HEAVY_H
#define PORTWARDEN_HEAVY_H

#include <stddef.h>
#include <stdint.h>

/* The heaviest keys of a stream in fixed memory: Space-Saving (Metwally,
 * Agrawal, El Abbadi 2005) with weighted updates.  Up to `capacity`
 * distinct keys every count is exact; past that a new key takes the place
 * of the lightest one and inherits its count as the error bound, so an
 * item's true count lies in [count - error, count], and every key whose
 * true count is above total / capacity is in the table. */

#define HEAVY_KEY	18	/* fixed-size binary keys */

struct heavy_item {
	uint8_t key[HEAVY_KEY];
	uint64_t count;		/* an upper bound; exact when error is 0 */
	uint64_t error;
	int64_t first, last;	/* first: since when the item is counted */
};

struct heavy;

/* capacity >= 1; NULL when out of memory. */
struct heavy *heavy_new(unsigned capacity);
void heavy_free(struct heavy *h);

/* Adds weight w (>= 1) to key at time ts (any monotone unit).  The key is
 * counted at the next call, while its index slot is fetched: the results
 * below include it. */
void heavy_add(struct heavy *h, const uint8_t key[HEAVY_KEY], uint64_t w, int64_t ts);

/* Up to n items, heaviest first (ties by key); returns how many. */
unsigned heavy_top(struct heavy *h, struct heavy_item *out, unsigned n);

/* Distinct keys seen while the table had room, and whether any key was
 * ever replaced (then counts past the table's lightest are bounds). */
unsigned heavy_used(struct heavy *h);
int heavy_replaced(struct heavy *h);

#endif
