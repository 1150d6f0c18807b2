// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "policy_lint.h"

#define LONG_ABOUT \
	"\tabout Two hundred bytes or more of explanation: what listens here by default and on which\n" \
	"\tabout address, what a stranger who reaches it gains, and what the administrator should do\n" \
	"\tabout instead of exposing it to the whole Internet.\n"

/* Loads each text as its own file, lints, returns the findings. */
static unsigned lint(const char *const *files, unsigned nfiles, char *out, size_t cap)
{
	struct policy_db *db = policy_db_new();
	FILE *f = fmemopen(out, cap, "w");
	unsigned i, n;

	for (i = 0; i < nfiles; i++) {
		char name[16], *copy = strdup(files[i]);

		snprintf(name, sizeof(name), "f%u.rules", i);
		assert_int_equal(policy_db_load_buf(db, name, copy, strlen(copy), stderr), 0);
		free(copy);
	}
	policy_db_build_index(db);
	n = policy_lint(db, f);
	fclose(f);
	policy_db_free(db);
	return n;
}

static unsigned lint1(const char *text, char *out, size_t cap)
{
	return lint(&text, 1, out, cap);
}

static void policy_lint__complete_entries__no_findings(void **state)
{
	char out[1024] = "";
	const char *text =
		"22/tcp ssh open\n\ttitle Secure Shell\n\tabout Remote logins.\n"
		"6379/tcp redis lan-only\n\ttitle Redis\n\trelated 22/tcp 26379\n" LONG_ABOUT
		"26379/tcp redis-sentinel lan-only\n\ttitle Sentinel\n" LONG_ABOUT;

	assert_int_equal(lint1(text, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void policy_lint__related_port_nobody_describes__reported_per_protocol(void **state)
{
	char out[1024] = "";
	const char *text =
		"53/udp domain open\n\ttitle DNS\n\tabout Names.\n"
		"22/tcp ssh open\n\ttitle Secure Shell\n\tabout Logins.\n\trelated 53/both 4242/tcp 22\n";

	assert_int_equal(lint1(text, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "f0.rules:4: ssh: related 53/tcp: no entry describes it"));
	assert_non_null(strstr(out, "f0.rules:4: ssh: related 4242/tcp: no entry describes it"));
	assert_null(strstr(out, "53/udp"));
}

static void policy_lint__short_or_missing_text__reported_for_guarded_only(void **state)
{
	char out[2048] = "";
	const char *text =
		"1/tcp a open\n\ttitle A\n\tabout Short is fine when open.\n"
		"2/tcp b lan-only\n\ttitle B\n\tabout Too short.\n"
		"3/tcp c loopback-only\n\ttitle C\n"
		"4/tcp d open\n\tabout No title.\n";

	assert_int_equal(lint1(text, out, sizeof(out)), 3);
	assert_non_null(strstr(out, "f0.rules:4: b: about text of a guarded entry is 10 bytes, want at least 200"));
	assert_non_null(strstr(out, "f0.rules:7: c: no about text"));
	assert_non_null(strstr(out, "f0.rules:9: d: no title"));
}

static void policy_lint__undeclared_overlap__reported_declared_not(void **state)
{
	char out[2048] = "";
	const char *undeclared =
		"6000-6063/tcp x11 open\n\ttitle X\n\tabout X.\n"
		"6006/tcp tensorboard open\n\ttitle T\n\tabout T.\n";
	const char *declared =
		"6000-6063/tcp x11 open\n\ttitle X\n\tabout X.\n"
		"6006/tcp tensorboard open\n\ttitle T\n\tabout T.\n\toverlaps 6000-6063\n";
	const char *other_proto =
		"6000-6063/tcp x11 open\n\ttitle X\n\tabout X.\n"
		"6006/udp t open\n\ttitle T\n\tabout T.\n";

	assert_int_equal(lint1(undeclared, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "f0.rules:4: tensorboard: overlaps 6000-6063/tcp (x11, line 1) without saying so"));
	memset(out, 0, sizeof(out));
	assert_int_equal(lint1(declared, out, sizeof(out)), 0);
	assert_int_equal(lint1(other_proto, out, sizeof(out)), 0);
}

static void policy_lint__overlap_across_files__is_an_override_not_a_finding(void **state)
{
	const char *files[2] = {
		"6000-6063/tcp x11 open\n\ttitle X\n\tabout X.\n",
		"6006/tcp tensorboard open\n\ttitle T\n\tabout T.\n",
	};
	char out[1024] = "";

	assert_int_equal(lint(files, 2, out, sizeof(out)), 0);
}

static void policy_lint__stale_overlaps_line__reported(void **state)
{
	char out[1024] = "";
	const char *text = "6006/tcp t open\n\ttitle T\n\tabout T.\n\toverlaps 6000-6063/tcp\n";

	assert_int_equal(lint1(text, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "f0.rules:1: t: overlaps 6000-6063/tcp: no entry of this file has that range"));
}

static void policy_lint__repeated_words__reported(void **state)
{
	char out[2048] = "";
	const char *text =
		"80/tcp http open\n\ttitle Web\n\tabout Pages.\n"
		"7860/tcp gradio loopback-only\n\ttitle Gradio\n" LONG_ABOUT
		"\tprogram gradio\n\tprogram gradio\n"
		"\tcve CVE-2023-51449\n\tcve CVE-2024-1561 CVE-2023-51449\n"
		"\tcve CVE-2024-1561 via 80\n"
		"\tlistener lan-only grafana gitea\n\tlistener open /usr/bin/gitea\n"
		"\tlistener lan-only gitea\n";

	assert_int_equal(lint1(text, out, sizeof(out)), 4);
	assert_non_null(strstr(out, "f0.rules:4: gradio: program: \"gradio\" given twice\n"));
	assert_non_null(strstr(out, "f0.rules:4: gradio: cve: \"CVE-2023-51449\" given twice\n"));
	assert_non_null(strstr(out, "f0.rules:4: gradio: cve CVE-2024-1561 is given for this port and via another\n"));
	assert_non_null(strstr(out, "f0.rules:4: gradio: listener lan-only: \"gitea\" given twice\n"));
}

static void policy_lint__cve_via_ports__described_and_other(void **state)
{
	char out[1024] = "";
	const char *text =
		"80/tcp http open\n\ttitle Web\n\tabout Pages.\n"
		"9000/tcp php-fpm lan-only\n\ttitle FastCGI\n" LONG_ABOUT
		"\tcve CVE-2019-11043 via 80 443\n\tcve CVE-2019-0001 via 9000\n";

	assert_int_equal(lint1(text, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "f0.rules:4: php-fpm: cve via 443/tcp: no entry describes it\n"));
	assert_non_null(strstr(out, "f0.rules:4: php-fpm: cve via 9000/tcp: that is this entry's own port"));
}

static void policy_lint__rows_of_numbered_ports__gap_and_next_reported(void **state)
{
	char out[2048] = "";
	const char *text =
		"5800/tcp vnc-http lan-only\n\ttitle VNC web :0\n" LONG_ABOUT
		"5801/tcp vnc-http-1 lan-only\n\ttitle VNC web :1\n" LONG_ABOUT
		"32768/udp ephemeral-32768 open\n\ttitle e\n\tabout e.\n"
		"32769/udp ephemeral-32769 open\n\ttitle e\n\tabout e.\n"
		"32771/udp ephemeral-32771 open\n\ttitle e\n\tabout e.\n"
		"40000/tcp thing open\n\ttitle t\n\tabout t.\n"
		"40001/tcp thing-2 open\n\ttitle t\n\tabout t.\n"
		"40003/tcp other lan-only\n\ttitle o\n" LONG_ABOUT
		"40005/tcp another lan-only\n\ttitle o\n" LONG_ABOUT
		"2103/tcp msmq-rpc lan-only\n\ttitle m\n" LONG_ABOUT
		"2105/tcp msmq-rpc-2105 lan-only\n\ttitle m\n" LONG_ABOUT
		"8193/tcp sophos-8193 lan-only\n\ttitle s\n" LONG_ABOUT
		"8194/tcp sophos-8194 lan-only\n\ttitle s\n" LONG_ABOUT;

	assert_int_equal(lint1(text, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "f0.rules:6: vnc-http-1: 5802/tcp has no entry, but it is the next port of a guarded service numbered in a row\n"));
	assert_non_null(strstr(out, "f0.rules:14: ephemeral-32769: 32770/udp has no entry, but the ports on both sides belong to the same service\n"));
	/* no finding: an open row's next port, unrelated neighbours, a gap
	 * between two of a family that skips ports (MSMQ's odd ports), the port
	 * after names that carry their port number (no instance row) */
}

static void policy_lint__shipped_database__clean(void **state)
{
	char errs[2048] = "";
	FILE *err = fmemopen(errs, sizeof(errs), "w");
	struct policy_db *db = policy_db_new();
	char *out = calloc(1, 1 << 16);
	FILE *f = fmemopen(out, 1 << 16, "w");
	unsigned n;

	assert_int_equal(policy_db_load_file(db, SRCDIR "/rules/ports.db", err), 0);
	fclose(err);
	policy_db_build_index(db);
	n = policy_lint(db, f);
	fclose(f);
	if (n)
		fail_msg("%u lint findings in the shipped database:\n%s", n, out);
	free(out);
	policy_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_lint__complete_entries__no_findings),
		cmocka_unit_test(policy_lint__related_port_nobody_describes__reported_per_protocol),
		cmocka_unit_test(policy_lint__short_or_missing_text__reported_for_guarded_only),
		cmocka_unit_test(policy_lint__undeclared_overlap__reported_declared_not),
		cmocka_unit_test(policy_lint__overlap_across_files__is_an_override_not_a_finding),
		cmocka_unit_test(policy_lint__stale_overlaps_line__reported),
		cmocka_unit_test(policy_lint__repeated_words__reported),
		cmocka_unit_test(policy_lint__cve_via_ports__described_and_other),
		cmocka_unit_test(policy_lint__rows_of_numbered_ports__gap_and_next_reported),
		cmocka_unit_test(policy_lint__shipped_database__clean),
	};

	return cmocka_run_group_tests_name("policy_lint", tests, NULL, NULL);
}
