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

#include "listenwatch.h"
#include "log.h"
#include "testdb.h"

/* No kernel: the listener dump, the facts it leads to and the set
 * transaction are the test's. */
static int change_result;
static unsigned changes_sent;
static int served_now;	/* the dump shows 8765/tcp held by its public server */

int __wrap_listener_refresh(struct listener_table *t, struct nlsock *nl, time_t now)
{
	return 1;	/* something changed */
}

int __wrap_firewall_change(struct firewall *fw, const struct firewall_change *v, unsigned n)
{
	changes_sent = n;
	return change_result;
}

int __wrap_listenpolicy_compute(struct listenpolicy *lp, const struct listener_table *t,
				const struct policy_db *db)
{
	struct listenpolicy next = { 0 };

	if (served_now) {
		next.v = calloc(1, sizeof(*next.v));
		next.index = calloc(2 * 65536, sizeof(*next.index));
		next.v[0] = (struct listenpolicy_port){ .proto = IPPROTO_TCP, .port = 8765,
							.served = policy_lookup(db, IPPROTO_TCP, 8765) };
		snprintf(next.v[0].who, sizeof(next.v[0].who), "/usr/bin/socat");
		next.n = next.cap = 1;
		next.index[8765] = 1;
	}
	listenpolicy_free(lp);
	*lp = next;
	return 0;
}

struct world {
	struct listenwatch w;
	struct policy_db *db;
	uint8_t blocked[2][PORTMAP_BYTES];
	unsigned long nblocked;
	struct firewall fw;
};

static int setup(void **state)
{
	struct world *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	x->db = testdb_from("t", "8765/tcp agent loopback-only\n\tserved-by /usr/bin/socat\n");
	if (!x->db)
		return -1;
	portmap_set(x->blocked, IPPROTO_TCP, 8765, 1);
	x->nblocked = 1;
	change_result = 0;
	changes_sent = 0;
	served_now = 1;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct world *x = *state;

	listenpolicy_free(&x->w.lp);
	policy_db_free(x->db);
	free(x);
	return 0;
}

static int tick(struct world *x)
{
	const struct listenwatch_blocked b = { x->blocked, &x->nblocked };
	struct timespec now = { 100, 0 };	/* long after the last look */

	return listenwatch_tick(&x->w, &now, &x->fw, x->db, &b);
}

/* the server started after the port was blocked: @served gains it and
 * @blocked loses it in one transaction, believed once acknowledged */
static void listenwatch_tick__blocked_port_becomes_served__both_sets_after_ack(void **state)
{
	struct world *x = *state;

	assert_int_equal(tick(x), 0);
	assert_int_equal(changes_sent, 2);
	assert_true(portmap_has(x->w.served, IPPROTO_TCP, 8765));
	assert_false(portmap_has(x->blocked, IPPROTO_TCP, 8765));
	assert_int_equal(x->nblocked, 0);
}

static void listenwatch_tick__transaction_fails__nothing_believed_whole_table_next(void **state)
{
	struct world *x = *state;

	change_result = -ENOBUFS;
	assert_int_equal(tick(x), -ESTALE);
	assert_false(portmap_has(x->w.served, IPPROTO_TCP, 8765));
	assert_true(portmap_has(x->blocked, IPPROTO_TCP, 8765));
	assert_int_equal(x->nblocked, 1);
}

/* a whole table: its elements are believed only once listenwatch_commit
 * says the kernel took them, and a served port gets no @blocked element */
static void listenwatch_elems__before_commit__nothing_believed(void **state)
{
	struct world *x = *state;
	const struct listenwatch_blocked b = { x->blocked, &x->nblocked };
	struct ruleset_elem *v;
	char *comments;
	unsigned n, i;

	assert_int_equal(listenwatch_recompute(&x->w, x->db), 0);
	v = listenwatch_elems(&x->w, x->db, &b, &n, &comments);
	assert_non_null(v);
	assert_int_equal(n, 1);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].set, RULESET_SET_SERVED);
	assert_false(portmap_has(x->w.served, IPPROTO_TCP, 8765));
	listenwatch_commit(&x->w, x->db);
	assert_true(portmap_has(x->w.served, IPPROTO_TCP, 8765));
	free(v);
	free(comments);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(listenwatch_tick__blocked_port_becomes_served__both_sets_after_ack),
		T(listenwatch_tick__transaction_fails__nothing_believed_whole_table_next),
		T(listenwatch_elems__before_commit__nothing_believed),
	};

	log_init("test", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
