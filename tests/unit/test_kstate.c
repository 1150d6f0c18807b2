// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstate.h"

/* kstate_table_exists asks through nlsock: the request is checked and
 * answered here as the kernel would. */
static int answer;
static char asked_table[64];
static uint16_t asked_type;
static uint8_t asked_family;

int __wrap_nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb,
			  void *data)
{
	const struct nlmsghdr *nlh = msg;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct nftnl_table *t = nftnl_table_alloc();

	assert_non_null(t);
	asked_type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	asked_family = nfg->nfgen_family;
	asked_table[0] = '\0';
	if (nftnl_table_nlmsg_parse(nlh, t) == 0 && nftnl_table_is_set(t, NFTNL_TABLE_NAME))
		snprintf(asked_table, sizeof(asked_table), "%s",
			 nftnl_table_get_str(t, NFTNL_TABLE_NAME));
	nftnl_table_free(t);
	return answer;
}

static void kstate_table_exists__kernel_answers__one_zero_or_errno(void **state)
{
	struct nlsock nl = { 0 };

	answer = 0;
	assert_int_equal(kstate_table_exists(&nl), 1);
	assert_int_equal(asked_type, NFT_MSG_GETTABLE);
	assert_int_equal(asked_family, NFPROTO_INET);
	assert_string_equal(asked_table, RULESET_TABLE);
	answer = -ENOENT;
	assert_int_equal(kstate_table_exists(&nl), 0);
	answer = -EPERM;
	assert_int_equal(kstate_table_exists(&nl), -EPERM);
}

static void kstate_parse_queue_line__kernel_line__queue_port_and_both_drops(void **state)
{
	uint16_t num = 0;
	uint32_t portid = 0;
	unsigned long long dropped = 0, seq = 0;

	/* queue, portid, waiting, copy mode, copy range, queue dropped,
	 * user dropped, id sequence, 1 */
	assert_int_equal(kstate_parse_queue_line("    0  41234     0 2  2048     7    5   931  1",
						 &num, &portid, &dropped, &seq), 0);
	assert_int_equal(num, 0);
	assert_int_equal(portid, 41234);
	assert_int_equal(dropped, 12);
	assert_int_equal(seq, 931);
	assert_int_equal(kstate_parse_queue_line("65535 1 0 2 2048 0 0 3 1", &num, &portid,
						 &dropped, &seq), 0);
	assert_int_equal(num, 65535);
}

static void kstate_parse_queue_line__malformed__einval(void **state)
{
	uint16_t num;
	uint32_t portid;
	unsigned long long dropped = 0, seq;

	assert_int_equal(kstate_parse_queue_line("", &num, &portid, &dropped, &seq), -EINVAL);
	assert_int_equal(kstate_parse_queue_line("0 41234 0 2 2048 7", &num, &portid, &dropped,
						 &seq), -EINVAL);
	assert_int_equal(kstate_parse_queue_line("65536 1 0 2 2048 0 0 3 1", &num, &portid,
						 &dropped, &seq), -EINVAL);
	assert_int_equal(kstate_parse_queue_line("x 1 0 2 2048 0 0 3 1", &num, &portid,
						 &dropped, &seq), -EINVAL);
}

static struct kstate *guarded_143(void)
{
	struct kstate *ks = calloc(1, sizeof(*ks));

	assert_non_null(ks);
	ks->installed = 1;
	ks->queue_rule = 1;
	portmap_set(ks->guarded_map, IPPROTO_TCP, 143, 1);
	return ks;
}

static void kstate_enforces__guarded_port__by_worker_and_fail_mode(void **state)
{
	struct kstate *ks = guarded_143();

	ks->worker = 1;
	assert_true(kstate_enforces(ks, IPPROTO_TCP, 143));
	assert_false(kstate_enforces(ks, IPPROTO_UDP, 143));	/* the other protocol */
	assert_false(kstate_enforces(ks, IPPROTO_TCP, 144));
	ks->worker = 0;
	assert_true(kstate_enforces(ks, IPPROTO_TCP, 143));	/* fail closed */
	ks->fail_open = 1;
	assert_false(kstate_enforces(ks, IPPROTO_TCP, 143));	/* bypassed while nobody reads */
	ks->queue_rule = 0;
	ks->fail_open = 0;
	assert_false(kstate_enforces(ks, IPPROTO_TCP, 143));	/* a set without its rule */
	free(ks);
}

static void kstate_enforces__blocked_monitor_or_no_table__as_the_kernel_does(void **state)
{
	struct kstate *ks = guarded_143();
	struct kstate_port blocked = { .proto = IPPROTO_UDP, .port = 5353 };

	ks->fail_open = 1;	/* blocked ports are dropped without the worker */
	ks->blocked = &blocked;
	ks->nblocked = 1;
	assert_true(kstate_enforces(ks, IPPROTO_UDP, 5353));
	ks->monitor = 1;
	assert_false(kstate_enforces(ks, IPPROTO_UDP, 5353));
	ks->monitor = 0;
	ks->installed = 0;
	assert_false(kstate_enforces(ks, IPPROTO_UDP, 5353));
	free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kstate_table_exists__kernel_answers__one_zero_or_errno),
		cmocka_unit_test(kstate_parse_queue_line__kernel_line__queue_port_and_both_drops),
		cmocka_unit_test(kstate_parse_queue_line__malformed__einval),
		cmocka_unit_test(kstate_enforces__guarded_port__by_worker_and_fail_mode),
		cmocka_unit_test(kstate_enforces__blocked_monitor_or_no_table__as_the_kernel_does),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
