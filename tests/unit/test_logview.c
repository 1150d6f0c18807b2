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
#include <zlib.h>

#include "logview.h"

#define LINE(ts, src, port, svc, path, count) \
	"{\"ts\":\"" ts "\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"" src "\"," \
	"\"sport\":1,\"dst\":\"198.51.100.1\",\"dport\":" #port ",\"iif\":\"eth0\"," \
	"\"service\":\"" svc "\",\"policy\":\"loopback-only\",\"path\":\"" path "\"," \
	"\"count\":" #count ",\"listener\":\"\"}\n"

static char dir[64], base[128];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char path[160];
	gzFile gz;

	snprintf(dir, sizeof(dir), "/tmp/pw-logview-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(base, sizeof(base), "%s/blocked.log", dir);
	write_file(base,
		   LINE("2026-11-26T23:59:59.000Z", "198.51.100.2", 143, "imap", "queue", 1)
		   LINE("2026-11-27T08:00:00.000Z", "198.51.100.2", 143, "imap", "kernel", 40)
		   "this line is corrupt\n"
		   LINE("2026-11-27T09:00:00.000Z", "2001:db8::7", 110, "pop3", "queue", 1)
		   LINE("2026-11-27T10:00:00.000Z", "192.0.2.9", 3306, "mysql", "kernel", 5)
		   "{\"ts\":\"2026-11-27T10:00:01.000Z\",\"action\":\"blo");
	snprintf(path, sizeof(path), "%s.1", base);
	write_file(path, LINE("2026-11-25T10:00:00.000Z", "203.0.113.5", 143, "imap", "queue", 2));
	snprintf(path, sizeof(path), "%s.2.gz", base);
	gz = gzopen(path, "wb");
	gzputs(gz, LINE("2026-11-24T10:00:00.000Z", "203.0.113.6", 22, "ssh", "queue", 7));
	gzclose(gz);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static char *run(const struct logview_query *q)
{
	static char out[65536];
	FILE *f = fmemopen(out, sizeof(out), "w");

	memset(out, 0, sizeof(out));
	assert_int_equal(logview_run(q, base, f), 0);
	fclose(f);
	return out;
}

static unsigned lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void logview_run__json__valid_lines_only(void **state)
{
	struct logview_query q;

	logview_query_init(&q);
	q.json = 1;
	assert_int_equal(lines(run(&q)), 4);
}

static void logview_run__port_filter__matching_only(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.json = 1;
	q.port = 143;
	out = run(&q);
	assert_int_equal(lines(out), 2);
	assert_null(strstr(out, "\"dport\":110"));
}

static void logview_run__source_cidr__ipv4_and_ipv6(void **state)
{
	struct logview_query q;

	logview_query_init(&q);
	q.json = 1;
	q.have_source = 1;
	assert_int_equal(config_parse_net("198.51.100.0/24", &q.source), 0);
	assert_int_equal(lines(run(&q)), 2);
	assert_int_equal(config_parse_net("2001:db8::/32", &q.source), 0);
	assert_int_equal(lines(run(&q)), 1);
}

static void logview_run__since_until__half_open_interval(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.json = 1;
	assert_int_equal(logline_parse_when("2026-11-27", 0, &q.since_ms), 0);
	assert_int_equal(logline_parse_when("2026-11-27T10:00:00Z", 0, &q.until_ms), 0);
	out = run(&q);
	assert_int_equal(lines(out), 2);
	assert_non_null(strstr(out, "08:00:00"));
	assert_non_null(strstr(out, "09:00:00"));
}

static void logview_run__table__header_and_rows(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.service = "mysql";
	out = run(&q);
	assert_non_null(strstr(out, "TIME (UTC)"));
	assert_non_null(strstr(out, "2026-11-27 10:00:00  192.0.2.9"));
	assert_non_null(strstr(out, "3306/tcp"));
	assert_int_equal(lines(out), 2);
}

static void logview_run__summary__totals(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.summary = 1;
	out = run(&q);
	assert_non_null(strstr(out, "47 blocked attempts in 4 log lines"));
	assert_non_null(strstr(out, "143/tcp   imap              loopback-only          41          40           1"));
	assert_non_null(strstr(out, "kernel                    45"));
}

/* most attempts first, not by port number */
static void logview_run__summary__ports_by_count(void **state)
{
	struct logview_query q;
	char *out, *p143, *p3306, *p110;

	logview_query_init(&q);
	q.summary = 1;
	out = run(&q);
	p143 = strstr(out, "143/tcp");
	p3306 = strstr(out, "3306/tcp");
	p110 = strstr(out, "110/tcp");
	assert_non_null(p143);
	assert_non_null(p3306);
	assert_non_null(p110);
	assert_true(p143 < p3306 && p3306 < p110);
}

/* the file spans ten hours: hour by hour, quiet hours too */
static void logview_run__summary_under_three_days__hourly(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.summary = 1;
	out = run(&q);
	assert_non_null(strstr(out, "by hour (UTC):"));
	assert_non_null(strstr(out, "2026-11-26 23:00           1"));
	assert_non_null(strstr(out, "2026-11-27 03:00           0"));
	assert_non_null(strstr(out, "2026-11-27 08:00          40"));
	assert_non_null(strstr(out, "2026-11-27 10:00           5"));
	assert_null(strstr(out, "by day"));
	/* with the rotated files the range is four days: by day */
	q.all = 1;
	out = run(&q);
	assert_non_null(strstr(out, "by day (UTC):"));
	assert_non_null(strstr(out, "2026-11-24                 7"));
	assert_non_null(strstr(out, "2026-11-27                46"));
	assert_null(strstr(out, "by hour"));
}

static void logview_run__summary__ipv6_by_64(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.summary = 1;
	out = run(&q);
	assert_non_null(strstr(out, "2001:db8::/64"));
	assert_null(strstr(out, "2001:db8::7"));
}

/* five hours west of UTC, the line of 23:59:59 UTC is on the 26th at
 * 18:59:59, and the one of 08:00 at 03:00 */
static void logview_run__local_time__rows_and_hours_moved(void **state)
{
	struct logview_query q;
	char *out;

	setenv("TZ", "EST5", 1);
	tzset();
	logview_query_init(&q);
	q.local_time = 1;
	out = run(&q);
	assert_non_null(strstr(out, "TIME (local)"));
	assert_non_null(strstr(out, "2026-11-26 18:59:59  198.51.100.2"));
	q.summary = 1;
	out = run(&q);
	assert_non_null(strstr(out, "by hour (local time):"));
	assert_non_null(strstr(out, "2026-11-27 03:00          40"));
	unsetenv("TZ");
	tzset();
}

static void logview_run__summary_json__counts_sorted_and_timeline(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.summary = 1;
	q.json = 1;
	out = run(&q);
	assert_non_null(strstr(out, "\"lines\":4,\"attempts\":47"));
	assert_non_null(strstr(out, "\"ports\":[{\"port\":143,\"proto\":\"tcp\",\"service\":\"imap\""));
	assert_non_null(strstr(out, "\"count\":41,"));
	assert_non_null(strstr(out, "\"timeline\":{\"unit\":\"hour\",\"hours\":1,\"buckets\":"));
	assert_non_null(strstr(out, "{\"key\":\"2026-11-27 08:00\",\"count\":40}"));
	assert_non_null(strstr(out, "\"key\":\"2001:db8::/64\",\"count\":1,\"error\":0"));
	assert_non_null(strstr(out, "\"sources_approximate\":false"));
}

static void logview_run__all__rotated_and_compressed_files_first(void **state)
{
	struct logview_query q;
	char *out;

	logview_query_init(&q);
	q.json = 1;
	q.all = 1;
	out = run(&q);
	assert_int_equal(lines(out), 6);
	assert_true(strstr(out, "2026-11-24") < strstr(out, "2026-11-25"));
	assert_true(strstr(out, "2026-11-25") < strstr(out, "2026-11-26"));
	q.json = 0;
	q.summary = 1;
	assert_non_null(strstr(run(&q), "22/tcp   ssh               loopback-only           7           0           7"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(logview_run__json__valid_lines_only),
		cmocka_unit_test(logview_run__port_filter__matching_only),
		cmocka_unit_test(logview_run__source_cidr__ipv4_and_ipv6),
		cmocka_unit_test(logview_run__since_until__half_open_interval),
		cmocka_unit_test(logview_run__table__header_and_rows),
		cmocka_unit_test(logview_run__summary__totals),
		cmocka_unit_test(logview_run__summary__ports_by_count),
		cmocka_unit_test(logview_run__summary_under_three_days__hourly),
		cmocka_unit_test(logview_run__summary__ipv6_by_64),
		cmocka_unit_test(logview_run__local_time__rows_and_hours_moved),
		cmocka_unit_test(logview_run__summary_json__counts_sorted_and_timeline),
		cmocka_unit_test(logview_run__all__rotated_and_compressed_files_first),
	};

	return cmocka_run_group_tests_name("logview", tests, setup, teardown);
}
