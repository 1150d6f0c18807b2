// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of rtnetlink link and address
 * messages applied to the host's interface list one by one, as the daemon
 * applies events, the effective LAN computed whole and interface by
 * interface after each, and asked about an address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lan.h"
#include "lanwatch.h"
#include "nlwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src[16] = { 192, 168, 1, 7 };
	uint32_t *copy = malloc(size + NLWALK_SLACK);
	struct lan_host host = { 0 };
	struct lan lan = { 0 }, whole = { 0 };
	const struct nlmsghdr *nlh;
	struct config cfg;
	struct nlwalk w;
	unsigned i;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	config_defaults(&cfg);
	nlwalk_init(&w, copy, size);
	while ((nlh = nlwalk_next(&w))) {
		uint32_t ifindex = lanwatch_apply(nlh, &host);
		struct lan_iface e;
		int ret;

		if (!ifindex)
			continue;
		ret = lan_iface_compute(&host, &cfg, ifindex, &e);
		if (ret > 0)
			lan_iface_set(&lan, &e);
		else
			lan_iface_remove(&lan, ifindex);
	}
	for (i = 0; i < host.nlinks; i++) {
		if (!memchr(host.links[i].name, '\0', sizeof(host.links[i].name)))
			abort();
		if (i && host.links[i - 1].ifindex >= host.links[i].ifindex)
			abort();
	}
	lan_compute(&host, &cfg, &whole);
	/* one interface at a time ends where the whole ends */
	if (whole.nifaces != lan.nifaces)
		abort();
	for (i = 0; i < whole.nifaces; i++)
		if (!lan_iface_equal(&whole.ifaces[i], &lan.ifaces[i]))
			abort();
	lan_address_reason(&whole, AF_INET, src);
	lan_free(&whole);
	lan_free(&lan);
	lanhost_free(&host);
	free(copy);
	return 0;
}
