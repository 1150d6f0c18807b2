// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of chain and rule dumps read into the
 * model of other tables, then judged for a few first packets, as `audit`
 * and `why` do. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nlwalk.h"
#include "otherfw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src[16] = { 203, 0, 113, 7 }, locals[1][16] = { { 198, 51, 100, 1 } };
	uint32_t *copy = malloc(size + NLWALK_SLACK);
	const struct nlmsghdr *nlh;
	struct otherfw fw = { 0 };
	struct nlwalk w;
	unsigned i;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	nlwalk_init(&w, copy, size);
	while ((nlh = nlwalk_next(&w)))
		if (otherfw_add_msg(&fw, nlh) < 0)
			break;
	otherfw_finish(&fw);
	for (i = 0; i < 4; i++) {
		struct otherfw_query q = { i & 1 ? AF_INET6 : AF_INET, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
					   (uint16_t)(22 + i * 5410), i ? src : NULL, NULL, locals, 1 };
		struct otherfw_verdict v;
		char text[256];

		otherfw_judge(&fw, &q, &v);
		otherfw_text(&v, text, sizeof(text));
		if (v.result > OTHERFW_MAY_DROP || !memchr(text, '\0', sizeof(text)))
			abort();
	}
	otherfw_free(&fw);
	free(copy);
	return 0;
}
