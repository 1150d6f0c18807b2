// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* Parses text as if it were file `name`, adding to db (new when NULL). */
static struct policy_db *load(struct policy_db *db, const char *name, const char *text,
			      size_t len, char *errs, size_t errcap, unsigned *nerrors)
{
	FILE *err = fmemopen(errs, errcap, "w");
	char *copy = malloc(len + 1);

	assert_non_null(err);
	assert_non_null(copy);
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (!db)
		db = policy_db_new();
	*nerrors = policy_db_load_buf(db, name, copy, len, err);
	fclose(err);
	free(copy);
	return db;
}

static struct policy_db *load_ok(const char *text)
{
	char errs[2048] = "";
	unsigned n;
	struct policy_db *db = load(NULL, "t.rules", text, strlen(text), errs, sizeof(errs), &n);

	if (n)
		fail_msg("unexpected errors: %s", errs);
	policy_db_build_index(db);
	return db;
}

static void expect_error(const char *text, size_t len, const char *message)
{
	char errs[4096] = "";
	unsigned n;
	struct policy_db *db = load(NULL, "bad.rules", text, len, errs, sizeof(errs), &n);

	if (n == 0 || !strstr(errs, message))
		fail_msg("expected \"%s\", got %u errors: \"%s\"", message, n, errs);
	policy_db_free(db);
}

static void policy_lookup__single_entry__found_for_its_protocol_only(void **state)
{
	struct policy_db *db = load_ok("143/tcp imap loopback-only\n");

	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 143), POLICY_LOOPBACK_ONLY);
	assert_int_equal(policy_kind_of(db, IPPROTO_UDP, 143), POLICY_OPEN);
	assert_null(policy_lookup(db, IPPROTO_TCP, 144));
	assert_string_equal(policy_lookup(db, IPPROTO_TCP, 143)->service, "imap");
	policy_db_free(db);
}

static void policy_lookup__both__covers_tcp_and_udp(void **state)
{
	struct policy_db *db = load_ok("11211/both memcached loopback-only\n");

	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 11211), POLICY_LOOPBACK_ONLY);
	assert_int_equal(policy_kind_of(db, IPPROTO_UDP, 11211), POLICY_LOOPBACK_ONLY);
	assert_int_equal(policy_kind_of(db, IPPROTO_ICMP, 11211), POLICY_OPEN);
	policy_db_free(db);
}

static void policy_lookup__range_and_single__single_wins(void **state)
{
	static const char *orders[] = {
		"6000-6063/tcp x11 loopback-only\n6010/tcp x-special open\n",
		"6010/tcp x-special open\n6000-6063/tcp x11 loopback-only\n",
	};
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct policy_db *db = load_ok(orders[i]);

		assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 6010), POLICY_OPEN);
		assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 6000), POLICY_LOOPBACK_ONLY);
		assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 6063), POLICY_LOOPBACK_ONLY);
		assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 6064), POLICY_OPEN);
		policy_db_free(db);
	}
}

static void policy_lookup__equal_width_overlap__later_wins(void **state)
{
	struct policy_db *db = load_ok("100-110/tcp a open\n105-115/tcp b lan-only\n");

	assert_string_equal(policy_lookup(db, IPPROTO_TCP, 104)->service, "a");
	assert_string_equal(policy_lookup(db, IPPROTO_TCP, 105)->service, "b");
	assert_string_equal(policy_lookup(db, IPPROTO_TCP, 110)->service, "b");
	assert_string_equal(policy_lookup(db, IPPROTO_TCP, 115)->service, "b");
	policy_db_free(db);
}

