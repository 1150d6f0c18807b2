// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

#define LINE(ts, src, port, svc, count) \
	"{\"ts\":\"" ts "\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"" src "\"," \
	"\"sport\":1,\"dst\":\"198.51.100.1\",\"dport\":" #port ",\"iif\":\"eth0\"," \
	"\"service\":\"" svc "\",\"policy\":\"loopback-only\",\"path\":\"queue\"," \
	"\"count\":" #count ",\"listener\":\"\"}\n"

static char path[64];

static int setup(void **state)
{
	int fd;
	static const char text[] =
		LINE("2026-11-27T08:10:00.000Z", "198.51.100.2", 143, "imap", 3)
		LINE("2026-11-27T09:10:00.000Z", "2001:db8:1:2::9", 6379, "<b>red</b>&\\\"is'", 2)
		LINE("2026-11-27T09:20:00.000Z", "2001:db8:1:2::10", 6379, "<b>red</b>&\\\"is'", 2)
		LINE("2026-11-27T11:10:00.000Z", "198.51.100.3", 3306, "mysql", 1);

	snprintf(path, sizeof(path), "/tmp/pw-report-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	return unlink(path);
}

static char *render(int text, struct report *r, struct logview_query *q)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	logview_query_init(q);
	assert_int_equal(report_collect(r, q, path), 0);
	r->audit_note = "no audit here";
	if (text)
		report_text(f, r);
	else
		report_html(f, r);
	fclose(f);
	return buf;
}

static unsigned occurrences(const char *s, const char *needle)
{
	unsigned n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void report_html__three_ports__three_series_one_bar_each_hour(void **state)
{
	struct logview_query q;
	struct report r;
	char *html = render(0, &r, &q);

	assert_int_equal(occurrences(html, "<path class=\"series\""), 3);
	assert_int_equal(r.axis.hours, 1);
	assert_int_equal(r.axis.n, 4);	/* 08:00 to 11:00 */
	assert_int_equal(r.series[0].port, 6379);	/* most attempts first */
	assert_int_equal(r.series[0].counts[1], 4);
	assert_int_equal(r.totals[1], 4);
	assert_int_equal(r.totals[2], 0);
	assert_non_null(strstr(html, "<tr data-key=\"2001:db8:1:2::/64\" data-count=\"4\""));
	assert_non_null(strstr(html, "<tr data-key=\"143/tcp\" data-count=\"3\""));
	report_free(&r);
	free(html);
}

/* a service name from the log cannot open a tag, and the page names no
 * address to fetch and holds no script */
static void report_html__hostile_text__escaped_and_nothing_fetched(void **state)
{
	struct logview_query q;
	struct report r;
	char *html = render(0, &r, &q);

	assert_null(strstr(html, "<b>red"));
	assert_non_null(strstr(html, "&lt;b&gt;red&lt;/b&gt;&amp;&quot;is&#39;"));
	assert_null(strstr(html, "http"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href="));
	report_free(&r);
	free(html);
}

static void report_text__sparklines__one_row_per_port(void **state)
{
	struct logview_query q;
	struct report r;
	char *text = render(1, &r, &q);

	/* 6379's four attempts in the second hour are the tallest cell */
	assert_non_null(strstr(text, "all ports                \u2586\u2588 \u2582 8\n"));
	assert_non_null(strstr(text, "6379/tcp <b>red</b>&\"is'  \u2588   4\n"));
	assert_non_null(strstr(text, "no audit here"));
	report_free(&r);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_html__three_ports__three_series_one_bar_each_hour),
		cmocka_unit_test(report_html__hostile_text__escaped_and_nothing_fetched),
		cmocka_unit_test(report_text__sparklines__one_row_per_port),
	};

	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
