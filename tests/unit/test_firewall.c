// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>

#include "firewall.h"
#include "kstate.h"

/* The kernel's answers, one per transaction: errno, the message type its
 * acknowledgement echoes, and the object the batch labelled. */
struct answer {
	int err;
	uint16_t type;
	const char *what;
};

static struct answer answers[4];
static unsigned nanswers, transactions;
static uint32_t flags_built[4];

int __wrap_kstate_table_exists(struct nlsock *nl)
{
	return 0;
}

int __wrap_ruleset_build(struct batch *b, const struct ruleset_spec *spec)
{
	if (transactions < 4)
		flags_built[transactions] = spec->table_flags;
	return 0;
}

int __wrap_nlsock_transact(struct nlsock *s, const struct batch *b, char *what, size_t cap)
{
	const struct answer *a = &answers[transactions < nanswers ? transactions : nanswers - 1];

	transactions++;
	s->refused_type = a->err ? (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | a->type) : 0;
	if (what)
		snprintf(what, cap, "%s", a->err ? a->what : "");
	return a->err;
}

static int apply(struct firewall *fw)
{
	const struct ruleset_spec spec = { 0 };
	char err[128];

	memset(fw, 0, sizeof(*fw));
	fw->table_flags = NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST;
	transactions = 0;
	return firewall_apply(fw, &spec, err, sizeof(err));
}

static void firewall_apply__table_flags_refused__unowned_table(void **state)
{
	struct firewall fw;

	answers[0] = (struct answer){ -EOPNOTSUPP, NFT_MSG_NEWTABLE, "add table inet portwarden" };
	answers[1] = (struct answer){ 0, 0, NULL };
	nanswers = 2;
	assert_int_equal(apply(&fw), 0);
	assert_int_equal(transactions, 2);
	assert_int_equal(flags_built[0], NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
	assert_int_equal(flags_built[1], 0);
	assert_int_equal(fw.table_flags, 0);
}

static void firewall_apply__rule_refused__error_kept_flags_kept(void **state)
{
	struct firewall fw;

	/* a rule's label may well mention a table: the kernel's answer decides */
	answers[0] = (struct answer){ -EOPNOTSUPP, NFT_MSG_NEWRULE,
				      "rule in chain input (state table lookup)" };
	nanswers = 1;
	assert_int_equal(apply(&fw), -EOPNOTSUPP);
	assert_int_equal(transactions, 1);
	assert_int_equal(fw.table_flags, NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
}

static void firewall_apply__table_refused_otherwise__error_kept(void **state)
{
	struct firewall fw;

	answers[0] = (struct answer){ -EPERM, NFT_MSG_NEWTABLE, "add table inet portwarden" };
	nanswers = 1;
	assert_int_equal(apply(&fw), -EPERM);
	assert_int_equal(transactions, 1);
	assert_int_equal(fw.table_flags, NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(firewall_apply__table_flags_refused__unowned_table),
		cmocka_unit_test(firewall_apply__rule_refused__error_kept_flags_kept),
		cmocka_unit_test(firewall_apply__table_refused_otherwise__error_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