static void policy_lookup__later_file__overrides_same_port(void **state)
{
	char errs[512] = "";
	unsigned n;
	struct policy_db *db;
	const char *shipped = "143/tcp imap loopback-only\n";
	const char *local = "143/tcp imap open\n";

	db = load(NULL, "ports.db", shipped, strlen(shipped), errs, sizeof(errs), &n);
	assert_int_equal(n, 0);
	db = load(db, "local.rules", local, strlen(local), errs, sizeof(errs), &n);
	assert_int_equal(n, 0);
	policy_db_build_index(db);
	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 143), POLICY_OPEN);
	assert_string_equal(policy_lookup(db, IPPROTO_TCP, 143)->file, "local.rules");
	policy_db_free(db);
}

static void policy_lookup__whole_range__every_port_painted(void **state)
{
	struct policy_db *db = load_ok("1-65535/both all lan-only\n22/tcp ssh open\n");
	unsigned p, lan = 0;

	for (p = 1; p <= 65535; p++)
		lan += policy_kind_of(db, IPPROTO_TCP, (uint16_t)p) == POLICY_LAN_ONLY;
	assert_int_equal(lan, 65534);
	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 22), POLICY_OPEN);
	assert_int_equal(policy_kind_of(db, IPPROTO_UDP, 22), POLICY_LAN_ONLY);
	policy_db_free(db);
}

static void policy_parse__attributes__stored(void **state)
{
	struct policy_db *db = load_ok(
		"143/tcp imap loopback-only\n"
		"\ttitle   Internet Message Access Protocol\n"
		"  related 25/tcp 110 993/tcp 6000-6063/both\n"
		"\tsoftware Dovecot\r\n"
		"\tabout   first part\n"
		"\tabout   second part\n");
	const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 143);

	assert_non_null(e);
	assert_string_equal(e->title, "Internet Message Access Protocol");
	assert_string_equal(e->software, "Dovecot");
	assert_string_equal(e->about, "first part second part");
	assert_int_equal(e->nrelated, 4);
	assert_int_equal(e->related[1].lo, 110);
	assert_int_equal(e->related[1].protos, POLICY_TCP);
	assert_int_equal(e->related[3].hi, 6063);
	assert_int_equal(e->related[3].protos, POLICY_BOTH);
	assert_int_equal(e->line, 1);
	policy_db_free(db);
}

static void policy_parse__comments_blank_crlf_no_final_newline__accepted(void **state)
{
	struct policy_db *db = load_ok("# c\r\n\r\n   \n  # indented comment\n22/tcp ssh open\r\n80/tcp http open");

	assert_int_equal(db->nentries, 2);
	assert_int_equal(db->entries[1].line, 6);
	policy_db_free(db);
}

static void policy_parse__empty_file__no_entries_no_error(void **state)
{
	struct policy_db *db = load_ok("");

	assert_int_equal(db->nentries, 0);
	policy_db_free(db);
}

static void policy_parse__bad_inputs__each_reported_with_line(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "143/tcp imap loopbak-only\n", "bad.rules:1: unknown policy \"loopbak-only\"" },
		{ "143 imap open\n", "bad.rules:1: \"143\": protocol missing" },
		{ "143/sctp imap open\n", "unknown protocol \"sctp\"" },
		{ "0/tcp zero open\n", "bad port \"0\"" },
		{ "65536/tcp big open\n", "bad port \"65536\"" },
		{ "12a/tcp x open\n", "bad port" },
		{ "200-100/tcp back open\n", "range 200-100 runs backwards" },
		{ "\n143/tcp imap\n", "bad.rules:2: expected \"PORT/PROTO SERVICE POLICY\"" },
		{ "143/tcp imap open extra\n", "unexpected text after the policy" },
		{ "143/tcp im\"ap open\n", "bad service name" },
		{ "143/tcp -imap open\n", "bad service name" },
		{ "\ttitle orphan\n", "bad.rules:1: indented line outside an entry" },
		{ "22/tcp ssh open\n\tcolour blue\n", "bad.rules:2: unknown attribute \"colour\"" },
		{ "22/tcp ssh open\n\ttitle a\n\ttitle b\n", "bad.rules:3: title given twice" },
		{ "22/tcp ssh open\n\ttitle\n", "title has no value" },
		{ "22/tcp ssh open\n\trelated 99999\n", "bad port \"99999\"" },
		{ "22/tcp ssh open\n22/tcp ssh2 open\n", "bad.rules:2: ssh2 duplicates the entry at line 1" },
		{ "22/both ssh open\n22/tcp ssh2 open\n", "duplicates the entry at line 1" },
		{ "22/tcp ssh open\x01\n", "control character 0x01 at column 16" },
		{ "22/tcp ssh open\n\ttitle caf\xc3\n", "bad.rules:2: invalid UTF-8" },
		{ "22/tcp ssh open\n\ttitle \xc0\xaf\n", "invalid UTF-8" },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, strlen(cases[i].text), cases[i].message);
}

