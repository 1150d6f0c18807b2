// SPDX-License-Identifier: GPL-2.0-or-later
/* Chain dump messages as the kernel writes them (built with libnftnl) and
 * legacy table lists, read for a nat chain.  No kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

#include "nathooks.h"
#include "ruleset.h"

static char buf[4096];

/* A NEWCHAIN message of family, table, name; a base chain when type is set */
static const struct nlmsghdr *chain_msg(int family, const char *table, const char *name,
					 const char *type)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(c);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (type) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 100);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	}
	memset(buf, 0, sizeof(buf));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, (uint16_t)family, 0, 1);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return nlh;
}

static void nathooks_chain_msg__nat_base_chains__found(void **state)
{
	(void)state;
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_IPV4, "nat", "POSTROUTING", "nat")), 1);
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_IPV6, "nat", "PREROUTING", "nat")), 1);
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_INET, "pwnat", "post", "nat")), 1);
}

static void nathooks_chain_msg__other_chains__not_nat(void **state)
{
	(void)state;
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_IPV4, "filter", "INPUT", "filter")), 0);
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_IPV4, "nat", "DOCKER", NULL)), 0);
	/* a chain of our own table never counts */
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_INET, RULESET_TABLE, "x", "nat")), 0);
	/* the same name in another family is someone else's */
	assert_int_equal(nathooks_chain_msg(chain_msg(NFPROTO_IPV4, RULESET_TABLE, "x", "nat")), 1);
}

/* where the type attribute of a chain message ends */
static unsigned type_end(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == NFTA_CHAIN_TYPE)
			return (unsigned)((const char *)attr - (const char *)nlh) + attr->nla_len;
	return 0;
}

static void nathooks_chain_msg__malformed__not_nat(void **state)
{
	struct nlmsghdr *nlh;
	unsigned len, end;

	(void)state;
	nlh = (struct nlmsghdr *)chain_msg(NFPROTO_IPV4, "nat", "POSTROUTING", "nat");
	end = type_end(nlh);
	assert_true(end > NLMSG_HDRLEN);
	/* every cut of a word or more of the type attribute (libmnl reads a
	 * message to its aligned end): never a crash, never a nat chain read
	 * from an attribute that is not there whole */
	for (len = end - 4; len >= NLMSG_HDRLEN; len--) {
		nlh->nlmsg_len = len;
		assert_int_equal(nathooks_chain_msg(nlh), 0);
	}
	nlh->nlmsg_len = 8;
	assert_int_equal(nathooks_chain_msg(nlh), 0);
	/* another message type */
	nlh = (struct nlmsghdr *)chain_msg(NFPROTO_IPV4, "nat", "POSTROUTING", "nat");
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE;
	assert_int_equal(nathooks_chain_msg(nlh), 0);
}

static void nathooks_legacy_names__lines__nat_only_whole(void **state)
{
	static const char one[] = "filter\nnat\nmangle\n", last[] = "filter\nnat",
			  near[] = "natural\nsnat\n", none[] = "filter\nraw\n";

	(void)state;
	assert_int_equal(nathooks_legacy_names(one, strlen(one)), 1);
	assert_int_equal(nathooks_legacy_names(last, strlen(last)), 1);
	assert_int_equal(nathooks_legacy_names(near, strlen(near)), 0);
	assert_int_equal(nathooks_legacy_names(none, strlen(none)), 0);
	assert_int_equal(nathooks_legacy_names("", 0), 0);
	/* the length is the limit, not a terminator */
	assert_int_equal(nathooks_legacy_names(one, 9), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nathooks_chain_msg__nat_base_chains__found),
		cmocka_unit_test(nathooks_chain_msg__other_chains__not_nat),
		cmocka_unit_test(nathooks_chain_msg__malformed__not_nat),
		cmocka_unit_test(nathooks_legacy_names__lines__nat_only_whole),
	};

	return cmocka_run_group_tests_name("nathooks", tests, NULL, NULL);
}
