// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "testdb.h"

static struct sock_entry sock(int family, const char *addr, uint16_t port)
{
	struct sock_entry s = { .family = (uint8_t)family, .proto = IPPROTO_TCP, .port = port };

	inet_pton(family, addr, s.addr);
	return s;
}

static struct policy_db *db;

static int setup(void **state)
{
	char text[] = "3306/tcp mysql loopback-only\n"
		      "143/tcp imap loopback-only\n\tserved-by /usr/sbin/dovecot\n"
		      "5432/tcp postgresql lan-only\n"
		      "9229/tcp node-inspector loopback-only\n\tprogram node\n\toption --inspect\n"
		      "80/tcp http open\n";

	db = testdb_from("t", text);
	return db ? 0 : -1;
}

static int teardown(void **state)
{
	policy_db_free(db);
	return 0;
}

static void audit_classify__table__statuses(void **state)
{
	static const struct {
		int family;
		const char *addr;
		uint16_t port;
		int enforced, monitor, guard;
		const char *route_localnet;
		enum audit_status want;
	} cases[] = {
		{ AF_INET, "0.0.0.0", 3306, 0, 0, 0, NULL, AUDIT_EXPOSED },
		{ AF_INET6, "::", 3306, 0, 0, 0, NULL, AUDIT_EXPOSED },
		{ AF_INET, "0.0.0.0", 3306, 1, 0, 1, NULL, AUDIT_PROTECTED },
		{ AF_INET, "0.0.0.0", 3306, 0, 1, 1, NULL, AUDIT_EXPOSED },
		{ AF_INET, "192.168.1.5", 5432, 0, 0, 0, NULL, AUDIT_EXPOSED },
		{ AF_INET, "192.168.1.5", 5432, 1, 0, 1, NULL, AUDIT_LAN },
		{ AF_INET, "192.168.1.5", 5432, 0, 1, 1, NULL, AUDIT_EXPOSED },
		{ AF_INET, "0.0.0.0", 80, 0, 0, 0, NULL, AUDIT_OPEN },
		{ AF_INET, "0.0.0.0", 8123, 1, 0, 1, NULL, AUDIT_OPEN },
		{ AF_INET, "127.0.0.1", 3306, 0, 0, 0, NULL, AUDIT_LOCAL_ONLY },
		{ AF_INET, "127.0.0.53", 80, 0, 0, 0, NULL, AUDIT_LOCAL_ONLY },
		{ AF_INET6, "::1", 3306, 0, 0, 0, "eth0", AUDIT_LOCAL_ONLY },
		{ AF_INET, "127.0.0.1", 3306, 0, 0, 0, "eth0", AUDIT_EXPOSED },
		{ AF_INET, "127.0.0.1", 80, 0, 0, 0, "eth0", AUDIT_EXPOSED },
		{ AF_INET, "127.0.0.1", 3306, 0, 0, 1, "eth0", AUDIT_LOCAL_ONLY },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sock_entry s = sock(cases[i].family, cases[i].addr, cases[i].port);
		struct audit_facts f = { cases[i].enforced, cases[i].monitor, cases[i].guard,
					 cases[i].route_localnet, 0 };
		const struct policy_entry *e;
		char why[128];
		enum audit_status st = audit_classify(&s, policy_lookup(db, IPPROTO_TCP, s.port), NULL,
						      &f, &e, why, sizeof(why));

		if (st != cases[i].want)
			fail_msg("case %u (%s): %s, want %s", i, cases[i].addr, audit_status_name(st),
				 audit_status_name(cases[i].want));
		if (cases[i].route_localnet && st == AUDIT_EXPOSED)
			assert_non_null(strstr(why, "route_localnet"));
		if (cases[i].monitor && st == AUDIT_EXPOSED)
			assert_non_null(strstr(why, "monitor mode"));
	}
}

static void audit_classify__served__says_by_what(void **state)
{
	struct sock_entry s = sock(AF_INET6, "::", 143);
	struct listenpolicy_port lp = { .proto = IPPROTO_TCP, .port = 143, .who = "/usr/sbin/dovecot" };
	struct audit_facts f = { 1, 0, 1, NULL, 0 };
	const struct policy_entry *e;
	char why[128];

	lp.served = policy_lookup(db, IPPROTO_TCP, 143);
	assert_int_equal(audit_classify(&s, lp.served, &lp, &f, &e, why, sizeof(why)), AUDIT_SERVED);
	assert_string_equal(why, "by /usr/sbin/dovecot");
	/* served whether or not the daemon runs, monitor or not */
	f.enforced = 0;
	f.monitor = 1;
	assert_int_equal(audit_classify(&s, lp.served, &lp, &f, &e, why, sizeof(why)), AUDIT_SERVED);
	/* a listener that is not the server: the entry's policy again */
	lp.served = NULL;
	f.monitor = 0;
	assert_int_equal(audit_classify(&s, policy_lookup(db, IPPROTO_TCP, 143), &lp, &f, &e, why,
					sizeof(why)), AUDIT_EXPOSED);
}