static void policy_parse__nul_byte__reported(void **state)
{
	static const char text[] = "22/tcp ssh open\n80/tcp h\0ttp open\n";

	expect_error(text, sizeof(text) - 1, "bad.rules:2: NUL byte at column 9");
}

static void policy_parse__huge_line__reported_not_truncated(void **state)
{
	size_t len = 100000;
	char *text = malloc(len);

	assert_non_null(text);
	memset(text, 'a', len);
	expect_error(text, len, "bad.rules:1: line is 100000 bytes long (limit 4096)");
	free(text);
}

static void policy_parse__bad_header__its_attribute_lines_not_reported(void **state)
{
	char errs[1024] = "";
	unsigned n;
	const char *text = "22/tcp ssh nope\n\ttitle t\n\tabout a\n";
	struct policy_db *db = load(NULL, "f", text, strlen(text), errs, sizeof(errs), &n);

	assert_int_equal(n, 1);
	policy_db_free(db);
}

static void policy_parse__many_errors__output_capped(void **state)
{
	char errs[8192] = "";
	char text[4000] = "";
	unsigned i, n, lines = 0;
	struct policy_db *db;
	const char *p;

	for (i = 0; i < 200; i++)
		strcat(text, "x y\n");
	db = load(NULL, "f", text, strlen(text), errs, sizeof(errs), &n);
	assert_int_equal(n, 200);
	for (p = errs; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 21);
	assert_non_null(strstr(errs, "f: 180 more errors not shown"));
	policy_db_free(db);
}

static void policy_db_load_file__missing_file__reported(void **state)
{
	char errs[512] = "";
	FILE *err = fmemopen(errs, sizeof(errs), "w");
	struct policy_db *db = policy_db_new();
	unsigned n = policy_db_load_file(db, "/nonexistent/ports.db", err);

	fclose(err);
	assert_int_equal(n, 1);
	assert_non_null(strstr(errs, "/nonexistent/ports.db: cannot open: No such file or directory"));
	policy_db_free(db);
}

