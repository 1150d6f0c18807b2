// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "audit.h"

static struct sock_entry sock(int family, const char *addr, uint16_t port)
{
	struct sock_entry s = { .family = (uint8_t)family, .proto = IPPROTO_TCP, .port = port };

	inet_pton(family, addr, s.addr);
	return s;
}

static void audit_classify__table__statuses(void **state)
{
	static const struct {
		int family;
		const char *addr;
		enum policy_kind kind;
		int enforced, guard;
		const char *route_localnet;
		enum audit_status want;
	} cases[] = {
		{ AF_INET, "0.0.0.0", POLICY_LOOPBACK_ONLY, 0, 0, NULL, AUDIT_EXPOSED },
		{ AF_INET6, "::", POLICY_LOOPBACK_ONLY, 0, 0, NULL, AUDIT_EXPOSED },
		{ AF_INET, "0.0.0.0", POLICY_LOOPBACK_ONLY, 1, 1, NULL, AUDIT_PROTECTED },
		{ AF_INET, "192.168.1.5", POLICY_LAN_ONLY, 0, 0, NULL, AUDIT_EXPOSED },
		{ AF_INET, "192.168.1.5", POLICY_LAN_ONLY, 1, 1, NULL, AUDIT_PROTECTED },
		{ AF_INET, "0.0.0.0", POLICY_OPEN, 0, 0, NULL, AUDIT_PUBLIC },
		{ AF_INET, "127.0.0.1", POLICY_LOOPBACK_ONLY, 0, 0, NULL, AUDIT_LOCAL_ONLY },
		{ AF_INET, "127.0.0.53", POLICY_OPEN, 0, 0, NULL, AUDIT_LOCAL_ONLY },
		{ AF_INET6, "::1", POLICY_LOOPBACK_ONLY, 0, 0, "eth0", AUDIT_LOCAL_ONLY },
		{ AF_INET, "127.0.0.1", POLICY_LOOPBACK_ONLY, 0, 0, "eth0", AUDIT_EXPOSED },
		{ AF_INET, "127.0.0.1", POLICY_OPEN, 0, 0, "eth0", AUDIT_EXPOSED },
		{ AF_INET, "127.0.0.1", POLICY_LOOPBACK_ONLY, 0, 1, "eth0", AUDIT_LOCAL_ONLY },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sock_entry s = sock(cases[i].family, cases[i].addr, 3306);
		struct audit_facts f = { cases[i].enforced, cases[i].guard, cases[i].route_localnet };
		const char *why;
		enum audit_status st = audit_classify(&s, cases[i].kind, &f, &why);

		if (st != cases[i].want)
			fail_msg("case %u (%s): %s, want %s", i, cases[i].addr, audit_status_name(st),
				 audit_status_name(cases[i].want));
		if (cases[i].route_localnet && st == AUDIT_EXPOSED)
			assert_non_null(strstr(why, "route_localnet"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_classify__table__statuses),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
