// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "ruleset.h"
#include "testdb.h"

/* no kernel: the interface name is the test's */
const char *__wrap_ifcache_name(struct ifcache *c, uint32_t ifindex, time_t now)
{
	return "eth0";
}

/* The clocks, when a test sets them: the wall clock may step, the
 * monotonic one only moves on. */
static int fake_clock;
static struct timespec fake_real, fake_mono;

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	if (!fake_clock)
		return __real_clock_gettime(id, ts);
	*ts = id == CLOCK_REALTIME ? fake_real : fake_mono;
	return 0;
}

struct world {
	struct policy_db *db;
	struct config cfg;
	struct listenpolicy lp;
	struct fold *fold;
	struct metrics metrics;
	struct pipeline p;
};

static int setup(void **state)
{
	char text[] = "143/tcp imap loopback-only\n\tserved-by /usr/sbin/dovecot\n"
		      "6379/tcp redis loopback-only\n"
		      "47808/udp bacnet loopback-only\n"
		      "80/tcp http open\n";
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	w->db = testdb_from("t", text);
	if (!w->db)
		return -1;
	config_defaults(&w->cfg);
	w->fold = calloc(1, sizeof(*w->fold));
	if (!w->fold || pipeline_init(&w->p) < 0)
		return -1;
	fold_init(w->fold, FOLD_WINDOW);
	w->p.db = w->db;
	w->p.cfg = &w->cfg;
	w->p.lp = &w->lp;
	w->p.fold = w->fold;
	w->p.metrics = &w->metrics;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	fake_clock = 0;
	pipeline_free(&w->p);
	policy_db_free(w->db);
	free(w->fold);
	free(w);
	return 0;
}

/* An IPv4 first packet from the internet (198.51.100.2) to dport */
static size_t packet(uint8_t *p, uint8_t proto, unsigned sport, unsigned dport)
{
	size_t len = proto == IPPROTO_TCP ? 40 : 28;

	memset(p, 0, len);
	p[0] = 0x45;
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, "198.51.100.2", p + 12);
	inet_pton(AF_INET, "198.51.100.1", p + 16);
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	if (proto == IPPROTO_TCP) {
		p[32] = 5 << 4;
		p[33] = 0x02;	/* SYN */
	} else {
		p[25] = 8;
	}
	return len;
}

static int verdict_of(struct world *w, uint8_t proto, unsigned sport, unsigned dport)
{
	uint8_t buf[64];
	struct queue_packet qp = { .id = 1, .ifindex = 3, .payload = buf };

	qp.len = packet(buf, proto, sport, dport);
	return pipeline_packet(&w->p, &qp);
}

static void pipeline__guarded_port_from_internet__drops_and_blocks(void **state)
{
	struct world *w = *state;

	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000, 6379), NF_DROP);
	assert_int_equal(w->p.fx.nblock, 1);
	assert_int_equal(w->p.fx.block[0].proto, IPPROTO_TCP);
	assert_int_equal(w->p.fx.block[0].port, 6379);
	assert_string_equal(w->p.fx.block[0].entry->service, "redis");
	/* believed blocked only once the kernel acknowledged it */
	assert_false(portmap_has(w->p.blocked, IPPROTO_TCP, 6379));
	pipeline_blocks_done(&w->p, 1);
	assert_true(portmap_has(w->p.blocked, IPPROTO_TCP, 6379));
	assert_int_equal(w->p.fx.nline, 1);
	assert_string_equal(w->p.fx.line[0].action, "blocked");
	assert_string_equal(w->p.fx.line[0].path, "queue");
	assert_string_equal(w->p.fx.line[0].iif, "eth0");
	assert_int_equal(w->p.fx.line[0].pkt.dport, 6379);
}

