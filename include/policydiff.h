/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_POLICYDIFF_H
#define PORTWARDEN_POLICYDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* What changes between two policies, port by port: pure, for the answer a
 * reload gives and for checking that every port of a change arrived. */

/* Consecutive ports of one protocol whose policy changed the same way
 * (was and now differ), or whose `from` networks changed (sources; was
 * and now may then be equal). */
struct policydiff_run {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t lo, hi;
	enum policy_kind was, now;
	int sources;
};

typedef void (*policydiff_fn)(void *ctx, const struct policydiff_run *run);

/* Calls fn for every run, TCP first, by port; returns the number of runs.
 * A NULL database is one where every port is open. */
unsigned policydiff(const struct policy_db *was, const struct policy_db *now, policydiff_fn fn,
		    void *ctx);

/* How many ports of proto lo..hi have policy kind in db. */
unsigned policydiff_count(const struct policy_db *db, int proto, uint16_t lo, uint16_t hi,
			  enum policy_kind kind);

/* A digest of the `from` networks of the entry that governs proto/port in
 * db, whatever their order; 0 when it has none (or no entry covers it). */
uint64_t policydiff_sources(const struct policy_db *db, int proto, uint16_t port);

/* How many ports of proto lo..hi have policy kind and the sources whose
 * digest (policydiff_sources) is sources in db. */
unsigned policydiff_count_sources(const struct policy_db *db, int proto, uint16_t lo,
				  uint16_t hi, enum policy_kind kind, uint64_t sources);

/* "8000-8010/tcp" or "443/udp" */
void policydiff_format(const struct policydiff_run *run, char *buf, size_t cap);

#endif
