// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of nfnetlink_log messages and the
 * ruleset events the daemon watches, walked as the daemon walks them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nflog.h"
#include "nlwalk.h"
#include "packet.h"
#include "watch.h"

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
		struct nflog_packet lp;
		struct packet_info pi;

		watch_event_is_foreign(nlh, 1);
		if (nflog_msg_parse(nlh, &lp) < 0)
			continue;
		if (strlen(lp.prefix) > size)
			abort();
		if (lp.payload)
			packet_parse(lp.payload, lp.len, &pi);
	}
	free(copy);
	return 0;
}
