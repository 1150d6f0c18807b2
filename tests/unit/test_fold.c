// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fold.h"

static const char BLOCKED[] = "blocked", KERNEL[] = "kernel", QUEUE[] = "queue";

struct emitted {
	unsigned lines;
	unsigned long total;
	unsigned any_source;
	unsigned long last_count;
};

static void emit(void *ctx, const struct fold_event *ev, unsigned long count)
{
	struct emitted *e = ctx;

	e->lines++;
	e->total += count;
	e->any_source += ev->any_source;
	e->last_count = count;
}

static struct fold_event event(uint32_t src, uint16_t port, time_t t, const char *path)
{
	struct fold_event ev = { .action = BLOCKED, .path = path, .policy = "loopback-only" };

	ev.ts.tv_sec = t;
	ev.at = t;
	ev.pkt.family = AF_INET;
	ev.pkt.proto = IPPROTO_TCP;
	ev.pkt.dport = port;
	memcpy(ev.pkt.saddr, &src, 4);
	return ev;
}

static struct fold *new_fold(void)
{
	struct fold *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fold_init(f, 60);
	return f;
}

static void fold_event__repeats_in_window__one_line_with_count(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	struct fold_event ev = event(1, 143, 1000, KERNEL);
	unsigned i;

	assert_int_equal(fold_event(f, &ev), 1);
	for (i = 0; i < 99999; i++)
		assert_int_equal(fold_event(f, &ev), 0);
	fold_expire(f, 1059, emit, &e);
	assert_int_equal(e.lines, 0);	/* window still open */
	fold_expire(f, 1060, emit, &e);
	assert_int_equal(e.lines, 1);
	assert_int_equal(e.last_count, 99999);
	/* the window is closed: the next event opens a new one */
	assert_int_equal(fold_event(f, &ev), 1);
	free(f);
}

static void fold_event__different_keys__not_folded(void **state)
{
	struct fold *f = new_fold();
	struct fold_event a = event(1, 143, 1000, KERNEL), b = event(2, 143, 1000, KERNEL);
	struct fold_event c = event(1, 110, 1000, KERNEL), d = event(1, 143, 1000, QUEUE);

	assert_int_equal(fold_event(f, &a), 1);
	assert_int_equal(fold_event(f, &b), 1);
	assert_int_equal(fold_event(f, &c), 1);
	assert_int_equal(fold_event(f, &d), 1);
	free(f);
}

static void fold_event__single_event__nothing_at_expiry(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	struct fold_event ev = event(1, 143, 1000, KERNEL);

	fold_event(f, &ev);
	fold_expire(f, 0, emit, &e);
	assert_int_equal(e.lines, 0);
	free(f);
}

static void fold_event__million_sources__bounded_lines_and_counted(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	unsigned long written = 0;
	uint32_t src;

	for (src = 1; src <= 1000000; src++) {
		struct fold_event ev = event(src, 143, 1000, KERNEL);

		written += (unsigned long)fold_event(f, &ev);
	}
	fold_expire(f, 0, emit, &e);
	/* at most the table's share is written at once, the rest under "*" */
	assert_true(written <= FOLD_SLOTS);
	assert_int_equal(e.any_source, 1);
	assert_int_equal(written + e.total, 1000000);
	assert_int_equal(f->lost, 0);
	free(f);
}

static void fold_event__wild_table_full__lost_counted(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	unsigned long written = 0, n = 0;
	uint32_t src;
	uint16_t port;

	for (port = 1; port <= FOLD_WILD + 10; port++)
		for (src = 1; src <= FOLD_SLOTS; src++, n++) {
			struct fold_event ev = event(src * 7919 + port, port, 1000, KERNEL);

			written += (unsigned long)fold_event(f, &ev);
		}
	fold_expire(f, 0, emit, &e);
	assert_true(f->lost > 0);
	assert_int_equal(written + e.total + f->lost, n);
	free(f);
}

static void fold_expire__churn__table_keeps_working(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	time_t t;
	uint32_t src;

	for (t = 0; t < 200; t++) {
		for (src = 0; src < 500; src++) {
			/* spread over 64 ports: each stays under FOLD_PORT_SOURCES */
			struct fold_event ev = event(src + (uint32_t)t * 1000, (uint16_t)(1000 + src % 64),
						     t * 61, KERNEL);

			assert_int_equal(fold_event(f, &ev), 1);
		}
		fold_expire(f, t * 61 + 60, emit, &e);
	}
	assert_true(f->used == 0);
	free(f);
}

