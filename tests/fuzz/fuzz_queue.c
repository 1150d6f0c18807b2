// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of NFQUEUE netlink messages, walked
 * as the worker walks it, each packet handed to the header parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nlwalk.h"
#include "packet.h"
#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* netlink buffers are 4-byte aligned; keep the copy exact in size */
	uint32_t *copy = malloc(size + 4);
	const struct nlmsghdr *nlh;
	struct nlwalk w;

	if (!copy || size > 1 << 20)
		goto out;
	memcpy(copy, data, size);
	nlwalk_init(&w, copy, size);
	while ((nlh = nlwalk_next(&w))) {
		struct queue_packet qp;
		struct packet_info pi;

		if (queue_msg_parse(nlh, &qp) == 0 && qp.payload) {
			if ((const uint8_t *)qp.payload + qp.len > (const uint8_t *)copy + size)
				abort();
			packet_parse(qp.payload, qp.len, &pi);
		}
	}
out:
	free(copy);
	return 0;
}
