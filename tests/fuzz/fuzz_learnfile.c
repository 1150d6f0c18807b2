// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the adoption window's state file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learnfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct learnfile lf, back;
	char *buf = malloc(size + 1), text[512];
	FILE *sink = fopen("/dev/null", "w");

	if (!buf || !sink)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (learnfile_parse("fuzz.state", buf, size, &lf, sink) == 0) {
		/* what parses is written back the same */
		int len = learnfile_format(&lf, text, sizeof(text));

		if (len <= 0 || (size_t)len >= sizeof(text) || lf.until < lf.started ||
		    learnfile_parse("again", text, (size_t)len, &back, sink) != 0 ||
		    back.started != lf.started || back.until != lf.until)
			abort();
	} else if (lf.started || lf.until) {
		abort();	/* a refused file leaves nothing half read */
	}
	fclose(sink);
	free(buf);
	return 0;
}
