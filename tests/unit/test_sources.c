// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-port sources: the `from` attribute of rules files, its look-up and
 * its lint. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "policy.h"
#include "policy_lint.h"

static unsigned load_text(struct policy_db *db, const char *text, char *errs, size_t cap)
{
	FILE *err = fmemopen(errs, cap, "w");
	char *copy = strdup(text);
	unsigned n;

	assert_non_null(err);
	assert_non_null(copy);
	n = policy_db_load_buf(db, "local.rules", copy, strlen(copy), err);
	fclose(err);
	free(copy);
	return n;
}

static struct policy_db *load_ok(const char *text)
{
	struct policy_db *db = policy_db_new();
	char errs[2048] = "";

	assert_non_null(db);
	if (load_text(db, text, errs, sizeof(errs)))
		fail_msg("unexpected errors: %s", errs);
	policy_db_build_index(db);
	return db;
}

static void expect_error(const char *text, const char *message)
{
	struct policy_db *db = policy_db_new();
	char errs[2048] = "";
	unsigned n = load_text(db, text, errs, sizeof(errs));

	if (n == 0 || !strstr(errs, message))
		fail_msg("expected \"%s\", got %u errors: \"%s\"", message, n, errs);
	policy_db_free(db);
}

static void addr(int family, const char *text, uint8_t *out)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(family, text, out), 1);
}

static void policy_parse__from__networks_stored_with_their_lines(void **state)
{
	struct policy_db *db = load_ok("9100/tcp node-exporter lan-only\n"
				       "\tfrom 203.0.113.0/24 2001:db8:5::/48\n"
				       "\ttitle Prometheus node exporter\n"
				       "\tfrom 198.51.100.7\n");
	const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 9100);
	char text[64];

	assert_non_null(e);
	assert_int_equal(e->nsources, 3);
	assert_int_equal(e->sources[0].net.family, AF_INET);
	assert_int_equal(e->sources[0].net.prefix, 24);
	assert_int_equal(e->sources[0].line, 2);
	assert_int_equal(e->sources[1].net.family, AF_INET6);
	assert_int_equal(e->sources[1].net.prefix, 48);
	assert_int_equal(e->sources[2].net.prefix, 32);
	assert_int_equal(e->sources[2].line, 4);
	policy_net_text(&e->sources[1].net, text, sizeof(text));
	assert_string_equal(text, "2001:db8:5::/48");
	policy_net_text(&e->sources[2].net, text, sizeof(text));
	assert_string_equal(text, "198.51.100.7");
	policy_db_free(db);
}

static void policy_parse__from_bad_values__each_reported_with_line(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "9100/tcp n lan-only\n\tfrom 203.0.113.0/33\n", "local.rules:2: from: bad network \"203.0.113.0/33\"" },
		{ "9100/tcp n lan-only\n\tfrom example.net\n", "from: bad network \"example.net\"" },
		{ "9100/tcp n lan-only\n\tfrom 203.0.113.7/24\n",
		  "local.rules:2: from: \"203.0.113.7/24\" has host bits set (did you mean 203.0.113.0/24?)" },
		{ "9100/tcp n lan-only\n\tfrom 2001:db8:5::1/48\n", "did you mean 2001:db8:5::/48?" },
		{ "9100/tcp n lan-only\n\tfrom fe80::1%eth0\n", "from: bad network" },
		{ "9100/tcp n lan-only\n\tfrom 203.0.113.0/\n", "from: bad network" },
		{ "9100/tcp n open\n\tfrom 203.0.113.0/24\n",
		  "local.rules:2: n: from on an open entry has no effect" },
		{ "9100/tcp n lan-only\n\tfrom\n", "local.rules:2: from has no value" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, cases[i].message);
}

static void policy_parse__from_too_many__refused(void **state)
{
	size_t cap = 64 * (POLICY_SOURCES_MAX + 2), len;
	char *text = malloc(cap);
	unsigned i;

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "9100/tcp n lan-only\n");
	for (i = 0; i <= POLICY_SOURCES_MAX; i++)
		len += (size_t)snprintf(text + len, cap - len, "\tfrom 198.51.%u.%u\n", i / 256, i % 256);
	expect_error(text, "from: more than 256 networks for one entry");
	free(text);
}

