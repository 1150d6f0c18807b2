// SPDX-License-Identifier: GPL-2.0-or-later
/* The adoption window's state file: written, read back, refused when bad. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learnfile.h"

static unsigned parse(const char *text, struct learnfile *lf, char *errs, size_t cap)
{
	FILE *err = fmemopen(errs, cap, "w");
	char *copy = strdup(text);
	unsigned n;

	assert_non_null(err);
	assert_non_null(copy);
	n = learnfile_parse("adopt.state", copy, strlen(copy), lf, err);
	fclose(err);
	free(copy);
	return n;
}

static void learnfile__format_then_parse__same_times(void **state)
{
	struct learnfile lf = { 1764993600, 1765080000 }, back;
	char text[512], errs[256] = "", t[32];

	assert_true(learnfile_format(&lf, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "started = 2025-12-06T04:00:00Z\n"));
	assert_non_null(strstr(text, "until = 2025-12-07T04:00:00Z\n"));
	assert_int_equal(parse(text, &back, errs, sizeof(errs)), 0);
	assert_int_equal(back.started, lf.started);
	assert_int_equal(back.until, lf.until);
	learnfile_time_text(lf.until, t, sizeof(t));
	assert_string_equal(t, "2025-12-07T04:00:00Z");
}

static void learnfile__bad_inputs__each_reported_with_line(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "started = 2025-12-06T04:00:00Z\n", "adopt.state: needs both started and until" },
		{ "started = 2025-12-06 04:00\nuntil = 2025-12-07T04:00:00Z\n",
		  "adopt.state:1: started: expected a time as YYYY-MM-DDTHH:MM:SSZ" },
		{ "started = 2025-13-06T04:00:00Z\n", "adopt.state:1: started: expected a time" },
		{ "started = 2025-12-06T04:00:00Z\nstarted = 2025-12-06T04:00:00Z\n",
		  "adopt.state:2: started given twice" },
		{ "window = 1d\n", "adopt.state:1: unknown key \"window\"" },
		{ "just text\n", "adopt.state:1: expected \"key = value\"" },
		{ "started = 2025-12-07T04:00:00Z\nuntil = 2025-12-06T04:00:00Z\n",
		  "adopt.state: until comes before started" },
		{ "started = 2025-12-06T04:00:00Z\x01\n", "control character" },
	};
	struct learnfile lf;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char errs[512] = "";

		if (parse(cases[i].text, &lf, errs, sizeof(errs)) == 0 ||
		    !strstr(errs, cases[i].message))
			fail_msg("case %zu: expected \"%s\", got \"%s\"", i, cases[i].message, errs);
		assert_int_equal(lf.started, 0);
	}
}

static void learnfile_load__absent_present_and_bad(void **state)
{
	char path[] = "/tmp/pw-learnfile.XXXXXX";
	int fd = mkstemp(path);
	struct learnfile lf;
	FILE *sink = fopen("/dev/null", "w");

	assert_true(fd >= 0);
	assert_non_null(sink);
	assert_int_equal(write(fd, "nonsense\n", 9), 9);
	close(fd);
	/* present but bad: still a window (errors printed), times unknown */
	assert_int_equal(learnfile_load(path, &lf, sink), 1);
	assert_int_equal(lf.until, 0);
	unlink(path);
	assert_int_equal(learnfile_load(path, &lf, sink), 0);
	assert_int_equal(learnfile_load("", &lf, sink), 0);
	fclose(sink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(learnfile__format_then_parse__same_times),
		cmocka_unit_test(learnfile__bad_inputs__each_reported_with_line),
		cmocka_unit_test(learnfile_load__absent_present_and_bad),
	};

	return cmocka_run_group_tests_name("learnfile", tests, NULL, NULL);
}