static void fold_repeat__open_window__counted_from_the_key_alone(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	struct fold_event first = event(1, 143, 1000, KERNEL);
	struct fold_event key = { .action = BLOCKED, .path = KERNEL };
	struct fold_event other;

	(void)state;
	strcpy(first.service, "imap");
	assert_int_equal(fold_event(f, &first), 1);
	key.ts.tv_sec = 1010;
	key.at = 1010;
	key.pkt = first.pkt;
	assert_int_equal(fold_repeat(f, &key), 1);
	other = key;
	other.pkt.dport = 110;
	assert_int_equal(fold_repeat(f, &other), 0);
	assert_int_equal(f->used, 1);	/* a miss opens nothing */
	fold_expire(f, 1060, emit, &e);
	assert_int_equal(e.lines, 1);
	assert_int_equal(e.last_count, 1);	/* the first was written when it came */
	free(f);
}

static void fold_expire__windows_opened_apart__each_closed_on_time(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	struct fold_event a = event(1, 143, 1000, KERNEL), b = event(2, 143, 1030, KERNEL);

	(void)state;
	fold_event(f, &a);
	fold_event(f, &a);	/* a repeat, so that closing writes a line */
	fold_event(f, &b);
	fold_event(f, &b);
	fold_expire(f, 1059, emit, &e);
	assert_int_equal(e.lines, 0);
	fold_expire(f, 1060, emit, &e);
	assert_int_equal(e.lines, 1);
	fold_expire(f, 1089, emit, &e);
	assert_int_equal(e.lines, 1);
	fold_expire(f, 1090, emit, &e);
	assert_int_equal(e.lines, 2);
	assert_int_equal(f->used, 0);
	free(f);
}

static void fold_event__new_sources_past_the_rate__folded_per_port(void **state)
{
	struct fold *f = new_fold();
	struct emitted e = { 0 };
	unsigned written = 0;
	uint32_t src;

	fold_set_rate(f, 3);
	for (src = 1; src <= 10; src++) {
		struct fold_event ev = event(src, 47808, 1000, QUEUE);

		written += (unsigned)fold_event(f, &ev);
	}
	assert_int_equal(written, 3);
	/* a new second brings a new budget */
	{
		struct fold_event ev = event(99, 47808, 1001, QUEUE);

		assert_int_equal(fold_event(f, &ev), 1);
	}
	fold_expire(f, 0, emit, &e);
	assert_int_equal(e.any_source, 1);
	assert_int_equal(e.total, 7);
	free(f);
}

static void fold_event__spoofed_sources_to_one_port__few_lines_a_window(void **state)
{
	struct fold *f = new_fold();
	struct fold_event other = event(1, 443, 1019, QUEUE), later = event(99999, 47808, 2000, QUEUE);
	struct emitted e = { 0 };
	unsigned written = 0;
	uint32_t src;

	/* no line budget: only the per-port cap bounds the lines */
	for (src = 1; src <= 20000; src++) {
		struct fold_event ev = event(src, 47808, 1000 + src / 1000, QUEUE);

		written += (unsigned)fold_event(f, &ev);
	}
	assert_int_equal(written, FOLD_PORT_SOURCES);
	assert_int_equal(fold_event(f, &other), 1);	/* another port: its own lines */
	fold_expire(f, 0, emit, &e);
	assert_int_equal(e.any_source, 1);	/* one line for the rest, under "*" */
	assert_int_equal(e.total, 20000 - FOLD_PORT_SOURCES);
	/* the windows closed: the port's count starts again */
	assert_int_equal(fold_event(f, &later), 1);
	free(f);
}

static void fold_event__many_sources_on_kernel_path__each_still_written(void **state)
{
	struct fold *f = new_fold();
	unsigned written = 0;
	uint32_t src;

	/* the kernel limits that path per source: no per-port cap here */
	for (src = 1; src <= 3 * FOLD_PORT_SOURCES; src++) {
		struct fold_event ev = event(src, 143, 1000 + src, KERNEL);

		written += (unsigned)fold_event(f, &ev);
	}
	assert_int_equal(written, 3 * FOLD_PORT_SOURCES);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_event__repeats_in_window__one_line_with_count),
		cmocka_unit_test(fold_event__different_keys__not_folded),
		cmocka_unit_test(fold_event__single_event__nothing_at_expiry),
		cmocka_unit_test(fold_event__million_sources__bounded_lines_and_counted),
		cmocka_unit_test(fold_event__wild_table_full__lost_counted),
		cmocka_unit_test(fold_expire__churn__table_keeps_working),
		cmocka_unit_test(fold_event__spoofed_sources_to_one_port__few_lines_a_window),
		cmocka_unit_test(fold_event__many_sources_on_kernel_path__each_still_written),
		cmocka_unit_test(fold_repeat__open_window__counted_from_the_key_alone),
		cmocka_unit_test(fold_expire__windows_opened_apart__each_closed_on_time),
		cmocka_unit_test(fold_event__new_sources_past_the_rate__folded_per_port),
	};

	return cmocka_run_group_tests_name("fold", tests, NULL, NULL);
}