static void policy_source_of__nested_networks__narrowest_wins(void **state)
{
	struct policy_db *db = load_ok("5432/tcp postgresql lan-only\n"
				       "\tfrom 203.0.113.0/24 203.0.113.128/25 2001:db8::/32\n");
	const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 5432);
	uint8_t a[16];

	addr(AF_INET, "203.0.113.200", a);
	assert_ptr_equal(policy_source_of(e, AF_INET, a), &e->sources[1]);
	addr(AF_INET, "203.0.113.5", a);
	assert_ptr_equal(policy_source_of(e, AF_INET, a), &e->sources[0]);
	addr(AF_INET, "198.51.100.5", a);
	assert_null(policy_source_of(e, AF_INET, a));
	addr(AF_INET6, "2001:db8:1::5", a);
	assert_ptr_equal(policy_source_of(e, AF_INET6, a), &e->sources[2]);
	/* the same bytes in the other family are another address */
	addr(AF_INET, "32.1.13.184", a);
	assert_null(policy_source_of(e, AF_INET, a));
	policy_db_free(db);
}

static void policy_db_shed_text__sources_kept(void **state)
{
	struct policy_db *db = load_ok("9100/tcp n lan-only\n\ttitle t\n\tfrom 203.0.113.0/24\n");

	policy_db_shed_text(db);
	assert_null(db->entries[0].title);
	assert_int_equal(db->entries[0].nsources, 1);
	policy_db_free(db);
}

static void policy_lint__from__wide_nested_and_loopback_reported(void **state)
{
	struct policy_db *db = load_ok("9100/tcp n lan-only\n"
				       "\ttitle t\n\tabout a\n"
				       "\tfrom 0.0.0.0/0 203.0.113.0/24 203.0.113.0/25 127.0.0.1 ::/0\n"
				       "9101/tcp m lan-only\n\ttitle t\n\tabout a\n\tfrom 198.51.100.0/24\n");
	char out[2048] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");
	unsigned n;

	assert_non_null(f);
	n = policy_lint(db, f);
	fclose(f);
	assert_non_null(strstr(out, "local.rules:4: n: from 0.0.0.0/0 admits every IPv4 source"));
	assert_non_null(strstr(out, "from ::/0 admits every IPv6 source"));
	assert_non_null(strstr(out, "from 203.0.113.0/25 lies within 203.0.113.0/24"));
	assert_non_null(strstr(out, "from 127.0.0.1: loopback"));
	assert_null(strstr(out, "local.rules:8"));
	/* the two wide ones also hold the others */
	assert_true(n >= 4);
	policy_db_free(db);
}

/* What reaches the worker from a listed source failed the table's
 * reverse-path check: blocked, and the decision says which line lists it. */
static void decide__listed_source_in_the_queue__blocked_with_its_line(void **state)
{
	struct policy_db *db = load_ok("9100/tcp node-exporter lan-only\n\tfrom 203.0.113.0/24\n"
				       "9101/tcp other loopback-only\n"
				       "7860/tcp gradio lan-only\n\tprogram gradio\n\tfrom 198.51.100.0/24\n");
	struct packet_info p = { .family = AF_INET, .proto = IPPROTO_TCP, .has_ports = 1,
				 .sport = 40000, .dport = 9100 };
	struct listenpolicy_port guard = { 0 };
	struct config cfg;
	struct decision d;

	config_defaults(&cfg);
	addr(AF_INET, "203.0.113.9", p.saddr);
	addr(AF_INET, "198.51.100.1", p.daddr);
	d = decide(&p, "eth1", db, &cfg, NULL);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_non_null(d.source);
	assert_int_equal(d.source->line, 2);
	/* another port's sources say nothing here */
	p.dport = 9101;
	d = decide(&p, "eth1", db, &cfg, NULL);
	assert_null(d.source);
	/* nor do those of the entry dangerous software brings to an open port */
	p.dport = 8080;
	addr(AF_INET, "198.51.100.9", p.saddr);
	guard.guard = policy_lookup(db, IPPROTO_TCP, 7860);
	d = decide(&p, "eth1", db, &cfg, &guard);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_null(d.source);
	policy_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_parse__from__networks_stored_with_their_lines),
		cmocka_unit_test(policy_parse__from_bad_values__each_reported_with_line),
		cmocka_unit_test(policy_parse__from_too_many__refused),
		cmocka_unit_test(policy_source_of__nested_networks__narrowest_wins),
		cmocka_unit_test(policy_db_shed_text__sources_kept),
		cmocka_unit_test(policy_lint__from__wide_nested_and_loopback_reported),
		cmocka_unit_test(decide__listed_source_in_the_queue__blocked_with_its_line),
	};

	return cmocka_run_group_tests_name("sources", tests, NULL, NULL);
}
