// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of rtnetlink link and address
 * messages, read into the host's interface list as the daemon reads a dump,
 * then the effective LAN computed from it and asked about a packet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lan.h"
#include "lanwatch.h"
#include "nlwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lan_host host;
	static struct lan lan;
	static const uint8_t src[16] = { 192, 168, 1, 7 }, dst[16] = { 224, 0, 0, 251 };
	uint32_t *copy = malloc(size + NLWALK_SLACK);
	const struct nlmsghdr *nlh;
	struct config cfg;
	struct nlwalk w;
	unsigned i;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	memset(&host, 0, sizeof(host));
	nlwalk_init(&w, copy, size);
	while ((nlh = nlwalk_next(&w)))
		lanwatch_parse(nlh, &host);
	if (host.nlinks > LAN_LINKS_MAX || host.naddrs > LAN_ADDRS_MAX)
		abort();
	for (i = 0; i < host.nlinks; i++)
		if (!memchr(host.links[i].name, '\0', sizeof(host.links[i].name)))
			abort();
	config_defaults(&cfg);
	lan_compute(&host, &cfg, &lan);
	if (lan.nparts > LAN_PARTS_MAX)
		abort();
	for (i = 0; i < host.nlinks; i++)
		lan_source_reason(&lan, i % 2 ? AF_INET6 : AF_INET, src, dst, host.links[i].name);
	free(copy);
	return 0;
}
