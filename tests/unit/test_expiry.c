// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expiry.h"

#define T0 1796553000	/* 2026-12-06T10:30:00Z */

static void expiry_parse__time_and_policy__both_read(void **state)
{
	char why[128];
	int64_t when;
	uint8_t then;

	assert_int_equal(expiry_parse("2026-12-06T10:30:00Z lan-only", &when, &then, why,
				      sizeof(why)), 0);
	assert_int_equal(when, T0);
	assert_int_equal(then, POLICY_LAN_ONLY + 1);
	assert_int_equal(expiry_parse("2026-12-06T10:30:00Z", &when, &then, why, sizeof(why)), 0);
	assert_int_equal(then, 0);
}

static void expiry_parse__malformed__refused_with_reason(void **state)
{
	static const char *const bad[] = {
		"2026-12-06 10:30:00", "2026-12-06T10:30:00", "2026-02-30T10:30:00Z",
		"2026-12-06T24:30:00Z", "2026-1-06T10:30:00Z", "+026-12-06T10:30:00Z",
		"2026-12-06T10:30:00Z lan_only", "2026-12-06T10:30:00Z open open", "",
		"2026-12-06T10:30:00Z\tloopbak-only",
	};
	char why[128];
	int64_t when;
	uint8_t then;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(expiry_parse(bad[i], &when, &then, why, sizeof(why)), -1);
		assert_true(why[0]);
	}
}

static struct policy_db *load(const char *text, unsigned *errors)
{
	struct policy_db *db = policy_db_new();
	char *copy = strdup(text);

	assert_non_null(db);
	assert_non_null(copy);
	*errors = policy_db_load_buf(db, "local.rules", copy, strlen(copy), NULL);
	free(copy);
	return db;
}

static const char rules[] =
	"8080/tcp  web  open\n"
	"\texpires 2026-12-06T10:30:00Z lan-only\n"
	"6379/tcp  redis  open\n"
	"\texpires 2026-12-06T11:00:00Z\n"
	"22/tcp  ssh  open\n";

static void expiry_apply__before_the_time__entries_as_written(void **state)
{
	unsigned errors;
	struct policy_db *db = load(rules, &errors);

	assert_int_equal(errors, 0);
	assert_int_equal(expiry_apply(db, T0 - 1), 0);
	policy_db_build_index(db);
	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 8080), POLICY_OPEN);
	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 6379), POLICY_OPEN);
	assert_int_equal(expiry_next(db, T0 - 1), T0);
	policy_db_free(db);
}

static void expiry_apply__times_come__later_policy_or_gone(void **state)
{
	unsigned errors;
	struct policy_db *db = load(rules, &errors);

	assert_int_equal(errors, 0);
	assert_int_equal(expiry_apply(db, T0 + 1800), 2);
	policy_db_build_index(db);
	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 8080), POLICY_LAN_ONLY);
	assert_null(policy_lookup(db, IPPROTO_TCP, 6379));	/* the entry left */
	assert_non_null(policy_lookup(db, IPPROTO_TCP, 22));
	assert_int_equal(db->nentries, 2);
	assert_int_equal(expiry_next(db, T0 + 1800), 0);
	policy_db_free(db);
}

static void expiry_apply__half_way__next_is_the_later_one(void **state)
{
	unsigned errors;
	struct policy_db *db = load(rules, &errors);

	expiry_apply(db, T0);
	assert_int_equal(expiry_next(db, T0), T0 + 1800);
	policy_db_free(db);
}

static void expiry_attribute__twice_or_bad__file_line_error(void **state)
{
	unsigned errors;
	struct policy_db *db = load("8080/tcp web open\n\texpires 2026-12-06T10:30:00Z\n"
				    "\texpires 2026-12-07T10:30:00Z\n"
				    "8081/tcp web open\n\texpires tomorrow\n", &errors);

	assert_int_equal(errors, 2);
	policy_db_free(db);
}

/* the networks a timed entry has after its time: the expires line's, the
 * entry's own until then; an entry that leaves takes its lines along */
