// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: both ends of the control socket read text from the
 * other: the daemon a command's request, a command the daemon's answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "daemonctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct control_expect v[CONTROL_EXPECT_MAX];
	struct daemonctl_answer a;
	char *text = malloc(size + 1);
	FILE *out = fopen("/dev/null", "w");
	unsigned n, i;

	if (!text || !out)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';	/* as ctlsock_recv hands it over */
	if (control_parse(text, v, &n, out) == 0)
		for (i = 0; i < n; i++)
			if (v[i].lo > v[i].hi || v[i].hi > 65535 || n > CONTROL_EXPECT_MAX)
				abort();
	if (daemonctl_parse(text, &a) == 0) {
		for (i = 0; i < a.nchecks; i++)
			if (a.checks[i].agree > a.checks[i].total)
				abort();
		daemonctl_answer_free(&a);
	}
	fclose(out);
	free(text);
	return 0;
}
