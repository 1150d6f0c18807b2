// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the log-line reader of `portwarden log`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct log_record r;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (logline_parse(copy, size, &r) == 0 &&
	    (memchr(r.src, '\0', sizeof(r.src)) == NULL || r.dport > 65535))
		abort();
	free(copy);
	return 0;
}
