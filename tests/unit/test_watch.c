// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "watch.h"

#define SELF 4242
#define OTHER 777

/* An nf_tables event as the kernel multicasts it: header, nfgenmsg, table name. */
static struct nlmsghdr *event(char *buf, int type, uint8_t family, uint32_t portid,
			      const char *table)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nlh->nlmsg_pid = portid;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	if (table)
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	return nlh;
}

static void watch_event_is_foreign__additions_by_others__foreign(void **state)
{
	static const int types[] = { NFT_MSG_NEWRULE, NFT_MSG_NEWCHAIN, NFT_MSG_NEWSET,
				     NFT_MSG_NEWSETELEM, NFT_MSG_NEWTABLE, NFT_MSG_NEWOBJ };
	char buf[256] __attribute__((aligned(4)));
	unsigned i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_int_equal(watch_event_is_foreign(event(buf, types[i], NFPROTO_INET, OTHER,
							      "portwarden"), SELF), 1);
}

static void watch_event_is_foreign__removals_by_others__foreign(void **state)
{
	char buf[256] __attribute__((aligned(4)));

	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_DELTABLE, NFPROTO_INET, OTHER,
						      "portwarden"), SELF), 1);
	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_DELSETELEM, NFPROTO_INET, OTHER,
						      "portwarden"), SELF), 1);
}

static void watch_event_is_foreign__own_or_elsewhere__not_foreign(void **state)
{
	char buf[256] __attribute__((aligned(4)));

	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_NEWRULE, NFPROTO_INET, SELF,
						      "portwarden"), SELF), 0);
	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_NEWRULE, NFPROTO_INET, OTHER,
						      "filter"), SELF), 0);
	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4, OTHER,
						      "portwarden"), SELF), 0);
	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_NEWGEN, NFPROTO_UNSPEC, OTHER,
						      NULL), SELF), 0);
	assert_int_equal(watch_event_is_foreign(event(buf, NFT_MSG_NEWRULE, NFPROTO_INET, OTHER,
						      NULL), SELF), 0);
}

static void watch_event_is_foreign__truncated__not_foreign(void **state)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = event(buf, NFT_MSG_DELTABLE, NFPROTO_INET, OTHER, "portwarden");

	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(watch_event_is_foreign(nlh, SELF), 0);
}

static void watch_parse_gen__newgen__generation_committer_and_program(void **state)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = event(buf, NFT_MSG_NEWGEN, NFPROTO_UNSPEC, OTHER, NULL);
	struct watch_gen gen;

	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(57));
	mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(1234));
	mnl_attr_put_strz(nlh, NFTA_GEN_PROC_NAME, "a-very-long-process-name");
	assert_int_equal(watch_parse_gen(nlh, &gen), 0);
	assert_int_equal(gen.id, 57);
	assert_int_equal(gen.portid, OTHER);
	assert_int_equal(gen.pid, 1234);
	assert_string_equal(gen.comm, "a-very-long-pro");
}

static void watch_parse_gen__other_messages__refused(void **state)
{
	char buf[256] __attribute__((aligned(4)));
	struct watch_gen gen;

	assert_int_equal(watch_parse_gen(event(buf, NFT_MSG_NEWRULE, NFPROTO_INET, OTHER,
					       "portwarden"), &gen), -EINVAL);
	/* a NEWGEN without its generation */
	assert_int_equal(watch_parse_gen(event(buf, NFT_MSG_NEWGEN, NFPROTO_UNSPEC, OTHER, NULL),
					 &gen), -EINVAL);
}

static void watch_same_table__changes__told_apart(void **state)
{
	static struct kstate want, got;

	want.installed = 1;
	want.rules = 12;
	want.queue_rule = 1;
	want.guarded = 2;
	want.guarded_map[0][143 / 8] = 1u << (143 % 8);
	want.guarded_map[0][110 / 8] = 1u << (110 % 8);
	got = want;
	got.nblocked = 5;	/* the daemon's own blocks are no change */
	assert_int_equal(watch_same_table(&want, &got), 1);
	got.rules = 13;		/* a rule added */
	assert_int_equal(watch_same_table(&want, &got), 0);
	got = want;
	got.guarded_map[0][143 / 8] = 0;	/* an element swapped for another */
	got.guarded_map[0][144 / 8] |= 1u << (144 % 8);
	assert_int_equal(watch_same_table(&want, &got), 0);
	got = want;
	got.installed = 0;
	assert_int_equal(watch_same_table(&want, &got), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(watch_event_is_foreign__additions_by_others__foreign),
		cmocka_unit_test(watch_event_is_foreign__removals_by_others__foreign),
		cmocka_unit_test(watch_event_is_foreign__own_or_elsewhere__not_foreign),
		cmocka_unit_test(watch_event_is_foreign__truncated__not_foreign),
		cmocka_unit_test(watch_parse_gen__newgen__generation_committer_and_program),
		cmocka_unit_test(watch_parse_gen__other_messages__refused),
		cmocka_unit_test(watch_same_table__changes__told_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