static void pipeline__repeats_in_one_drain__one_block_one_line(void **state)
{
	struct world *w = *state;
	int i;

	for (i = 0; i < 5; i++)
		assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000 + i, 6379), NF_DROP);
	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000, 143), NF_DROP);
	assert_int_equal(w->p.fx.nblock, 2);
	assert_int_equal(w->p.fx.block[1].port, 143);
	assert_int_equal(w->p.nblocked, 0);
	pipeline_blocks_done(&w->p, 1);
	assert_int_equal(w->p.nblocked, 2);
	assert_int_equal(w->p.fx.nline, 2);
}

static void pipeline__monitor_mode__accepts_and_blocks_nothing(void **state)
{
	struct world *w = *state;

	w->cfg.monitor = 1;
	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000, 6379), NF_ACCEPT);
	assert_int_equal(w->p.fx.nblock, 0);
	assert_false(portmap_has(w->p.blocked, IPPROTO_TCP, 6379));
	assert_int_equal(w->p.fx.nline, 1);
	assert_string_equal(w->p.fx.line[0].action, "would-block");
}

static void pipeline__open_port__accepted_without_effects(void **state)
{
	struct world *w = *state;

	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000, 80), NF_ACCEPT);
	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000, 8080), NF_ACCEPT);
	assert_int_equal(w->p.fx.nblock, 0);
	assert_int_equal(w->p.fx.nline, 0);
	assert_false(w->p.fx.want_listeners);
}

/* Replies to the host's own sockets never reach the worker (the table
 * accepts them in the kernel): a UDP port of the ephemeral range is
 * blocked like any other */
static void pipeline__udp_port_in_ephemeral_range__dropped_and_blocked(void **state)
{
	struct world *w = *state;

	assert_int_equal(verdict_of(w, IPPROTO_UDP, 40000, 47808), NF_DROP);
	assert_int_equal(w->p.fx.nblock, 1);
	/* in the drain's transaction; blocked once the kernel acked it */
	assert_true(portmap_has(w->p.pending, IPPROTO_UDP, 47808));
	pipeline_blocks_done(&w->p, 1);
	assert_true(portmap_has(w->p.blocked, IPPROTO_UDP, 47808));
	assert_int_equal(w->p.fx.nline, 1);
}

static void pipeline__served_by_port__asks_for_a_look_at_listeners(void **state)
{
	struct world *w = *state;

	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40000, 143), NF_DROP);
	assert_true(w->p.fx.want_listeners);
}

static void pipeline__failed_transaction__next_attempt_blocks_again(void **state)
{
	struct world *w = *state;

	verdict_of(w, IPPROTO_TCP, 40000, 6379);
	pipeline_blocks_done(&w->p, 0);
	pipeline_effects_clear(&w->p);
	assert_false(portmap_has(w->p.blocked, IPPROTO_TCP, 6379));
	assert_false(portmap_has(w->p.pending, IPPROTO_TCP, 6379));
	assert_int_equal(w->p.nblocked, 0);
	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40001, 6379), NF_DROP);
	assert_int_equal(w->p.fx.nblock, 1);
	assert_int_equal(w->p.fx.block[0].port, 6379);
}

static void pipeline__blocked_port_after_clear__no_second_block(void **state)
{
	struct world *w = *state;

	verdict_of(w, IPPROTO_TCP, 40000, 6379);
	pipeline_blocks_done(&w->p, 1);
	pipeline_effects_clear(&w->p);
	assert_int_equal(verdict_of(w, IPPROTO_TCP, 40001, 6379), NF_DROP);
	assert_int_equal(w->p.fx.nblock, 0);
}

static void pipeline__unreadable_packet_to_guarded_port__dropped_blocked_logged(void **state)
{
	struct world *w = *state;
	uint8_t buf[64];
	struct queue_packet qp = { .id = 1, .payload = buf };

	packet(buf, IPPROTO_TCP, 40000, 6379);
	buf[3] = 30;	/* cut inside the TCP header, after the ports */
	qp.len = 30;
	assert_int_equal(pipeline_packet(&w->p, &qp), NF_DROP);
	assert_int_equal(w->p.malformed, 1);
	assert_int_equal(w->p.fx.nblock, 1);
	assert_int_equal(w->p.fx.nline, 1);
}

