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
	assert_non_null(strstr(out, "143/tcp  imap                     41"));
	assert_non_null(strstr(out, "2026-11-27         46"));
	assert_non_null(strstr(out, "kernel             45"));
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
	assert_non_null(strstr(run(&q), "22/tcp  ssh                       7"));
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
		cmocka_unit_test(logview_run__all__rotated_and_compressed_files_first),
	};

	return cmocka_run_group_tests_name("logview", tests, setup, teardown);
}
