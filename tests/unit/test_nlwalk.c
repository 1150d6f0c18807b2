// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/netlink.h>
#include <string.h>

#include "nlwalk.h"

static void put(uint8_t *buf, size_t off, uint32_t len, uint16_t type)
{
	struct nlmsghdr h = { .nlmsg_len = len, .nlmsg_type = type };

	memcpy(buf + off, &h, sizeof(h));
}

static unsigned count(const void *buf, size_t len)
{
	struct nlwalk w;
	unsigned n = 0;

	nlwalk_init(&w, buf, len);
	while (nlwalk_next(&w))
		if (++n > 100)
			break;
	return n;
}

static void nlwalk_next__aligned_messages__each_once(void **state)
{
	uint32_t buf[32] = { 0 };

	put((uint8_t *)buf, 0, 18, 1);	/* padded to 20 */
	put((uint8_t *)buf, 20, 16, 2);
	assert_int_equal(count(buf, 36), 2);
}

static void nlwalk_next__hostile_lengths__stops(void **state)
{
	static const uint32_t lengths[] = { 0xffffffff, 0xfffffffd, 0, 15, 4096 };
	uint32_t buf[16] = { 0 };
	unsigned i;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		put((uint8_t *)buf, 0, lengths[i], 1);
		assert_int_equal(count(buf, sizeof(buf)), 0);
	}
}

static void nlwalk_next__unpadded_last_message__accepted_once(void **state)
{
	uint32_t buf[8] = { 0 };

	put((uint8_t *)buf, 0, 18, 1);
	assert_int_equal(count(buf, 18), 1);
	assert_int_equal(count(buf, 17), 0);
	assert_int_equal(count(buf, 20), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nlwalk_next__aligned_messages__each_once),
		cmocka_unit_test(nlwalk_next__hostile_lengths__stops),
		cmocka_unit_test(nlwalk_next__unpadded_last_message__accepted_once),
	};

	return cmocka_run_group_tests_name("nlwalk", tests, NULL, NULL);
}