static void policy_db_load_file__shipped_database__required_entries_present(void **state)
{
	static const struct {
		int proto;
		uint16_t port;
		enum policy_kind kind;
	} want[] = {
		{ IPPROTO_TCP, 25, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 110, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 143, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 993, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 995, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 1080, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 3128, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 8080, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 9050, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 9150, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 3306, POLICY_LAN_ONLY }, { IPPROTO_TCP, 5432, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 6379, POLICY_LAN_ONLY }, { IPPROTO_TCP, 11211, POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 11211, POLICY_LAN_ONLY }, { IPPROTO_TCP, 27017, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 9200, POLICY_LAN_ONLY }, { IPPROTO_TCP, 9300, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 5984, POLICY_LAN_ONLY }, { IPPROTO_TCP, 9222, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 9229, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 8888, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 5037, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 5555, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 11434, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 2375, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 2376, POLICY_LAN_ONLY }, { IPPROTO_TCP, 2379, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 2380, POLICY_LAN_ONLY }, { IPPROTO_TCP, 10250, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 631, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 6000, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 6063, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 5900, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 5903, POLICY_LAN_ONLY }, { IPPROTO_TCP, 3389, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 137, POLICY_LAN_ONLY }, { IPPROTO_UDP, 138, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 139, POLICY_LAN_ONLY }, { IPPROTO_TCP, 445, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 111, POLICY_LAN_ONLY }, { IPPROTO_TCP, 2049, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 548, POLICY_LAN_ONLY }, { IPPROTO_UDP, 1900, POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 5353, POLICY_LAN_ONLY }, { IPPROTO_UDP, 5355, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 9100, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 22, POLICY_OPEN }, { IPPROTO_UDP, 53, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 80, POLICY_OPEN }, { IPPROTO_TCP, 443, POLICY_OPEN },
		/* the sample errors and contradictions the database once had */
		{ IPPROTO_TCP, 4369, POLICY_LAN_ONLY }, { IPPROTO_TCP, 25672, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 5672, POLICY_LAN_ONLY }, { IPPROTO_TCP, 61616, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 9092, POLICY_LAN_ONLY }, { IPPROTO_TCP, 2181, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 27018, POLICY_LAN_ONLY }, { IPPROTO_TCP, 27019, POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 8301, POLICY_LAN_ONLY }, { IPPROTO_UDP, 8302, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 1714, POLICY_LAN_ONLY }, { IPPROTO_UDP, 1764, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 6006, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 6005, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 7001, POLICY_LAN_ONLY }, { IPPROTO_TCP, 8123, POLICY_LAN_ONLY },
	};
	char errs[2048] = "";
	FILE *err = fmemopen(errs, sizeof(errs), "w");
	struct policy_db *db = policy_db_new();
	const struct policy_entry *imap;
	unsigned i, n = policy_db_load_file(db, SRCDIR "/rules/ports.db", err);

	fclose(err);
	if (n)
		fail_msg("shipped database rejected: %s", errs);
	assert_true(db->nentries >= 150);
	policy_db_build_index(db);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct policy_entry *e = policy_lookup(db, want[i].proto, want[i].port);

		if (!e || e->kind != want[i].kind)
			fail_msg("port %u/%d: want %s", want[i].port, want[i].proto,
				 policy_kind_name(want[i].kind));
		assert_non_null(e->title);
		assert_non_null(e->about);
	}
	imap = policy_lookup(db, IPPROTO_TCP, 143);
	assert_int_equal(imap->related[0].lo, 25);
	assert_int_equal(imap->related[1].lo, 110);
	policy_db_free(db);
}

static void policy_parse__v2_fields__stored_and_joined(void **state)
{
	struct policy_db *db = load_ok(
		"143/tcp imap loopback-only\n"
		"\talias       imap2 imap4\n"
		"\tserved-by   /usr/sbin/dovecot /usr/lib/dovecot/*-login\n"
		"\tserved-by   /usr/sbin/cyrmaster\n"
		"\tcve         CVE-2019-11500 CVE-2021-33515\n"
		"\tincident    2019-08-28 first event\n"
		"\tincident    2021-06 second event\n"
		"\tdefault-bind every address\n"
		"9229/tcp node-inspector loopback-only\n"
		"\tprogram     node nodejs\n"
		"\toption      --inspect --inspect-brk\n");
	const struct policy_entry *imap = policy_lookup(db, IPPROTO_TCP, 143);
	const struct policy_entry *node = policy_lookup(db, IPPROTO_TCP, 9229);

	assert_string_equal(imap->aliases, "imap2 imap4");
	assert_string_equal(imap->served_by, "/usr/sbin/dovecot /usr/lib/dovecot/*-login /usr/sbin/cyrmaster");
	assert_string_equal(imap->cves, "CVE-2019-11500 CVE-2021-33515");
	assert_string_equal(imap->incidents, "2019-08-28 first event\n2021-06 second event");
	assert_string_equal(imap->default_bind, "every address");
	assert_null(imap->programs);
	assert_string_equal(node->programs, "node nodejs");
	assert_string_equal(node->options, "--inspect --inspect-brk");
	policy_db_free(db);
}

