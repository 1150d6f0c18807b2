// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "logscan.h"

#define T0 1795766400LL	/* 2026-11-27T08:00:00Z */
#define LINES 20000

static char dir[64], base[128];

static int line_at(char *buf, size_t cap, long long sec, unsigned i)
{
	time_t t = (time_t)sec;
	struct tm tm;

	gmtime_r(&t, &tm);
	return snprintf(buf, cap, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.000Z\",\"action\":\"blocked\","
			"\"proto\":\"tcp\",\"src\":\"198.51.100.%u\",\"sport\":1,\"dst\":\"198.51.100.1\","
			"\"dport\":%u,\"iif\":\"eth0\",\"service\":\"\",\"policy\":\"\",\"path\":\"queue\","
			"\"count\":1,\"listener\":\"\"}\n", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec, i % 250, i % 1000 + 1);
}

/* base: LINES lines, one every 10 s from T0; base.1: the day before;
 * base.2.gz: two days before */
static int setup(void **state)
{
	char path[160], line[512];
	unsigned i;
	FILE *f;
	gzFile gz;

	snprintf(dir, sizeof(dir), "/tmp/pw-logscan-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(base, sizeof(base), "%s/blocked.log", dir);
	f = fopen(base, "w");
	for (i = 0; i < LINES; i++) {
		line_at(line, sizeof(line), T0 + 10LL * i, i);
		fputs(line, f);
		if (i == 777)
			fputs("a corrupt line in the middle\n", f);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s.1", base);
	f = fopen(path, "w");
	for (i = 0; i < 100; i++) {
		line_at(line, sizeof(line), T0 - 86400 + 60LL * i, i);
		fputs(line, f);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s.2.gz", base);
	gz = gzopen(path, "wb");
	for (i = 0; i < 100; i++) {
		line_at(line, sizeof(line), T0 - 2 * 86400 + 60LL * i, i);
		gzputs(gz, line);
	}
	gzclose(gz);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

struct tally {
	unsigned long n;
	int64_t first, last;
	int ordered;
};

static void count(void *ctx, const struct log_record *r, const char *line, size_t len)
{
	struct tally *t = ctx;

	(void)line;
	(void)len;
	if (!t->n)
		t->first = r->ts_ms;
	else if (r->ts_ms < t->last)
		t->ordered = 0;
	t->last = r->ts_ms;
	t->n++;
}

static struct tally scan(int all, int64_t since, int64_t until)
{
	struct tally t = { 0, 0, 0, 1 };
	struct logscan s;

	assert_int_equal(logscan_open(&s, base, all), 0);
	assert_int_equal(logscan_run(&s, since, until, count, &t), 0);
	logscan_close(&s);
	return t;
}

/* every line at or after since, none before, whichever part of the file
 * it is in; the corrupt line costs nothing */
static void logscan_seek__since__exactly_the_lines_after(void **state)
{
	static const unsigned at[] = { 0, 1, 776, 777, 778, 9999, 19998, 19999 };
	unsigned i;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		int64_t since = (T0 + 10LL * at[i]) * 1000;
		struct tally t = scan(0, since, 0);

		assert_int_equal(t.n, LINES - at[i]);
		assert_int_equal(t.first, since);
		assert_true(t.ordered);
	}
	assert_int_equal(scan(0, (T0 + 10LL * LINES) * 1000, 0).n, 0);
}

/* the search reads a few blocks, not the file: its answer is a line start
 * at most the allowed slack and two lines' worth before the first line */
static void logscan_seek__offset__line_start_just_before(void **state)
{
	char *buf = malloc(1 << 20), line[512];
	int fd = open(base, O_RDONLY);
	struct stat st;
	off_t first = 0, got;
	unsigned i, target = 12345;
	int64_t since = (T0 + 10LL * target) * 1000;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	for (i = 0; i < target; i++)
		first += line_at(line, sizeof(line), T0 + 10LL * i, i) + (i == 777 ? 29 : 0);
	got = logscan_seek(fd, st.st_size, since, buf);
	assert_true(got <= first);
	assert_true(first - got <= 4 * LOGSCAN_LINE_MAX);
	assert_int_equal(pread(fd, line, 1, got - 1), 1);
	assert_int_equal(line[0], '\n');
	close(fd);
	free(buf);
}

static void logscan_run__until__stops_and_rotated_files_in_order(void **state)
{
	struct tally t = scan(1, 0, 0);

	assert_int_equal(t.n, LINES + 200);
	assert_true(t.ordered);
	assert_int_equal(t.first, (T0 - 2 * 86400) * 1000);
	/* since in the current file: the rotated ones are skipped whole, and
	 * the answer is the same as from the current file alone */
	t = scan(1, (T0 + 100) * 1000, 0);
	assert_int_equal(t.n, LINES - 10);
	/* until: the callback sees nothing much past it */
	t = scan(1, 0, (T0 - 86400 + 600) * 1000);
	assert_true(t.last < (T0 - 86400 + 600) * 1000 + LOGSCAN_SLACK_MS + 60000);
	assert_true(t.n >= 110);
}

/* a second pass reads what the first read, even when the file grew */
static void logscan_run__second_pass__same_lines(void **state)
{
	struct tally a = { 0, 0, 0, 1 }, b = { 0, 0, 0, 1 };
	char line[512];
	struct logscan s;
	FILE *f;

	assert_int_equal(logscan_open(&s, base, 1), 0);
	assert_int_equal(logscan_run(&s, 0, 0, count, &a), 0);
	assert_int_equal(s.corrupt, 1);
	f = fopen(base, "a");
	line_at(line, sizeof(line), T0 + 10LL * LINES, LINES);
	fputs(line, f);
	fclose(f);
	assert_int_equal(logscan_run(&s, 0, 0, count, &b), 0);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.last, b.last);
	assert_int_equal(s.corrupt, 1);
	logscan_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(logscan_seek__since__exactly_the_lines_after),
		cmocka_unit_test(logscan_seek__offset__line_start_just_before),
		cmocka_unit_test(logscan_run__until__stops_and_rotated_files_in_order),
		cmocka_unit_test(logscan_run__second_pass__same_lines),
	};

	return cmocka_run_group_tests_name("logscan", tests, setup, teardown);
}
