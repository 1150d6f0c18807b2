// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "json.h"

static void json_escape__quotes_backslash_controls__escaped(void **state)
{
	char out[128];

	assert_int_equal(json_escape(out, sizeof(out), "a\"b\\c\n\x01\x7f"), 25);
	assert_string_equal(out, "a\\\"b\\\\c\\u000a\\u0001\\u007f");
}

static void json_escape__utf8__passed_through(void **state)
{
	char out[32];

	assert_true(json_escape(out, sizeof(out), "caf\xc3\xa9") > 0);
	assert_string_equal(out, "caf\xc3\xa9");
}

static void json_escape__too_small__refused_without_overflow(void **state)
{
	char out[8];

	memset(out, 'X', sizeof(out));
	assert_int_equal(json_escape(out, 4, "\"\"\""), -1);
	assert_int_equal(out[4], 'X');
	assert_int_equal(json_escape(out, 4, "abcd"), -1);
	assert_int_equal(json_escape(out, 5, "abcd"), 4);
}

static void json_object__nested__well_formed(void **state)
{
	char buf[256];
	struct json j;

	json_begin(&j, buf, sizeof(buf));
	json_str(&j, "iif", "eth\"0");
	json_uint(&j, "dport", 143);
	json_open(&j, "list", '[');
	json_open(&j, NULL, '{');
	json_str(&j, "a", "b");
	json_close(&j, '}');
	json_open(&j, NULL, '{');
	json_close(&j, '}');
	json_close(&j, ']');
	json_str(&j, "z", "");
	assert_true(json_end(&j) > 0);
	assert_string_equal(buf, "{\"iif\":\"eth\\\"0\",\"dport\":143,\"list\":[{\"a\":\"b\"},{}],\"z\":\"\"}\n");
}

static void json_object__too_small__marked_truncated(void **state)
{
	char buf[16];
	struct json j;

	json_begin(&j, buf, sizeof(buf));
	json_str(&j, "key", "a long value that cannot fit");
	assert_int_equal(json_end(&j), -1);
	assert_true(strlen(buf) < sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_escape__quotes_backslash_controls__escaped),
		cmocka_unit_test(json_escape__utf8__passed_through),
		cmocka_unit_test(json_escape__too_small__refused_without_overflow),
		cmocka_unit_test(json_object__nested__well_formed),
		cmocka_unit_test(json_object__too_small__marked_truncated),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
