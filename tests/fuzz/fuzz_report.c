// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a whole log file of any content through `log
 * --summary` (text and JSON) and `report` (HTML and text): the reader,
 * the seek, the summary and every writer of untrusted text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("blocked.log", MFD_CLOEXEC);
	FILE *sink = fopen("/dev/null", "w");
	struct logview_query q;
	struct report r;
	char path[64];

	if (fd < 0 || !sink || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	logview_query_init(&q);
	q.now_ms = 1795766400000LL;
	/* the first byte picks a range, so that seeks and the hourly and
	 * daily axes are all reached */
	if (size && data[0] & 1)
		q.since_ms = 1795766400000LL - (int64_t)(data[0] >> 1) * 3600000;
	if (size && data[0] & 2)
		q.until_ms = 1795766400000LL + 3600000;
	if (report_collect(&r, &q, path) >= 0) {
		r.audit_note = "none";
		report_html(sink, &r);
		report_text(sink, &r);
		logview_print_summary(sink, r.sum, 10);
		logview_print_summary_json(sink, r.sum, 10);
	}
	report_free(&r);
	fclose(sink);
	close(fd);
	return 0;
}
