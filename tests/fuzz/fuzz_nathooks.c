// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of a chain dump, every message read
 * for nat chains as the daemon reads it; the same bytes as a legacy
 * iptables table list. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nathooks.h"
#include "nlwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *copy = malloc(size + NLWALK_SLACK);
	const struct nlmsghdr *nlh;
	struct nlwalk w;
	int r;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	nlwalk_init(&w, copy, size);
	while ((nlh = nlwalk_next(&w)))
		if ((r = nathooks_chain_msg(nlh)) != 0 && r != 1)
			abort();
	r = nathooks_legacy_names((const char *)data, size);
	if (r != 0 && r != 1)
		abort();
	free(copy);
	return 0;
}
