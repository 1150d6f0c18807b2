// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "heavy.h"

static void key_of(unsigned v, uint8_t *key)
{
	memset(key, 0, HEAVY_KEY);
	memcpy(key, &v, sizeof(v));
}

static unsigned value_of(const uint8_t *key)
{
	unsigned v;

	memcpy(&v, key, sizeof(v));
	return v;
}

/* the table starts small and grows while it counts exactly: 10,000 keys
 * seen in turn, three rounds, keep exact counts through every growth (the
 * entries keep their buckets, the index is made anew); the first key past
 * the capacity is counted by replacing one */
static void heavy__grows_past_its_first_room__every_count_exact(void **state)
{
	enum { KEYS = 10000 };
	struct heavy *h = heavy_new(KEYS);
	uint64_t *truth = calloc(KEYS, sizeof(*truth));
	struct heavy_item *top = calloc(KEYS, sizeof(*top));
	uint8_t key[HEAVY_KEY];
	unsigned round, k, i, n;

	assert_non_null(h);
	assert_non_null(truth);
	assert_non_null(top);
	for (round = 0; round < 3; round++)
		for (k = 0; k < KEYS; k++)
			for (i = 0; i <= k % 7; i++) {
				key_of(k, key);
				heavy_add(h, key, 1 + k % 3, round);
				truth[k] += 1 + k % 3;
			}
	n = heavy_top(h, top, KEYS);
	assert_int_equal(n, KEYS);
	assert_int_equal(heavy_used(h), KEYS);
	assert_false(heavy_replaced(h));
	for (i = 0; i < n; i++) {
		assert_int_equal(top[i].count, truth[value_of(top[i].key)]);
		assert_int_equal(top[i].error, 0);
		if (i)
			assert_true(top[i - 1].count >= top[i].count);
	}
	key_of(KEYS, key);
	heavy_add(h, key, 1, 3);
	assert_true(heavy_replaced(h));
	assert_int_equal(heavy_used(h), KEYS);
	heavy_free(h);
	free(truth);
	free(top);
}

/* a skewed stream: key k comes (k % 97) + 1 times in every round, with
 * weights up to 5 */
static void heavy__fits__every_count_exact(void **state)
{
	enum { KEYS = 500 };
	struct heavy *h = heavy_new(KEYS);
	uint64_t truth[KEYS] = { 0 };
	struct heavy_item *top = calloc(KEYS, sizeof(*top));
	uint8_t key[HEAVY_KEY];
	unsigned round, k, i, n;

	assert_non_null(h);
	for (round = 0; round < 20; round++)
		for (k = 0; k < KEYS; k++)
			for (i = 0; i <= k % 97; i++) {
				uint64_t w = 1 + (k + i + round) % 5;

				key_of(k, key);
				heavy_add(h, key, w, round);
				truth[k] += w;
			}
	n = heavy_top(h, top, KEYS);
	assert_int_equal(n, KEYS);
	assert_false(heavy_replaced(h));
	for (i = 0; i < n; i++) {
		assert_int_equal(top[i].count, truth[value_of(top[i].key)]);
		assert_int_equal(top[i].error, 0);
		assert_int_equal(top[i].first, 0);
		assert_int_equal(top[i].last, 19);
		if (i)
			assert_true(top[i - 1].count >= top[i].count);
	}
	heavy_free(h);
	free(top);
}

/* 100000 keys through 64 places: each kept count bounds the truth from
 * above within its error, and every key above total / capacity is kept */
static void heavy__overflow__bounds_hold_and_heavy_keys_kept(void **state)
{
	enum { CAP = 64, KEYS = 100000 };
	struct heavy *h = heavy_new(CAP);
	uint64_t *truth = calloc(KEYS, sizeof(*truth)), total = 0;
	struct heavy_item top[CAP];
	uint8_t key[HEAVY_KEY];
	unsigned i, n, k, found = 0;

	assert_non_null(h);
	srand(7);
	for (i = 0; i < 400000; i++) {
		/* one in four from ten heavy keys, the rest spread thin */
		k = i % 4 == 0 ? (unsigned)(rand() % 10) : 10 + (unsigned)(rand() % (KEYS - 10));
		key_of(k, key);
		heavy_add(h, key, 1 + (i % 7 == 0), i);
		truth[k] += 1 + (i % 7 == 0);
		total += 1 + (i % 7 == 0);
	}
	assert_true(heavy_replaced(h));
	n = heavy_top(h, top, CAP);
	assert_int_equal(n, CAP);
	for (i = 0; i < n; i++) {
		uint64_t t = truth[value_of(top[i].key)];

		assert_true(top[i].count >= t);
		assert_true(top[i].count - top[i].error <= t);
		found += value_of(top[i].key) < 10;
	}
	for (k = 0; k < 10; k++)
		assert_true(truth[k] > total / CAP);
	assert_int_equal(found, 10);
	/* and the ten are the ten heaviest reported */
	for (i = 0; i < 10; i++)
		assert_true(value_of(top[i].key) < 10);
	heavy_free(h);
	free(truth);
}

static void heavy_top__ties__by_key(void **state)
{
	struct heavy *h = heavy_new(8);
	struct heavy_item top[8];
	uint8_t key[HEAVY_KEY];
	unsigned k;

	for (k = 5; k > 0; k--) {
		key_of(k, key);
		heavy_add(h, key, 3, 0);
	}
	assert_int_equal(heavy_top(h, top, 3), 3);
	assert_int_equal(value_of(top[0].key), 1);
	assert_int_equal(value_of(top[1].key), 2);
	assert_int_equal(value_of(top[2].key), 3);
	heavy_free(h);
}

/* counts a file may hold: the sums stop at the top, the order holds */
static void heavy_add__huge_weights__saturate(void **state)
{
	struct heavy *h = heavy_new(2);
	struct heavy_item top[2];
	uint8_t key[HEAVY_KEY];

	key_of(1, key);
	heavy_add(h, key, UINT64_MAX - 1, 0);
	heavy_add(h, key, 5, 1);
	key_of(2, key);
	heavy_add(h, key, 7, 2);
	assert_int_equal(heavy_top(h, top, 2), 2);
	assert_int_equal(value_of(top[0].key), 1);
	assert_true(top[0].count == UINT64_MAX);
	assert_int_equal(top[1].count, 7);
	heavy_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(heavy__fits__every_count_exact),
		cmocka_unit_test(heavy__grows_past_its_first_room__every_count_exact),
		cmocka_unit_test(heavy__overflow__bounds_hold_and_heavy_keys_kept),
		cmocka_unit_test(heavy_top__ties__by_key),
		cmocka_unit_test(heavy_add__huge_weights__saturate),
	};

	return cmocka_run_group_tests_name("heavy", tests, NULL, NULL);
}
