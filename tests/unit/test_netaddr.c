// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "fnv1a.h"
#include "netaddr.h"

static void netaddr_len__families(void **state)
{
	assert_int_equal(netaddr_len(AF_INET), 4);
	assert_int_equal(netaddr_len(AF_INET6), 16);
}

static void netaddr_is_loopback__v4_net_and_v6_host(void **state)
{
	uint8_t a[16] = { 0 };

	inet_pton(AF_INET, "127.5.6.7", a);
	assert_true(netaddr_is_loopback(AF_INET, a));
	inet_pton(AF_INET, "198.51.100.1", a);
	assert_false(netaddr_is_loopback(AF_INET, a));
	inet_pton(AF_INET6, "::1", a);
	assert_true(netaddr_is_loopback(AF_INET6, a));
	inet_pton(AF_INET6, "::2", a);
	assert_false(netaddr_is_loopback(AF_INET6, a));
}

/* the published test vector: FNV-1a 32 of "a" is 0xe40c292c */
static void fnv1a__known_vector_and_continuation(void **state)
{
	assert_int_equal(fnv1a(FNV1A_START, "a", 1), 0xe40c292cu);
	assert_int_equal(fnv1a(fnv1a(FNV1A_START, "fo", 2), "o", 1),
			 fnv1a(FNV1A_START, "foo", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netaddr_len__families),
		cmocka_unit_test(netaddr_is_loopback__v4_net_and_v6_host),
		cmocka_unit_test(fnv1a__known_vector_and_continuation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
