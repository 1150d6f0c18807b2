// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the portwarden.conf parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char *buf = malloc(size + 1);
	FILE *sink = fopen("/dev/null", "w");

	if (!buf || !sink)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	config_defaults(&cfg);
	config_load_buf(&cfg, "fuzz.conf", buf, size, sink);
	if (cfg.nlan_nets > CONFIG_LIST_MAX || cfg.nlan_ifaces > CONFIG_LIST_MAX ||
	    cfg.nwan_ifaces > CONFIG_LIST_MAX || cfg.nprivate_nets > CONFIG_LIST_MAX ||
	    cfg.nzones > CONFIG_ZONES_MAX || memchr(cfg.log_file, '\0', sizeof(cfg.log_file)) == NULL)
		abort();
	for (unsigned i = 0; i < cfg.nzones; i++)
		if (!memchr(cfg.zones[i].name, '\0', IFNAMSIZ) ||
		    config_zone_of(&cfg, cfg.zones[i].name) != &cfg.zones[i] ||
		    cfg.zones[i].zone == ZONE_AUTO)
			abort();
	fclose(sink);
	free(buf);
	return 0;
}
