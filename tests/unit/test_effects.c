// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "effects.h"
#include "log.h"
#include "testdb.h"

/* No kernel: the transaction's outcome and what @blocked holds afterwards
 * are the test's. */
static int change_result;
static const struct kstate_port *kernel_blocked;
static unsigned kernel_nblocked;

int __wrap_firewall_change(struct firewall *fw, const struct firewall_change *v, unsigned n)
{
	return change_result;
}

int __wrap_kstate_read(struct kstate *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->installed = 1;
	ks->blocked = calloc(kernel_nblocked + 1, sizeof(*ks->blocked));
	if (!ks->blocked)
		return -ENOMEM;
	if (kernel_nblocked)
		memcpy(ks->blocked, kernel_blocked, kernel_nblocked * sizeof(*ks->blocked));
	ks->nblocked = kernel_nblocked;
	return 0;
}

struct world {
	struct daemon d;
	struct policy_db *db;
};

static int setup(void **state)
{
	struct world *x = calloc(1, sizeof(*x));

	if (!x || pipeline_init(&x->d.pipe) < 0)
		return -1;
	x->db = testdb_from("t", "6379/tcp redis lan-only\n143/tcp imap loopback-only\n");
	if (!x->db)
		return -1;
	x->d.log.fd = -1;
	change_result = 0;
	kernel_blocked = NULL;
	kernel_nblocked = 0;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct world *x = *state;

	pipeline_free(&x->d.pipe);
	policy_db_free(x->db);
	free(x);
	return 0;
}

/* a drain decided 6379/tcp: as pipeline's block_port leaves it */
static void drain_blocks_6379(struct world *x)
{
	struct pipeline_block *b = &x->d.pipe.fx.block[x->d.pipe.fx.nblock++];

	*b = (struct pipeline_block){ IPPROTO_TCP, 6379, policy_lookup(x->db, IPPROTO_TCP, 6379),
				      POLICY_LAN_ONLY, { 0, 0 } };
	portmap_set(x->d.pipe.pending, IPPROTO_TCP, 6379, 1);
	x->d.metrics_due = 99;
}

static void effects_run__acked__blocked_from_now_on(void **state)
{
	struct world *x = *state;

	drain_blocks_6379(x);
	effects_run(&x->d);
	assert_true(portmap_has(x->d.pipe.blocked, IPPROTO_TCP, 6379));
	assert_false(portmap_has(x->d.pipe.pending, IPPROTO_TCP, 6379));
	assert_int_equal(x->d.pipe.nblocked, 1);
	assert_int_equal(x->d.metrics_due, 0);	/* the metrics say so soon */
	assert_int_equal(x->d.pipe.fx.nblock, 0);
}

/* The acknowledgement never came, but the kernel had committed: the
 * daemon believes what @blocked holds when read back, not its request. */
static void effects_run__no_ack__kernel_read_back(void **state)
{
	static const struct kstate_port kernel[] = {
		{ .proto = IPPROTO_TCP, .port = 6379 },
		{ .proto = IPPROTO_TCP, .port = 143 },
	};
	struct world *x = *state;

	drain_blocks_6379(x);
	change_result = -ETIMEDOUT;
	kernel_blocked = kernel;
	kernel_nblocked = 2;
	effects_run(&x->d);
	assert_true(portmap_has(x->d.pipe.blocked, IPPROTO_TCP, 6379));
	assert_true(portmap_has(x->d.pipe.blocked, IPPROTO_TCP, 143));
	assert_int_equal(x->d.pipe.nblocked, 2);
	assert_int_equal(x->d.block_failed, 1);
	assert_false(portmap_has(x->d.pipe.pending, IPPROTO_TCP, 6379));
}

/* refused: nothing believed; the next attempt is decided (and blocked)
 * again */
static void effects_run__refused__not_blocked(void **state)
{
	struct world *x = *state;

	drain_blocks_6379(x);
	change_result = -ENOMEM;
	effects_run(&x->d);
	assert_false(portmap_has(x->d.pipe.blocked, IPPROTO_TCP, 6379));
	assert_false(portmap_has(x->d.pipe.pending, IPPROTO_TCP, 6379));
	assert_int_equal(x->d.pipe.nblocked, 0);
	assert_int_equal(x->d.metrics_due, 99);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(effects_run__acked__blocked_from_now_on),
		T(effects_run__no_ack__kernel_read_back),
		T(effects_run__refused__not_blocked),
	};

	log_init("test", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
