// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "logline.h"

static const char good[] =
	"{\"ts\":\"2026-11-27T08:50:53.032Z\",\"action\":\"blocked\",\"proto\":\"tcp\","
	"\"src\":\"198.51.100.2\",\"sport\":51554,\"dst\":\"198.51.100.1\",\"dport\":143,"
	"\"iif\":\"h-inet\",\"service\":\"imap\",\"policy\":\"loopback-only\",\"path\":\"queue\","
	"\"count\":1,\"listener\":\"socat[15939]\"}";

static void logline_parse__written_line__every_field(void **state)
{
	struct log_record r;

	assert_int_equal(logline_parse(good, strlen(good), &r), 0);
	assert_string_equal(r.action, "blocked");
	assert_string_equal(r.src, "198.51.100.2");
	assert_int_equal(r.dport, 143);
	assert_int_equal(r.sport, 51554);
	assert_string_equal(r.iif, "h-inet");
	assert_string_equal(r.listener, "socat[15939]");
	assert_int_equal(r.count, 1);
	assert_int_equal(r.ts_ms, 1795769453032LL);
}

static void logline_parse__escapes__decoded(void **state)
{
	const char *line = "{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\","
			   "\"src\":\"::1\",\"dport\":1,\"count\":2,"
			   "\"iif\":\"e\\\"t\\\\h\\u0001\\n\",\"listener\":\"a\\/b\"}";
	struct log_record r;

	assert_int_equal(logline_parse(line, strlen(line), &r), 0);
	assert_string_equal(r.iif, "e\"t\\h\x01\n");
	assert_string_equal(r.listener, "a/b");
}

static void logline_parse__corrupt__refused(void **state)
{
	static const char *bad[] = {
		"",
		"{",
		"{}",
		"not json",
		"{\"ts\":\"2026-11-27T08:50:53.032Z\",\"action\":\"blocked\"",	/* torn */
		"{\"ts\":\"yesterday\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":1,\"count\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":70000,\"count\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":-1,\"count\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":1,\"count\":1} trailing",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":1,\"count\":99999999999999999999999}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"\\x\",\"dport\":1,\"count\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"\\u12\",\"dport\":1,\"count\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"0123456789012345678901234567890123456789012345678901234567\",\"dport\":1,\"count\":1}",
		"{\"ts\":\"2026-11-27T00:00:00Z\",\"action\":\"blocked\",\"proto\":\"tcp\",\"src\":\"x\",\"dport\":1,\"count\":1,\"extra\":[1]}",
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct log_record r;

		if (logline_parse(bad[i], strlen(bad[i]), &r) == 0)
			fail_msg("case %u accepted: %s", i, bad[i]);
	}
}

static void logline_parse__truncated_anywhere__refused_without_overread(void **state)
{
	size_t n, len = strlen(good);

	for (n = 0; n < len; n++) {
		struct log_record r;

		assert_int_equal(logline_parse(good, n, &r), -1);
	}
}

static void logline_parse_rfc3339__forms__same_instant(void **state)
{
	int64_t a, b, c, d;

	assert_int_equal(logline_parse_rfc3339("2026-11-27T08:00:00Z", 20, &a), 0);
	assert_int_equal(logline_parse_rfc3339("2026-11-27T09:30:00+01:30", 25, &b), 0);
	assert_int_equal(logline_parse_rfc3339("2026-11-27 08:00:00", 19, &c), 0);
	assert_int_equal(logline_parse_rfc3339("2026-11-27T03:00:00-05:00", 25, &d), 0);
	assert_true(a == b && b == c && c == d);
	assert_int_equal(a, 1795766400000LL);
	assert_int_equal(logline_parse_rfc3339("1970-01-01T00:00:00.5Z", 22, &a), 0);
	assert_int_equal(a, 500);
	assert_int_equal(logline_parse_rfc3339("2024-02-29T00:00:00Z", 20, &a), 0);
	assert_int_equal(a, 1709164800000LL);
	assert_int_equal(logline_parse_rfc3339("2026-13-01T00:00:00Z", 20, &a), -1);
	assert_int_equal(logline_parse_rfc3339("2026-11-27T25:00:00Z", 20, &a), -1);
	assert_int_equal(logline_parse_rfc3339("2026-11-27T08:00:00+0100", 24, &a), -1);
}

static void logline_parse_when__relative_date_and_time(void **state)
{
	const time_t now = 1795766400;	/* 2026-11-27T08:00:00Z */
	int64_t ms;

	assert_int_equal(logline_parse_when("1h", now, &ms), 0);
	assert_int_equal(ms, (now - 3600) * 1000LL);
	assert_int_equal(logline_parse_when("2d", now, &ms), 0);
	assert_int_equal(ms, (now - 2 * 86400) * 1000LL);
	assert_int_equal(logline_parse_when("90s", now, &ms), 0);
	assert_int_equal(ms, (now - 90) * 1000LL);
	assert_int_equal(logline_parse_when("1w", now, &ms), 0);
	assert_int_equal(logline_parse_when("2026-11-27", now, &ms), 0);
	assert_int_equal(ms, 1795737600000LL);
	assert_int_equal(logline_parse_when("2026-11-27T08:00:00Z", now, &ms), 0);
	assert_int_equal(ms, now * 1000LL);
	assert_int_equal(logline_parse_when("h", now, &ms), -1);
	assert_int_equal(logline_parse_when("3y", now, &ms), -1);
	assert_int_equal(logline_parse_when("yesterday", now, &ms), -1);
	assert_int_equal(logline_parse_when("", now, &ms), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(logline_parse__written_line__every_field),
		cmocka_unit_test(logline_parse__escapes__decoded),
		cmocka_unit_test(logline_parse__corrupt__refused),
		cmocka_unit_test(logline_parse__truncated_anywhere__refused_without_overread),
		cmocka_unit_test(logline_parse_rfc3339__forms__same_instant),
		cmocka_unit_test(logline_parse_when__relative_date_and_time),
	};

	return cmocka_run_group_tests_name("logline", tests, NULL, NULL);
}