static void policy_db_shed_text__reader_text_freed__enforcement_fields_kept(void **state)
{
	struct policy_db *db = load_ok(
		"143/tcp imap loopback-only\n"
		"\ttitle T\n\tsoftware S\n\tabout A\n\talias imap2\n\tcve CVE-2019-11500\n"
		"\tincident 2019-08 e\n\tdefault-bind every address\n"
		"\tserved-by /usr/sbin/dovecot\n\trelated 25/tcp\n"
		"9229/tcp node loopback-only\n\tprogram node\n\toption --inspect\n");
	const struct policy_entry *imap = policy_lookup(db, IPPROTO_TCP, 143);
	const struct policy_entry *node = policy_lookup(db, IPPROTO_TCP, 9229);

	policy_db_shed_text(db);
	assert_null(imap->title);
	assert_null(imap->software);
	assert_null(imap->about);
	assert_null(imap->aliases);
	assert_null(imap->cves);
	assert_null(imap->incidents);
	assert_null(imap->default_bind);
	assert_string_equal(imap->service, "imap");
	assert_string_equal(imap->served_by, "/usr/sbin/dovecot");
	assert_int_equal(imap->nrelated, 1);
	assert_int_equal(imap->line, 1);
	assert_string_equal(node->programs, "node");
	assert_string_equal(node->options, "--inspect");
	assert_int_equal(policy_kind_of(db, IPPROTO_TCP, 143), POLICY_LOOPBACK_ONLY);
	policy_db_free(db);
}

static void policy_parse__overlaps__stored_with_default_protocol(void **state)
{
	struct policy_db *db = load_ok(
		"6000-6063/tcp x11 lan-only\n"
		"6006/tcp tensorboard loopback-only\n"
		"\toverlaps 6000-6063 1-2/udp\n");
	const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 6006);

	assert_int_equal(e->noverlaps, 2);
	assert_int_equal(e->overlaps[0].lo, 6000);
	assert_int_equal(e->overlaps[0].hi, 6063);
	assert_int_equal(e->overlaps[0].protos, POLICY_TCP);
	assert_int_equal(e->overlaps[1].protos, POLICY_UDP);
	policy_db_free(db);
}

static void policy_parse__v2_bad_values__each_reported_with_line(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "1/tcp a open\n\tcve CVE-21-1\n", "bad.rules:2: cve: bad value \"CVE-21-1\"" },
		{ "1/tcp a open\n\tcve CVE-2021-123\n", "cve: bad value" },
		{ "1/tcp a open\n\tcve cve-2021-1234\n", "cve: bad value" },
		{ "1/tcp a open\n\tcve CVE-1899-1234\n", "cve: bad value" },
		{ "1/tcp a lan-only\n\tserved-by dovecot\n", "served-by: bad value \"dovecot\"" },
		{ "1/tcp a lan-only\n\tserved-by /usr/../bin/sh\n", "served-by: bad value" },
		{ "1/tcp a open\n\tprogram /usr/bin/node\n", "program: bad value" },
		{ "1/tcp a open\n\tprogram node\n\toption inspect\n", "option: bad value \"inspect\"" },
		{ "1/tcp a open\n\toption --inspect\n", "bad.rules:1: a: option needs program" },
		{ "1/tcp a open\n\tserved-by /usr/sbin/x\n", "bad.rules:1: a: served-by on an open entry" },
		{ "1/tcp a open\n\talias b@d\n", "alias: bad value" },
		{ "1/tcp a open\n\tincident 2021-13-01 x\n", "bad.rules:2: incident: expected" },
		{ "1/tcp a open\n\tincident 2021-01-01\n", "incident: expected" },
		{ "1/tcp a open\n\tincident yesterday it broke\n", "incident: expected" },
		{ "1/tcp a open\n\tcolour blue\n", "unknown attribute \"colour\"" },
		{ "1/tcp a open\n\toverlaps 2\n\toverlaps 3\n", "bad.rules:3: overlaps given twice" },
		{ "1/tcp a open\n\toverlaps 1 2 3 4 5\n", "bad.rules:2: more than 4 overlaps ports" },
		{ "1/tcp a open\n\toverlaps 9-2\n", "bad.rules:2: range 9-2 runs backwards" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, strlen(cases[i].text), cases[i].message);
}

