// SPDX-License-Identifier: GPL-2.0-or-later
/* Port-by-port differences between two policies. */
#include <netinet/in.h>
#include <stdio.h>

#include "policydiff.h"

static enum policy_kind kind_of(const struct policy_db *db, int proto, uint16_t port)
{
	return db ? policy_kind_of(db, proto, port) : POLICY_OPEN;
}

unsigned policydiff(const struct policy_db *was, const struct policy_db *now, policydiff_fn fn,
		    void *ctx)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned runs = 0, i, port;

	for (i = 0; i < 2; i++) {
		struct policydiff_run run = { .proto = protos[i] };
		int open = 0;

		for (port = 0; port <= 65536; port++) {
			enum policy_kind a = POLICY_OPEN, b = POLICY_OPEN;

			if (port < 65536) {
				a = kind_of(was, protos[i], (uint16_t)port);
				b = kind_of(now, protos[i], (uint16_t)port);
			}
			if (open && a == run.was && b == run.now && a != b) {
				run.hi = (uint16_t)port;
				continue;
			}
			if (open) {
				fn(ctx, &run);
				runs++;
				open = 0;
			}
			if (a != b) {
				run.lo = run.hi = (uint16_t)port;
				run.was = a;
				run.now = b;
				open = 1;
			}
		}
	}
	return runs;
}

unsigned policydiff_count(const struct policy_db *db, int proto, uint16_t lo, uint16_t hi,
			  enum policy_kind kind)
{
	unsigned n = 0, port;

	for (port = lo; port <= hi; port++)
		n += kind_of(db, proto, (uint16_t)port) == kind;
	return n;
}

void policydiff_format(const struct policydiff_run *run, char *buf, size_t cap)
{
	const char *proto = run->proto == IPPROTO_UDP ? "udp" : "tcp";

	if (run->lo == run->hi)
		snprintf(buf, cap, "%u/%s", run->lo, proto);
	else
		snprintf(buf, cap, "%u-%u/%s", run->lo, run->hi, proto);
}
