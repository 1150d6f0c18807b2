// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "testdb.h"

/* The system's services file, reduced to two names so that results do not
 * depend on the machine's /etc/services. */
static char discard_name[] = "discard", imap3_name[] = "imap3";
static char *no_aliases[] = { NULL };
static struct servent discard = { discard_name, no_aliases, 0, NULL };
static struct servent imap3 = { imap3_name, no_aliases, 0, NULL };

struct servent *__wrap_getservbyport(int port, const char *proto);
struct servent *__wrap_getservbyport(int port, const char *proto)
{
	if (ntohs((uint16_t)port) == 9)
		return &discard;
	if (ntohs((uint16_t)port) == 220 && !strcmp(proto, "tcp"))
		return &imap3;
	return NULL;
}

struct servent *__wrap_getservbyname(const char *name, const char *proto);
struct servent *__wrap_getservbyname(const char *name, const char *proto)
{
	discard.s_port = (int)htons(9);
	imap3.s_port = (int)htons(220);
	if (!strcmp(name, "discard"))
		return &discard;
	if (!strcmp(name, "imap3") && (!proto || !strcmp(proto, "tcp")))
		return &imap3;
	return NULL;
}

static struct policy_db *db_from(const char *text)
{
	struct policy_db *db = testdb_from("t.rules", text);

	assert_non_null(db);
	return db;
}

static const char sample[] =
	"143/tcp imap loopback-only\n"
	"\ttitle Internet Message Access Protocol\n"
	"\trelated 25/tcp 110/tcp 4242/tcp\n"
	"\tabout Words \"quoted\".\n"
	"25/tcp smtp loopback-only\n"
	"110/tcp pop3 loopback-only\n"
	"11211/both memcached loopback-only\n"
	"6379/tcp redis lan-only\n"
	"\ttitle Redis key-value store\n"
	"\talias redis-server valkey\n"
	"\tdefault-bind 127.0.0.1 and ::1 since 3.2 (protected mode)\n"
	"\tprogram redis-server\n"
	"\tcve CVE-2022-0543\n"
	"\tincident 2018-06 first event\n"
	"\tincident 2020-03 second event\n"
	"993/tcp imaps loopback-only\n"
	"\tserved-by /usr/sbin/dovecot\n";

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

static void lookup_print__unknown_port__open_and_not_described(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[1024] = "";

	run(db, "40000/udp", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "40000/udp\n"));
	assert_non_null(strstr(out, "policy:   open (not guarded)"));
	assert_non_null(strstr(out, "not in the database; netbase has no name for it either"));
	policy_db_free(db);
}

static void lookup_print__port_only_netbase_knows__named_from_netbase(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[1024] = "";

	run(db, "9/udp", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "9/udp  discard\n"));
	assert_non_null(strstr(out, "not in the database; netbase calls it discard"));
	memset(out, 0, sizeof(out));
	run(db, "9/tcp", 1, out, sizeof(out), 0);
	assert_non_null(strstr(out, "\"service\":\"discard\""));
	assert_non_null(strstr(out, "\"described\":false"));
	policy_db_free(db);
}

static void lookup_print__service_name_and_alias__entry_page(void **state)
{
	static const char *names[] = { "redis", "REDIS", "valkey", "redis-server/tcp" };
	struct policy_db *db = db_from(sample);
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char out[4096] = "";

		run(db, names[i], 0, out, sizeof(out), 0);
		if (!strstr(out, "6379/tcp  redis - Redis key-value store"))
			fail_msg("lookup %s: %s", names[i], out);
	}
	policy_db_free(db);
}

static void lookup_print__name_with_other_protocol__enoent(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[256] = "";

	run(db, "redis/udp", 0, out, sizeof(out), -ENOENT);
	run(db, "no-such-service", 0, out, sizeof(out), -ENOENT);
	policy_db_free(db);
}

static void lookup_print__name_only_netbase_knows__its_port(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[1024] = "";

	run(db, "imap3", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "220/tcp  imap3"));
	assert_non_null(strstr(out, "not in the database; netbase calls it imap3"));
	policy_db_free(db);
}

