// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the reader of local.rules' history (reset's way back),
 * and what it writes back: read again, the same records. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history h, back;
	size_t len;
	char *text;
	unsigned i;

	if (history_parse((const char *)data, size, &h) < 0)
		return 0;
	text = history_format(&h, &len);
	if (!text)
		abort();
	if (history_parse(text, len, &back) < 0 || back.n != h.n)
		abort();
	for (i = 0; i < h.n; i++)
		if (strcmp(h.v[i].spec, back.v[i].spec) || strcmp(h.v[i].before, back.v[i].before) ||
		    strcmp(h.v[i].after, back.v[i].after) || h.v[i].when != back.v[i].when)
			abort();
	free(text);
	history_free(&h);
	history_free(&back);
	return 0;
}
