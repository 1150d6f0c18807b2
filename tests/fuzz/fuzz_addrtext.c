// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: addresses in log lines, read as inet_pton reads them. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addrtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	uint8_t mine[16], theirs[16];
	int family, want;
	size_t len;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);	/* inet_pton stops at a NUL */
	family = addrtext_parse(text, len, mine);
	if (memchr(text, ':', len))
		want = inet_pton(AF_INET6, text, theirs) == 1 ? AF_INET6 : 0;
	else
		want = inet_pton(AF_INET, text, theirs) == 1 ? AF_INET : 0;
	if (family != want || (family && memcmp(mine, theirs, family == AF_INET ? 4 : 16)))
		abort();
	free(text);
	return 0;
}
