// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: `portwarden zone` editing a portwarden.conf text: a
 * key set and removed again, and the result read back by the config
 * parser, which must find the key exactly as set. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confedit.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct confedit set, removed;
	FILE *sink = fopen("/dev/null", "w");
	const struct config_zone *z;
	struct config cfg;

	if (!sink)
		abort();
	if (confedit_set((const char *)data, size, "zone.fz0", "public", "fuzz", &set) < 0)
		abort();
	if (strlen(set.text) > set.len || !set.line)
		abort();
	if (confedit_set(set.text, set.len, "zone.fz0", NULL, NULL, &removed) < 0)
		abort();
	if (memmem(removed.text, removed.len, "\nzone.fz0 = ", 12) || removed.line)
		abort();
	config_defaults(&cfg);
	config_load_buf(&cfg, "fuzz.conf", set.text, set.len, sink);
	/* a line with a NUL or a byte no line may hold is skipped whole, so
	 * only text the parser reads says where the key is */
	z = config_zone_of(&cfg, "fz0");
	if (z && strcmp(z->name, "fz0") == 0 && z->zone != ZONE_PUBLIC)
		abort();
	free(set.text);
	free(removed.text);
	fclose(sink);
	return 0;
}