static void policy_parse__listener__each_policy_its_own_list(void **state)
{
	struct policy_db *db = load_ok("3000/tcp dev-http loopback-only\n"
				       "\tlistener lan-only grafana grafana-server\n"
				       "\tlistener lan-only java:org.apache.druid.cli.Main /usr/local/bin/gitea\n"
				       "\tlistener open /usr/sbin/nsd\n"
				       "\tserved-by /usr/sbin/knotd\n"
				       "4001/tcp ipfs open\n"
				       "\tlistener lan-only etcd\n"
				       "\tlistener loopback-only next:dev\n");
	const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 3000);

	assert_string_equal(e->listen_lan,
			    "grafana grafana-server java:org.apache.druid.cli.Main /usr/local/bin/gitea");
	assert_string_equal(e->served_by, "/usr/sbin/nsd /usr/sbin/knotd");
	assert_null(e->listen_loopback);
	assert_true(policy_has_listener_rules(e));
	e = policy_lookup(db, IPPROTO_TCP, 4001);
	assert_string_equal(e->listen_lan, "etcd");
	assert_string_equal(e->listen_loopback, "next:dev");
	assert_null(e->served_by);
	/* the enforcer keeps them when the reader text goes */
	policy_db_shed_text(db);
	assert_string_equal(e->listen_loopback, "next:dev");
	policy_db_free(db);
}

static void policy_parse__cve_via__kept_apart_with_its_ports(void **state)
{
	struct policy_db *db = load_ok("80/tcp http open\n443/tcp https open\n"
				       "9000/tcp php-fpm lan-only\n"
				       "\tcve CVE-2019-11043 via 80/tcp 443\n"
				       "\tcve CVE-2021-0001\n"
				       "\tcve CVE-2022-0002 CVE-2022-0003 via 80\n");
	const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 9000);

	assert_string_equal(e->cves, "CVE-2021-0001");
	assert_string_equal(e->cves_via, "CVE-2019-11043 via 80/tcp 443\nCVE-2022-0002 CVE-2022-0003 via 80");
	assert_int_equal(e->nvia, 3);
	assert_int_equal(e->via[0].lo, 80);
	assert_int_equal(e->via[0].protos, POLICY_TCP);
	assert_int_equal(e->via[1].lo, 443);
	assert_int_equal(e->via[1].protos, POLICY_TCP);	/* the entry's own protocol */
	policy_db_shed_text(db);
	assert_null(e->cves_via);
	policy_db_free(db);
}

