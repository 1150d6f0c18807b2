// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

static const char adopted[] = "# portwarden: adopted on 2026-12-01 with `portwarden adopt`\n"
			      "143/tcp  imap  open\n";
static const char guarded[] = "# portwarden: guarded on 2026-12-06 with `portwarden guard`\n"
			      "143/tcp  imap  lan-only\n\n";

static void history_format__parse__same_records(void **state)
{
	struct history h = { NULL, 0 }, back;
	char *text;
	size_t len;

	assert_int_equal(history_push(&h, "143/tcp", 1796553000, NULL, adopted), 0);
	assert_int_equal(history_push(&h, "143/tcp", 1796553060, adopted, guarded), 0);
	text = history_format(&h, &len);
	assert_non_null(text);
	assert_int_equal(history_parse(text, len, &back), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].spec, "143/tcp");
	assert_string_equal(back.v[0].before, "");
	assert_string_equal(back.v[0].after, adopted);
	assert_string_equal(back.v[1].before, adopted);
	assert_string_equal(back.v[1].after, guarded);	/* the blank line too */
	assert_int_equal(back.v[1].when, 1796553060);
	free(text);
	history_free(&h);
	history_free(&back);
}

static void history_find__current_entry__newest_record_then_older(void **state)
{
	struct history h = { NULL, 0 };

	history_push(&h, "143/tcp", 1, NULL, adopted);
	history_push(&h, "25/tcp", 2, NULL, "25/tcp smtp open\n");
	history_push(&h, "143/tcp", 3, adopted, guarded);
	assert_int_equal(history_find(&h, "143/tcp", guarded), 2);
	history_drop(&h, 2);
	assert_int_equal(history_find(&h, "143/tcp", adopted), 0);
	history_drop(&h, 0);
	assert_int_equal(history_find(&h, "143/tcp", NULL), -1);
	assert_int_equal(h.n, 1);
	history_free(&h);
}

/* An entry changed by hand since: the record is stale, never undone */
static void history_find__entry_edited_by_hand__no_record(void **state)
{
	struct history h = { NULL, 0 };

	history_push(&h, "143/tcp", 3, adopted, guarded);
	assert_int_equal(history_find(&h, "143/tcp", "143/tcp  imap  loopback-only\n"), -1);
	assert_int_equal(history_find(&h, "143/tcp", NULL), -1);
	history_free(&h);
}

static void history_push__past_the_cap__oldest_dropped(void **state)
{
	struct history h = { NULL, 0 };
	unsigned i;

	for (i = 0; i < HISTORY_MAX + 5; i++)
		assert_int_equal(history_push(&h, "143/tcp", i, NULL, adopted), 0);
	assert_int_equal(h.n, HISTORY_MAX);
	assert_int_equal(h.v[0].when, 5);
	history_free(&h);
}

static void history_parse__hostile_text__only_whole_records(void **state)
{
	static const char text[] =
		"- stray line before any record\n"
		"@ 2026-12-06T10:30:00Z 143/tcp\n"
		"- 143/tcp  imap  open\n"
		"+ 143/tcp  imap  lan-only\n"
		"@ not-a-time 25/tcp\n"
		"+ 25/tcp smtp open\n"
		"@ 2026-12-06T10:30:00Z 1234567890123456789012345678901234567890/tcp\n"
		"+ x\n"
		"@ 2026-12-06T10:30:00Z two words\n"
		"garbage ends a record\n"
		"+ 9/tcp discard open\n"
		"@ 2026-12-06T10:31:00Z 80/tcp\r\n"
		"+ 80/tcp http open\r\n"
		/* control characters in the spec: written back, the CR before
		 * the newline would read as a line ending (fuzz_history) */
		"@ 2026-12-06T10:32:00Z 1p\r\r+\r\r\n"
		"+ x\n"
		"@ 2026-12-06T10:32:00Z 22/tcp\x1b[2J\n"
		"+ y\n"
		"@ 2026-12-06T10:33:00Z 8080/tcp\n"
		"+ 8080/tcp web lan-only\r\r\r\n";
	struct history h;

	assert_int_equal(history_parse(text, sizeof(text) - 1, &h), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.v[0].spec, "143/tcp");
	assert_string_equal(h.v[0].after, "143/tcp  imap  lan-only\n");
	assert_string_equal(h.v[1].spec, "80/tcp");
	assert_string_equal(h.v[1].before, "");
	assert_string_equal(h.v[1].after, "80/tcp http open\n");
	assert_string_equal(h.v[2].after, "8080/tcp web lan-only\n");
	history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(history_format__parse__same_records),
		cmocka_unit_test(history_find__current_entry__newest_record_then_older),
		cmocka_unit_test(history_find__entry_edited_by_hand__no_record),
		cmocka_unit_test(history_push__past_the_cap__oldest_dropped),
		cmocka_unit_test(history_parse__hostile_text__only_whole_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