static void expiry_apply__networks_after_the_time__the_lines_own(void **state)
{
	unsigned errors;
	struct policy_db *db = load("9100/tcp  jetdirect  lan-only\n"
				    "\texpires 2026-12-06T10:30:00Z lan-only from 203.0.113.0/24\n"
				    "\tfrom 203.0.113.0/24 198.51.100.7\n"
				    "5432/tcp  pg  loopback-only\n"
				    "\texpires 2026-12-06T10:30:00Z lan-only\n"
				    "\tfrom 192.0.2.0/24\n"
				    "3000/tcp  dev  lan-only\n"
				    "\texpires 2026-12-06T10:30:00Z\n"
				    "\tfrom 192.0.2.0/24\n"
				    "\tlistener loopback-only grafana\n", &errors);
	const struct policy_entry *e;

	assert_int_equal(errors, 0);
	policy_db_build_index(db);
	assert_int_equal(policy_lookup(db, IPPROTO_TCP, 9100)->nsources, 2);
	assert_int_equal(expiry_apply(db, T0), 3);
	policy_db_build_index(db);
	e = policy_lookup(db, IPPROTO_TCP, 9100);
	assert_int_equal(e->kind, POLICY_LAN_ONLY);
	assert_int_equal(e->nsources, 1);
	assert_int_equal(e->sources[0].net.addr[0], 203);
	assert_int_equal(e->sources[0].line, 2);	/* the expires line's */
	e = policy_lookup(db, IPPROTO_TCP, 5432);
	assert_int_equal(e->kind, POLICY_LAN_ONLY);
	assert_int_equal(e->nsources, 0);
	assert_null(policy_lookup(db, IPPROTO_TCP, 3000));
	policy_db_free(db);
}

static void expiry_parse__networks__read_and_checked(void **state)
{
	static const char *const bad[] = {
		"2026-12-06T10:30:00Z open from 203.0.113.0/24",
		"2026-12-06T10:30:00Z lan-only from",
		"2026-12-06T10:30:00Z lan-only from 203.0.113.7/24",
		"2026-12-06T10:30:00Z lan-only to 203.0.113.0/24",
		"2026-12-06T10:30:00Z lan-only from 203.0.113.0/24 nowhere",
		"2026-12-06T10:30:00Z from 203.0.113.0/24",
	};
	struct config_net nets[POLICY_SOURCES_MAX];
	unsigned n;
	char why[160];
	int64_t when;
	uint8_t then;
	size_t i;

	assert_int_equal(expiry_parse_sources("2026-12-06T10:30:00Z loopback-only from "
					      "203.0.113.0/24\t2001:db8::/32", &when, &then, nets, &n,
					      why, sizeof(why)), 0);
	assert_int_equal(then, POLICY_LOOPBACK_ONLY + 1);
	assert_int_equal(n, 2);
	assert_int_equal(nets[1].family, AF_INET6);
	assert_int_equal(nets[1].prefix, 32);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(expiry_parse_sources(bad[i], &when, &then, nets, &n, why,
						      sizeof(why)), -1);
		assert_true(why[0]);
	}
}

static void expiry_duration__units_and_limits(void **state)
{
	assert_int_equal(expiry_duration("90s"), 90);
	assert_int_equal(expiry_duration("10m"), 600);
	assert_int_equal(expiry_duration("1h30m"), 5400);
	assert_int_equal(expiry_duration("2d"), 172800);
	assert_int_equal(expiry_duration("10"), -1);
	assert_int_equal(expiry_duration("0m"), -1);
	assert_int_equal(expiry_duration("-5m"), -1);
	assert_int_equal(expiry_duration("m"), -1);
	assert_int_equal(expiry_duration("400d"), -1);
	assert_int_equal(expiry_duration("99999999999999999999s"), -1);
	assert_int_equal(expiry_duration(""), -1);
}

static void expiry_format__round_trip(void **state)
{
	char buf[EXPIRY_TEXT_MAX], why[64];
	int64_t when;
	uint8_t then;

	expiry_format(T0, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-06T10:30:00Z");
	assert_int_equal(expiry_parse(buf, &when, &then, why, sizeof(why)), 0);
	assert_int_equal(when, T0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expiry_parse__time_and_policy__both_read),
		cmocka_unit_test(expiry_parse__malformed__refused_with_reason),
		cmocka_unit_test(expiry_apply__before_the_time__entries_as_written),
		cmocka_unit_test(expiry_apply__times_come__later_policy_or_gone),
		cmocka_unit_test(expiry_apply__half_way__next_is_the_later_one),
		cmocka_unit_test(expiry_attribute__twice_or_bad__file_line_error),
		cmocka_unit_test(expiry_apply__networks_after_the_time__the_lines_own),
		cmocka_unit_test(expiry_parse__networks__read_and_checked),
		cmocka_unit_test(expiry_duration__units_and_limits),
		cmocka_unit_test(expiry_format__round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