static void policy_parse__listener_and_via_bad_values__reported(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		/* opening to everyone is decided by the resolved path only */
		{ "1/tcp a lan-only\n\tlistener open nsd\n", "bad.rules:2: listener: bad value \"nsd\"" },
		{ "1/tcp a lan-only\n\tlistener lan-only grafana\n", "bad.rules:2: listener lan-only has no effect: the entry is lan-only already" },
		{ "1/tcp a open\n\tlistener open /usr/sbin/nsd\n", "listener open has no effect: the entry is open already" },
		{ "1/tcp a open\n\tlistener sometimes x\n", "bad.rules:2: listener: expected a policy" },
		{ "1/tcp a open\n\tlistener lan-only\n", "listener lan-only names no listener" },
		{ "1/tcp a open\n\tlistener lan-only -x\n", "listener: bad value \"-x\"" },
		{ "1/tcp a open\n\tlistener lan-only a:\n", "listener: bad value \"a:\"" },
		{ "1/tcp a open\n\tlistener lan-only :a\n", "listener: bad value \":a\"" },
		{ "1/tcp a open\n\tlistener lan-only bin/a\n", "listener: bad value \"bin/a\"" },
		{ "1/tcp a open\n\tlistener lan-only /usr/../a\n", "listener: bad value" },
		{ "1/tcp a open\n\tcve via 80/tcp\n", "bad.rules:2: cve: expected \"CVE-... via PORT/PROTO...\"" },
		{ "1/tcp a open\n\tcve CVE-2019-11043 via\n", "cve: expected" },
		{ "1/tcp a open\n\tcve CVE-2019-11043 via 99999\n", "bad port \"99999\"" },
		{ "1/tcp a open\n\tcve CVE-2019-11043 via 80/sctp\n", "unknown protocol \"sctp\"" },
		{ "1/tcp a open\n\tcve CVE-19-1 via 80\n", "cve: bad value \"CVE-19-1\"" },
		{ "1/tcp a open\n\tcve CVE-2019-11043 via 1 2 3 4 5 6 7 8 9\n", "more than 8 via ports" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, strlen(cases[i].text), cases[i].message);
}

static void policy_parse__thousands_of_entries__duplicate_found_tcp_udp_pairs_kept(void **state)
{
	size_t cap = 4000 * 64, len = 0;
	char *text = malloc(cap), errs[1024] = "";
	struct policy_db *db;
	unsigned p, n;

	assert_non_null(text);
	for (p = 1; p <= 4000; p++)
		len += (size_t)snprintf(text + len, cap - len, "%u/tcp t%u open\n%u/udp u%u open\n",
					p, p, p, p);
	len += (size_t)snprintf(text + len, cap - len, "1500/both late open\n");
	db = load(NULL, "big.rules", text, len, errs, sizeof(errs), &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(errs, "big.rules:8001: late duplicates the entry at line 2999"));
	assert_int_equal(db->nentries, 8000);
	policy_db_free(db);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_lookup__single_entry__found_for_its_protocol_only),
		cmocka_unit_test(policy_lookup__both__covers_tcp_and_udp),
		cmocka_unit_test(policy_lookup__range_and_single__single_wins),
		cmocka_unit_test(policy_lookup__equal_width_overlap__later_wins),
		cmocka_unit_test(policy_lookup__later_file__overrides_same_port),
		cmocka_unit_test(policy_lookup__whole_range__every_port_painted),
		cmocka_unit_test(policy_parse__attributes__stored),
		cmocka_unit_test(policy_parse__v2_fields__stored_and_joined),
		cmocka_unit_test(policy_parse__overlaps__stored_with_default_protocol),
		cmocka_unit_test(policy_db_shed_text__reader_text_freed__enforcement_fields_kept),
		cmocka_unit_test(policy_parse__v2_bad_values__each_reported_with_line),
		cmocka_unit_test(policy_parse__listener__each_policy_its_own_list),
		cmocka_unit_test(policy_parse__cve_via__kept_apart_with_its_ports),
		cmocka_unit_test(policy_parse__listener_and_via_bad_values__reported),
		cmocka_unit_test(policy_parse__thousands_of_entries__duplicate_found_tcp_udp_pairs_kept),
		cmocka_unit_test(policy_parse__comments_blank_crlf_no_final_newline__accepted),
		cmocka_unit_test(policy_parse__empty_file__no_entries_no_error),
		cmocka_unit_test(policy_parse__bad_inputs__each_reported_with_line),
		cmocka_unit_test(policy_parse__nul_byte__reported),
		cmocka_unit_test(policy_parse__huge_line__reported_not_truncated),
		cmocka_unit_test(policy_parse__bad_header__its_attribute_lines_not_reported),
		cmocka_unit_test(policy_parse__many_errors__output_capped),
		cmocka_unit_test(policy_db_load_file__missing_file__reported),
		cmocka_unit_test(policy_db_load_file__shipped_database__required_entries_present),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
