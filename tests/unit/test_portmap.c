// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "portmap.h"

static void portmap_next__whole_walk__every_port_of_both_once(void **state)
{
	static uint8_t seen[2][PORTMAP_BYTES];
	struct portmap_pos p = PORTMAP_START;
	unsigned n = 0;

	while (portmap_next(&p)) {
		assert_int_not_equal(p.port, 0);
		assert_false(portmap_has(seen, p.proto, p.port));
		portmap_set(seen, p.proto, p.port, 1);
		if (n++ == 0)
			assert_int_equal(p.proto, IPPROTO_TCP);
	}
	assert_int_equal(n, 2 * 65535);
	assert_int_equal(p.proto, IPPROTO_UDP);
	assert_int_equal(p.port, 65535);
	assert_false(portmap_next(&p));	/* stays at the end */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portmap_next__whole_walk__every_port_of_both_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
