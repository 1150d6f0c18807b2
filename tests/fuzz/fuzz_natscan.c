// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of a rule dump, every message read
 * for published ports as the daemon and `audit` read them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "natscan.h"
#include "nlwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *copy = malloc(size + NLWALK_SLACK);
	const struct nlmsghdr *nlh;
	struct nlwalk w;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	nlwalk_init(&w, copy, size);
	while ((nlh = nlwalk_next(&w))) {
		struct natscan_entry e;
		struct natscan_list l = { &e, 1, 0, 1 };
		char text[80];

		if (natscan_msg(nlh, &e) != 1)
			continue;
		if (e.port_lo > e.port_hi || (e.family != 2 && e.family != 10))
			abort();
		natscan_target_text(&e, text, sizeof(text));
		if (natscan_find(&l, e.family, e.proto, e.port_lo, e.daddr) != &e)
			abort();
		natscan_target_port(&e, e.port_hi);
	}
	free(copy);
	return 0;
}
