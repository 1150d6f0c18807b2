// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confedit.h"

/* text with key set to value (NULL: removed) and the note "n" */
static const char *edit(const char *text, const char *key, const char *value, unsigned *line)
{
	static char out[1024];
	struct confedit e;

	assert_int_equal(confedit_set(text, strlen(text), key, value, value ? "n" : NULL, &e), 0);
	assert_int_equal(strlen(e.text), e.len);
	snprintf(out, sizeof(out), "%s", e.text);
	if (line)
		*line = e.line;
	free(e.text);
	return out;
}

static void confedit_set__new_key__appended_with_its_note(void **state)
{
	unsigned line;

	assert_string_equal(edit("", "zone.eth1", "lan", &line), "# portwarden: n\nzone.eth1 = lan\n");
	assert_int_equal(line, 2);
	/* a last line without a newline gets one first */
	assert_string_equal(edit("queue = 1", "zone.eth1", "lan", &line),
			    "queue = 1\n# portwarden: n\nzone.eth1 = lan\n");
	assert_int_equal(line, 3);
}

static void confedit_set__existing_key__rewritten_in_place_others_kept(void **state)
{
	const char *text = "# my comment\n"
			   "zone.eth1 = public\n"
			   "\n"
			   "  zone.eth10=lan\n"
			   "# portwarden: old note\n"
			   "zone.eth1\t=  wan\n"
			   "zone.eth1x = lan\n";
	unsigned line;

	assert_string_equal(edit(text, "zone.eth1", "lan", &line),
			    "# my comment\n"
			    "# portwarden: n\n"
			    "zone.eth1 = lan\n"
			    "\n"
			    "  zone.eth10=lan\n"
			    "zone.eth1x = lan\n");
	assert_int_equal(line, 3);
	assert_string_equal(edit(text, "zone.eth1", NULL, &line),
			    "# my comment\n\n  zone.eth10=lan\nzone.eth1x = lan\n");
	assert_int_equal(line, 0);
	/* a commented-out line is no setting */
	assert_string_equal(edit("#zone.eth1 = lan\n", "zone.eth1", NULL, NULL), "#zone.eth1 = lan\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(confedit_set__new_key__appended_with_its_note),
		cmocka_unit_test(confedit_set__existing_key__rewritten_in_place_others_kept),
	};

	return cmocka_run_group_tests_name("confedit", tests, NULL, NULL);
}