static void pipeline__kernel_drop__line_without_block(void **state)
{
	struct world *w = *state;
	uint8_t buf[64];
	struct nflog_packet lp = { .prefix = "", .ifindex = 3, .payload = buf };

	lp.len = packet(buf, IPPROTO_TCP, 40000, 6379);
	pipeline_kernel_drop(&w->p, &lp);
	assert_int_equal(w->p.fx.nblock, 0);
	assert_int_equal(w->p.fx.nline, 1);
	assert_string_equal(w->p.fx.line[0].path, "kernel");
	assert_string_equal(w->p.fx.line[0].service, "redis");
}

/* monitor mode's kernel verdicts (chain would_block) are logged as such */
static void pipeline__kernel_would_block__logged_as_would_block(void **state)
{
	struct world *w = *state;
	uint8_t buf[64];
	struct nflog_packet lp = { .prefix = RULESET_LOG_PREFIX_WOULD_BLOCK, .ifindex = 3,
				   .payload = buf };

	lp.len = packet(buf, IPPROTO_TCP, 40000, 6379);
	pipeline_kernel_drop(&w->p, &lp);
	assert_int_equal(w->p.fx.nline, 1);
	assert_string_equal(w->p.fx.line[0].action, "would-block");
	assert_string_equal(w->p.fx.line[0].path, "kernel");
}

struct lines {
	unsigned n;
	unsigned long most;	/* the largest count a line carried */
};

static void count_line(void *ctx, const struct fold_event *ev, unsigned long count)
{
	struct lines *l = ctx;

	l->n++;
	if (count > l->most)
		l->most = count;
}

/* One kernel-logged attempt a second for two hours; half an hour in, the
 * wall clock steps back one hour (NTP, a wrong RTC fixed by hand).  Fold
 * windows run on the monotonic clock, so every minute still gets its
 * lines: the first attempt of a window at once, its repeats when it
 * closes; never an hour folded into one line. */
static void pipeline__wall_clock_steps_back__a_window_a_minute(void **state)
{
	struct world *w = *state;
	struct lines after = { 0, 0 };
	uint8_t buf[64];
	struct nflog_packet lp = { .prefix = "", .ifindex = 3, .payload = buf };
	unsigned t;

	lp.len = packet(buf, IPPROTO_TCP, 40000, 6379);
	fake_clock = 1;
	fake_real.tv_sec = 1795766400;
	fake_mono.tv_sec = 5000;
	for (t = 0; t < 7200; t++) {
		fake_real.tv_sec++;
		fake_mono.tv_sec++;
		if (t == 1800)
			fake_real.tv_sec -= 3600;
		pipeline_kernel_drop(&w->p, &lp);
		if (t >= 1800)
			after.n += w->p.fx.nline;	/* a window opened: its line now */
		pipeline_effects_clear(&w->p);
		pipeline_expire(&w->p, count_line, t >= 1800 ? &after : &(struct lines){ 0, 0 });
	}
	/* 90 minutes after the step: about two lines a minute (the first
	 * attempt, then the window's other 59) */
	assert_in_range(after.n, 2 * 88, 2 * 92);
	assert_in_range(after.most, 58, 60);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(pipeline__guarded_port_from_internet__drops_and_blocks),
		T(pipeline__repeats_in_one_drain__one_block_one_line),
		T(pipeline__monitor_mode__accepts_and_blocks_nothing),
		T(pipeline__open_port__accepted_without_effects),
		T(pipeline__udp_port_in_ephemeral_range__dropped_and_blocked),
		T(pipeline__served_by_port__asks_for_a_look_at_listeners),
		T(pipeline__failed_transaction__next_attempt_blocks_again),
		T(pipeline__blocked_port_after_clear__no_second_block),
		T(pipeline__unreadable_packet_to_guarded_port__dropped_blocked_logged),
		T(pipeline__kernel_drop__line_without_block),
		T(pipeline__kernel_would_block__logged_as_would_block),
		T(pipeline__wall_clock_steps_back__a_window_a_minute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
