// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "json.h"
#include "safetext.h"

static void safetext__terminal_controls__escaped(void **state)
{
	char buf[128];

	/* ESC [2J clears the screen; CR rewrites the line; C1 CSI (U+009B) */
	assert_string_equal(safetext(buf, sizeof(buf), "a\x1b[2Jb\rc\xc2\x9b" "1m"),
			    "a\\x1b[2Jb\\x0dc\\u009b1m");
	assert_string_equal(safetext(buf, sizeof(buf), "tab\there\x7f"), "tab\\x09here\\x7f");
}

static void safetext__bidi_overrides__escaped(void **state)
{
	char buf[128];

	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE */
	assert_string_equal(safetext(buf, sizeof(buf), "exe.\xe2\x80\xaetxt"), "exe.\\u202etxt");
	assert_string_equal(safetext(buf, sizeof(buf), "\xe2\x81\xa6x\xe2\x81\xa9"),
			    "\\u2066x\\u2069");
	/* U+202F NARROW NO-BREAK SPACE and other text pass */
	assert_string_equal(safetext(buf, sizeof(buf), "a\xe2\x80\xafz \xc3\xa9"),
			    "a\xe2\x80\xafz \xc3\xa9");
}

static void safetext__invalid_utf8__escaped_bytes(void **state)
{
	char buf[128];

	assert_string_equal(safetext(buf, sizeof(buf), "a\xff\xc0\x80z"), "a\\xff\\xc0\\x80z");
	/* a sequence cut short by the end of the string */
	assert_string_equal(safetext(buf, sizeof(buf), "x\xe2\x80"), "x\\xe2\\x80");
}

static void safetext__small_buffer__cut_with_dots(void **state)
{
	char buf[8];

	assert_string_equal(safetext(buf, sizeof(buf), "abcdefghij"), "abcd...");
	assert_string_equal(safetext(buf, sizeof(buf), "\x1b\x1b\x1b"), "\\x1b...");
}

static void json_escape__unsafe_text__escaped_and_valid(void **state)
{
	char buf[128];

	assert_true(json_escape(buf, sizeof(buf), "q\"b\\\x1b\xc2\x85\xe2\x80\xae\xff") > 0);
	assert_string_equal(buf, "q\\\"b\\\\\\u001b\\u0085\\u202e\\\\xff");
	assert_int_equal(json_escape(buf, 4, "abcdef"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(safetext__terminal_controls__escaped),
		cmocka_unit_test(safetext__bidi_overrides__escaped),
		cmocka_unit_test(safetext__invalid_utf8__escaped_bytes),
		cmocka_unit_test(safetext__small_buffer__cut_with_dots),
		cmocka_unit_test(json_escape__unsafe_text__escaped_and_valid),
	};

	return cmocka_run_group_tests_name("safetext", tests, NULL, NULL);
}
