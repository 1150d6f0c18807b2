// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

static struct policy_db *db_from(const char *text)
{
	struct policy_db *db = policy_db_new();
	char *copy = strdup(text);

	assert_int_equal(policy_db_load_buf(db, "t.rules", copy, strlen(copy), stderr), 0);
	free(copy);
	policy_db_build_index(db);
	return db;
}

static const char sample[] =
	"143/tcp imap loopback-only\n"
	"\ttitle Internet Message Access Protocol\n"
	"\trelated 25/tcp 110/tcp 4242/tcp\n"
	"\tabout Words \"quoted\".\n"
	"25/tcp smtp loopback-only\n"
	"110/tcp pop3 loopback-only\n"
	"11211/both memcached loopback-only\n";

static void run(const struct policy_db *db, const char *spec, int json, char *out, size_t cap, int want)
{
	FILE *f = fmemopen(out, cap, "w");

	assert_int_equal(lookup_print(f, db, spec, json), want);
	fclose(f);
}

static void lookup_print__imap__page_names_policy_and_related(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[2048] = "";

	run(db, "143", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "143/tcp  imap - Internet Message Access Protocol"));
	assert_non_null(strstr(out, "policy:   loopback-only"));
	assert_non_null(strstr(out, "25/tcp (smtp), 110/tcp (pop3), 4242/tcp"));
	assert_non_null(strstr(out, "source:   t.rules:1"));
	assert_null(strstr(out, "143/udp"));
	policy_db_free(db);
}

static void lookup_print__both_protocols__one_page(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[2048] = "";

	run(db, "11211", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "11211/both  memcached"));
	assert_null(strstr(out, "11211/udp"));
	policy_db_free(db);
}

static void lookup_print__json__related_listed_and_escaped(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[4096] = "";

	run(db, "143/tcp", 1, out, sizeof(out), 0);
	assert_non_null(strstr(out, "\"service\":\"imap\""));
	assert_non_null(strstr(out, "\"policy\":\"loopback-only\""));
	assert_non_null(strstr(out, "{\"port\":\"25/tcp\",\"service\":\"smtp\"}"));
	assert_non_null(strstr(out, "Words \\\"quoted\\\"."));
	policy_db_free(db);
}

static void lookup_print__unknown_port__open(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[1024] = "";

	run(db, "40000/udp", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "40000/udp"));
	assert_non_null(strstr(out, "policy:   open (no database entry"));
	policy_db_free(db);
}

static void lookup_print__bad_specs__einval(void **state)
{
	static const char *bad[] = { "", "0", "65536", "x", "143/sctp", "143/", "-1", "99999999999999999999" };
	struct policy_db *db = db_from(sample);
	char out[64];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		run(db, bad[i], 0, out, sizeof(out), -EINVAL);
	policy_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_print__imap__page_names_policy_and_related),
		cmocka_unit_test(lookup_print__both_protocols__one_page),
		cmocka_unit_test(lookup_print__json__related_listed_and_escaped),
		cmocka_unit_test(lookup_print__unknown_port__open),
		cmocka_unit_test(lookup_print__bad_specs__einval),
	};

	return cmocka_run_group_tests_name("lookup", tests, NULL, NULL);
}
