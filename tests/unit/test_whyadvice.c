// SPDX-License-Identifier: GPL-2.0-or-later
/* The advice of `portwarden why`: the narrowest change, overlays named. */
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

#include "testdb.h"
#include "whyadvice.h"

static struct policy_db *db;

static int setup(void **state)
{
	db = testdb_from("local.rules", "143/tcp imap loopback-only\n"
					"5432/tcp postgresql lan-only\n\tfrom 203.0.113.0/24\n");
	return db ? 0 : -1;
}

static int teardown(void **state)
{
	policy_db_free(db);
	return 0;
}

static void advise(uint16_t port, const char *src, const char *iif, int in_lan,
		   const struct lan_host *host, struct whyadvice *a)
{
	int family = strchr(src, ':') ? AF_INET6 : AF_INET;
	uint8_t addr[16] = { 0 };

	assert_int_equal(inet_pton(family, src, addr), 1);
	whyadvice_compute(policy_lookup(db, IPPROTO_TCP, port), family, addr, iif, in_lan, host, a);
}

static const char *net(const struct whyadvice *a, unsigned i)
{
	static char text[4][64];

	assert_true(i < a->nfrom);
	policy_net_text(&a->from[i], text[i], sizeof(text[i]));
	return text[i];
}

static void whyadvice__internet_source__host_then_its_network_never_everyone(void **state)
{
	struct whyadvice a;

	advise(143, "198.51.100.7", "eth0", 0, NULL, &a);
	assert_null(a.listed);
	assert_false(a.lan);
	assert_int_equal(a.nfrom, 2);
	assert_string_equal(net(&a, 0), "198.51.100.7");
	assert_string_equal(net(&a, 1), "198.51.100.0/24");
	assert_false(a.lan_fits);
	advise(143, "2001:db8:7:1::5", "", 0, NULL, &a);
	assert_string_equal(net(&a, 0), "2001:db8:7:1::5");
	assert_string_equal(net(&a, 1), "2001:db8:7:1::/64");
}

static void whyadvice__listed_or_lan__nothing_to_suggest(void **state)
{
	struct whyadvice a;

	advise(5432, "203.0.113.77", "eth1", 0, NULL, &a);
	assert_non_null(a.listed);
	assert_int_equal(a.listed->line, 3);
	assert_int_equal(a.nfrom, 0);
	advise(5432, "198.51.100.7", "eth1", 1, NULL, &a);
	assert_true(a.lan);
	assert_int_equal(a.nfrom, 0);
	/* a LAN source on a loopback-only port: --lan fits, the host first */
	advise(143, "198.51.100.7", "eth1", 1, NULL, &a);
	assert_true(a.lan_fits);
	assert_string_equal(net(&a, 0), "198.51.100.7");
}

static void whyadvice__overlay_ranges__the_overlay_network_first(void **state)
{
	struct whyadvice a;

	advise(5432, "100.101.102.103", "", 0, NULL, &a);
	assert_non_null(strstr(a.overlay, "100.64.0.0/10"));
	assert_string_equal(net(&a, 0), "100.64.0.0/10");
	assert_string_equal(net(&a, 1), "100.101.102.103");
	assert_int_equal(a.nfrom, 2);
	advise(5432, "fd7a:115c:a1e0:ab12::1", "tailscale0", 0, NULL, &a);
	assert_non_null(strstr(a.overlay, "Tailscale"));
	assert_string_equal(net(&a, 0), "fd7a:115c:a1e0::/48");
}

/* A WireGuard peer's address is the admin's own choice: its network is
 * the one of the interface it came in on. */
static void whyadvice__overlay_interface__its_own_network(void **state)
{
	static struct lan_addr wg0_addr = { .family = AF_INET, .prefix = 24,
					    .addr = { 198, 18, 7, 1 } };
	static struct lan_link wg0 = { .ifindex = 5, .name = "wg0", .addrs = &wg0_addr,
				       .naddrs = 1 };
	static struct lan_host host = { .links = &wg0, .nlinks = 1 };
	struct whyadvice a;

	advise(5432, "198.18.7.20", "wg0", 0, &host, &a);
	assert_non_null(strstr(a.overlay, "wg0"));
	assert_string_equal(net(&a, 0), "198.18.7.0/24");
	assert_string_equal(net(&a, 1), "198.18.7.20");
	/* unknown interface network: the address alone */
	advise(5432, "198.19.0.9", "wg0", 0, &host, &a);
	assert_non_null(strstr(a.overlay, "wg0"));
	assert_int_equal(a.nfrom, 1);
	assert_string_equal(net(&a, 0), "198.19.0.9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whyadvice__internet_source__host_then_its_network_never_everyone),
		cmocka_unit_test(whyadvice__listed_or_lan__nothing_to_suggest),
		cmocka_unit_test(whyadvice__overlay_ranges__the_overlay_network_first),
		cmocka_unit_test(whyadvice__overlay_interface__its_own_network),
	};

	return cmocka_run_group_tests_name("whyadvice", tests, setup, teardown);
}
