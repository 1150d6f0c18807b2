// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the log-line reader of `portwarden log`.  The fast
 * path for the daemon's own layout must answer as the general parser
 * does, for every input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SAME_STR(f) (!strcmp(a.f, b.f))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct log_record a, b;
	int ra, rb;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	ra = logline_parse(copy, size, &a);
	rb = logline_parse_any(copy, size, &b);
	if (ra != rb)
		abort();
	if (ra == 0) {
		if (memchr(a.src, '\0', sizeof(a.src)) == NULL || a.dport > 65535)
			abort();
		if (!SAME_STR(ts) || !SAME_STR(action) || !SAME_STR(proto) || !SAME_STR(src) ||
		    !SAME_STR(dst) || !SAME_STR(iif) || !SAME_STR(service) || !SAME_STR(policy) ||
		    !SAME_STR(path) || !SAME_STR(listener) || !SAME_STR(nat_dst) ||
		    a.ts_ms != b.ts_ms || a.sport != b.sport || a.dport != b.dport ||
		    a.count != b.count || a.nat_dport != b.nat_dport)
			abort();
	}
	free(copy);
	return 0;
}