static void audit_classify__dangerous_software__named(void **state)
{
	struct sock_entry s = sock(AF_INET, "0.0.0.0", 9230);
	struct listenpolicy_port lp = { .proto = IPPROTO_TCP, .port = 9230, .who = "node[42]" };
	struct audit_facts f = { 0, 0, 0, NULL, 0 };
	const struct policy_entry *e;
	char why[128];

	lp.guard = policy_lookup(db, IPPROTO_TCP, 9229);
	assert_int_equal(audit_classify(&s, NULL, &lp, &f, &e, why, sizeof(why)), AUDIT_EXPOSED);
	assert_string_equal(e->service, "node-inspector");
	assert_non_null(strstr(why, "node[42] is node-inspector"));
	f.enforced = 1;
	f.martian_guard = 1;
	assert_int_equal(audit_classify(&s, NULL, &lp, &f, &e, why, sizeof(why)), AUDIT_PROTECTED);
	f.monitor = 1;
	assert_int_equal(audit_classify(&s, NULL, &lp, &f, &e, why, sizeof(why)), AUDIT_EXPOSED);
}

static void audit_classify__listener_line__says_which_applied(void **state)
{
	struct sock_entry s = sock(AF_INET, "0.0.0.0", 3306);
	struct listenpolicy_port lp = { .proto = IPPROTO_TCP, .port = 3306, .who = "grafana[42]",
					.kind = POLICY_LAN_ONLY, .rule = "listener lan-only grafana" };
	struct audit_facts f = { 1, 0, 1, NULL, 0 };
	const struct policy_entry *e;
	char why[128];

	lp.ruled = policy_lookup(db, IPPROTO_TCP, 3306);
	assert_int_equal(audit_classify(&s, lp.ruled, &lp, &f, &e, why, sizeof(why)), AUDIT_LAN);
	assert_string_equal(why, "lan-only instead of loopback-only: grafana[42] holds it (listener lan-only grafana)");
	assert_int_equal(audit_kind(e, &lp), POLICY_LAN_ONLY);
	/* an open entry its listener guards */
	s.port = lp.port = 80;
	lp.ruled = policy_lookup(db, IPPROTO_TCP, 80);
	assert_int_equal(audit_classify(&s, lp.ruled, &lp, &f, &e, why, sizeof(why)), AUDIT_LAN);
	f.enforced = 0;
	assert_int_equal(audit_classify(&s, lp.ruled, &lp, &f, &e, why, sizeof(why)), AUDIT_EXPOSED);
	/* without the facts, the entry's own */
	assert_int_equal(audit_classify(&s, lp.ruled, NULL, &f, &e, why, sizeof(why)), AUDIT_OPEN);
	assert_int_equal(audit_kind(e, NULL), POLICY_OPEN);
}

/* An adoption window lets outsiders reach lan-only ports: exposed, and
 * said why; loopback-only ports are enforced in it. */
static void audit_classify__adoption_window__lan_only_exposed(void **state)
{
	struct sock_entry s = sock(AF_INET, "0.0.0.0", 5432);
	struct audit_facts f = { 1, 0, 1, NULL, 1 };
	const struct policy_entry *e;
	char why[160];

	assert_int_equal(audit_classify(&s, policy_lookup(db, IPPROTO_TCP, 5432), NULL, &f, &e, why,
					sizeof(why)), AUDIT_EXPOSED);
	assert_non_null(strstr(why, "adoption window"));
	s = sock(AF_INET, "0.0.0.0", 3306);
	assert_int_equal(audit_classify(&s, policy_lookup(db, IPPROTO_TCP, 3306), NULL, &f, &e, why,
					sizeof(why)), AUDIT_PROTECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_classify__table__statuses),
		cmocka_unit_test(audit_classify__served__says_by_what),
		cmocka_unit_test(audit_classify__dangerous_software__named),
		cmocka_unit_test(audit_classify__listener_line__says_which_applied),
		cmocka_unit_test(audit_classify__adoption_window__lan_only_exposed),
	};

	return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
