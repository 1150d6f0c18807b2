// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "portmap.h"

typedef uint8_t map_t[2][PORTMAP_BYTES];

/* Two maps in one buffer at an odd offset, so pages are cut mid-map */
static uint8_t *two_maps(map_t **a, map_t **b)
{
	uint8_t *buf = calloc(1, 2 * sizeof(map_t) + 4096 + 100);

	assert_non_null(buf);
	*a = (map_t *)(buf + 100);
	*b = (map_t *)(buf + 100 + sizeof(map_t));
	return buf;
}

static void portmap_copy__bits_on_either_side__dst_equals_src(void **state)
{
	map_t *src, *dst;
	uint8_t *buf = two_maps(&src, &dst);

	portmap_set(*src, IPPROTO_TCP, 22, 1);
	portmap_set(*src, IPPROTO_TCP, 40000, 1);
	portmap_set(*src, IPPROTO_UDP, 65535, 1);
	portmap_set(*dst, IPPROTO_TCP, 80, 1);	/* a page src has nothing in */
	portmap_set(*dst, IPPROTO_UDP, 5, 1);
	portmap_copy(*dst, (const uint8_t (*)[PORTMAP_BYTES])*src);
	assert_memory_equal(*dst, *src, sizeof(map_t));
	free(buf);
}

static void portmap_clear__bits_anywhere__all_zero(void **state)
{
	static const map_t zero;
	map_t *a, *b;
	uint8_t *buf = two_maps(&a, &b);

	portmap_set(*a, IPPROTO_TCP, 1, 1);
	portmap_set(*a, IPPROTO_TCP, 65535, 1);
	portmap_set(*a, IPPROTO_UDP, 33000, 1);
	portmap_clear(*a);
	assert_memory_equal(*a, zero, sizeof(map_t));
	free(buf);
}

/* The point of both: a page zero on both sides is never written.  The
 * map fills four pages exactly; the three without a port are made
 * read-only, so a write there would fault. */
static void portmap_copy_clear__zero_pages__never_written(void **state)
{
	uint8_t *pages;
	map_t *dst, *src;

	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();	/* the map would not span pages to protect apart */
	pages = mmap(NULL, 2 * 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(pages != MAP_FAILED && sizeof(map_t) == 4 * 4096);
	dst = (map_t *)pages;
	src = (map_t *)(pages + 4 * 4096);
	portmap_set(*src, IPPROTO_TCP, 443, 1);	/* page 0 of each */
	portmap_set(*dst, IPPROTO_TCP, 25, 1);
	assert_int_equal(mprotect(pages + 4096, 3 * 4096, PROT_READ), 0);
	portmap_copy(*dst, (const uint8_t (*)[PORTMAP_BYTES])*src);
	assert_true(portmap_has((const uint8_t (*)[PORTMAP_BYTES])*dst, IPPROTO_TCP, 443));
	assert_false(portmap_has((const uint8_t (*)[PORTMAP_BYTES])*dst, IPPROTO_TCP, 25));
	portmap_clear(*dst);
	assert_false(portmap_has((const uint8_t (*)[PORTMAP_BYTES])*dst, IPPROTO_TCP, 443));
	munmap(pages, 2 * 4 * 4096);
}

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
		cmocka_unit_test(portmap_copy__bits_on_either_side__dst_equals_src),
		cmocka_unit_test(portmap_clear__bits_anywhere__all_zero),
		cmocka_unit_test(portmap_copy_clear__zero_pages__never_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