static void lookup_print__v2_fields__shown_on_page(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[4096] = "";

	run(db, "6379", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "  alias:    redis-server valkey\n"));
	assert_non_null(strstr(out, "  binds:    127.0.0.1 and ::1 since 3.2 (protected mode)\n"));
	assert_non_null(strstr(out, "  program:  redis-server\n"));
	assert_non_null(strstr(out, "  cve:      CVE-2022-0543\n"));
	assert_non_null(strstr(out, "  incident: 2018-06 first event\n            2020-03 second event\n"));
	memset(out, 0, sizeof(out));
	run(db, "imaps", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "  listener: open while held by /usr/sbin/dovecot\n"));
	policy_db_free(db);
}

static void lookup_print__v2_fields__json_arrays(void **state)
{
	struct policy_db *db = db_from(sample);
	char out[4096] = "";

	run(db, "6379/tcp", 1, out, sizeof(out), 0);
	assert_non_null(strstr(out, "\"alias\":[\"redis-server\",\"valkey\"]"));
	assert_non_null(strstr(out, "\"cve\":[\"CVE-2022-0543\"]"));
	assert_non_null(strstr(out, "\"incident\":[\"2018-06 first event\",\"2020-03 second event\"]"));
	assert_non_null(strstr(out, "\"default_bind\":\"127.0.0.1 and ::1 since 3.2 (protected mode)\""));
	assert_non_null(strstr(out, "\"described\":true"));
	policy_db_free(db);
}

static void lookup_print__listener_lines_and_cve_via__page_and_json(void **state)
{
	char out[4096] = "";
	struct policy_db *db;
	const char *text =
		"80/tcp http open\n443/tcp https open\n"
		"3000/tcp dev-http loopback-only\n"
		"\ttitle Development servers\n"
		"\tlistener lan-only grafana gitea\n"
		"\tlistener open /usr/sbin/nsd\n"
		"\tcve CVE-2021-43798\n"
		"\tcve CVE-2019-11043 via 80/tcp 443/tcp\n";

	db = db_from(text);
	run(db, "3000", 0, out, sizeof(out), 0);
	assert_non_null(strstr(out, "  listener: open while held by /usr/sbin/nsd\n"));
	assert_non_null(strstr(out, "  listener: lan-only while held by grafana gitea\n"));
	assert_non_null(strstr(out, "  cve:      CVE-2021-43798\n"
				    "            CVE-2019-11043, reached through 80/tcp 443/tcp\n"));
	memset(out, 0, sizeof(out));
	run(db, "3000", 1, out, sizeof(out), 0);
	assert_non_null(strstr(out, "\"listener\":{\"open\":[\"/usr/sbin/nsd\"],"
				    "\"lan-only\":[\"grafana\",\"gitea\"],\"loopback-only\":[]}"));
	assert_non_null(strstr(out, "\"cve\":[\"CVE-2021-43798\"]"));
	assert_non_null(strstr(out, "\"cve_via\":[\"CVE-2019-11043 via 80/tcp 443/tcp\"]"));
	policy_db_free(db);
}

static void lookup_print__long_field__wrapped_under_value_column(void **state)
{
	struct policy_db *db = db_from(
		"1/tcp a lan-only\n"
		"\tsoftware one two three four five six seven eight nine ten eleven twelve thirteen fourteen\n");
	char out[1024] = "";
	char *line;

	run(db, "1", 0, out, sizeof(out), 0);
	line = strstr(out, "  software: one");
	assert_non_null(line);
	assert_non_null(strstr(line, "\n            "));
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 74);
	policy_db_free(db);
}

static void lookup_print__bad_specs__einval(void **state)
{
	static const char *bad[] = { "", "0", "65536", "143/sctp", "143/", "-1", "99999999999999999999",
				     "143x", "redis/sctp", "b@d", "/tcp", "a-name-longer-than-thirty-one-bytes" };
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
		cmocka_unit_test(lookup_print__unknown_port__open_and_not_described),
		cmocka_unit_test(lookup_print__port_only_netbase_knows__named_from_netbase),
		cmocka_unit_test(lookup_print__service_name_and_alias__entry_page),
		cmocka_unit_test(lookup_print__name_with_other_protocol__enoent),
		cmocka_unit_test(lookup_print__name_only_netbase_knows__its_port),
		cmocka_unit_test(lookup_print__v2_fields__shown_on_page),
		cmocka_unit_test(lookup_print__v2_fields__json_arrays),
		cmocka_unit_test(lookup_print__listener_lines_and_cve_via__page_and_json),
		cmocka_unit_test(lookup_print__long_field__wrapped_under_value_column),
		cmocka_unit_test(lookup_print__bad_specs__einval),
	};

	return cmocka_run_group_tests_name("lookup", tests, NULL, NULL);
}
