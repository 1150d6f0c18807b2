// SPDX-License-Identifier: GPL-2.0-or-later
/* Transactions on table inet portwarden. */
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>

#include "firewall.h"
#include "kstate.h"
#include "rulelan.h"

int firewall_open(struct firewall *fw, int want_owner)
{
	memset(fw, 0, sizeof(*fw));
	if (want_owner)
		fw->table_flags = NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST;
	return nlsock_open(&fw->nl);
}

void firewall_close(struct firewall *fw)
{
	nlsock_close(&fw->nl);
}

typedef int (*build_fn)(struct batch *b, const void *arg);

static int transact(struct firewall *fw, build_fn build, const void *arg, char *err, size_t cap)
{
	struct batch b;
	int ret;

	ret = batch_init(&b, nlsock_seq(&fw->nl));
	if (ret < 0)
		return ret;
	ret = build(&b, arg);
	if (ret == 0)
		ret = batch_end(&b);
	if (ret == 0)
		ret = nlsock_transact(&fw->nl, &b, err, cap);
	else if (err)
		snprintf(err, cap, "building the transaction");
	batch_free(&b);
	return ret;
}

static int build_probe(struct batch *b, const void *arg)
{
	return ruleset_build_probe(b, *(const enum ruleset_queue_backend *)arg);
}

static int build_socket_probe(struct batch *b, const void *arg)
{
	(void)arg;
	return ruleset_build_socket_probe(b);
}

/* Kernels without CONFIG_CGROUP_NET_CLASSID (some router builds) refuse the
 * input chain's socket match; the rest of the table works without it. */
static int probe_socket_match(struct firewall *fw)
{
	int ret = transact(fw, build_socket_probe, NULL, NULL, 0);

	fw->no_socket_match = ret == -EOPNOTSUPP || ret == -ENOENT;
	return fw->no_socket_match ? 0 : ret;
}

int firewall_probe(struct firewall *fw)
{
	static const enum ruleset_queue_backend order[] = { RULESET_QUEUE_NATIVE,
							    RULESET_QUEUE_COMPAT };
	int ret = -ENOENT;
	unsigned i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ret = transact(fw, build_probe, &order[i], NULL, 0);
		if (ret == 0) {
			fw->backend = order[i];
			return probe_socket_match(fw);
		}
		/* ENOENT: this kernel lacks the expression; anything else is real */
		if (ret != -ENOENT && ret != -EOPNOTSUPP)
			return ret;
	}
	return ret;
}

static int build_ruleset(struct batch *b, const void *arg)
{
	return ruleset_build(b, arg);
}

/* Before Linux 6.9 the kernel refuses NFT_TABLE_F_PERSIST, and it refuses
 * to add the owner flag to a table left behind without it: either way
 * EOPNOTSUPP, and its acknowledgement echoes the refused message, our
 * NEWTABLE.  Any other refusal is a real error. */
static int flags_refused(const struct firewall *fw, int ret)
{
	return ret == -EOPNOTSUPP && fw->table_flags &&
	       NFNL_MSG_TYPE(nlsock_refused_type(&fw->nl)) == NFT_MSG_NEWTABLE;
}

int firewall_apply(struct firewall *fw, const struct ruleset_spec *spec, char *err, size_t cap)
{
	struct ruleset_spec s = *spec;
	int ret, tries;

	s.backend = fw->backend;
	s.no_socket_match = fw->no_socket_match;
	/* twice: someone may remove the table between the look and the batch */
	for (tries = 0; tries < 2; tries++) {
		ret = kstate_table_exists(&fw->nl);
		if (ret < 0) {
			snprintf(err, cap, "looking up table inet %s", RULESET_TABLE);
			return ret;
		}
		s.replace = ret;
		s.table_flags = fw->table_flags;
		ret = transact(fw, build_ruleset, &s, err, cap);
		if (flags_refused(fw, ret)) {
			fw->table_flags = 0;
			s.table_flags = 0;
			ret = transact(fw, build_ruleset, &s, err, cap);
		}
		if (ret != -ENOENT)
			break;
	}
	return ret;
}

struct changes {
	const struct firewall_change *v;
	unsigned n;
};

static int build_changes(struct batch *b, const void *arg)
{
	const struct changes *c = arg;
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < c->n; i++)
		ret = ruleset_build_elem(b, &c->v[i].elem, c->v[i].del);
	return ret;
}

int firewall_change(struct firewall *fw, const struct firewall_change *v, unsigned n)
{
	const struct changes c = { v, n };

	return n ? transact(fw, build_changes, &c, NULL, 0) : 0;
}

struct lan_update {
	const struct lan *lan;
	const struct lan_change *v;
	unsigned n;
	int *changes;
};

static int build_lan_update(struct batch *b, const void *arg)
{
	const struct lan_update *u = arg;
	int ret = rulelan_build_changes(b, u->lan, u->v, u->n);

	if (ret < 0)
		return ret;
	*u->changes = ret;
	return 0;
}

int firewall_lan_update(struct firewall *fw, const struct lan *lan, const struct lan_change *v,
			unsigned n, char *err, size_t cap)
{
	int changes = 0;
	const struct lan_update u = { lan, v, n, &changes };
	int ret = transact(fw, build_lan_update, &u, err, cap);

	return ret < 0 ? ret : changes;
}

static int build_delete(struct batch *b, const void *arg)
{
	(void)arg;
	return ruleset_build_delete(b);
}

int firewall_remove(struct firewall *fw)
{
	int ret = transact(fw, build_delete, NULL, NULL, 0);

	return ret == -ENOENT ? 0 : ret;
}
