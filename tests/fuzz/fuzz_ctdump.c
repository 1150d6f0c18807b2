// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of a conntrack dump, every message
 * read for flows as `portwarden adopt` reads them. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctdump.h"
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
		struct ctdump_flow f;

		if (ctdump_msg(nlh, &f) != 1)
			continue;
		if ((f.family != AF_INET && f.family != AF_INET6) ||
		    (f.proto != IPPROTO_TCP && f.proto != IPPROTO_UDP) ||
		    (f.live && f.proto == IPPROTO_UDP && !f.answered))
			abort();
	}
	free(copy);
	return 0;
}
