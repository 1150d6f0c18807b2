// SPDX-License-Identifier: GPL-2.0-or-later
/* Watching nf_tables events for changes to our table made by others. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "ruleset.h"
#include "watch.h"

#define RX_SIZE (64 * 1024)

static int table_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NFTA_TABLE_NAME ||
	    mnl_attr_get_type(attr) == NFTA_CHAIN_TABLE)	/* same number in every object */
		*(const struct nlattr **)data = attr;
	return MNL_CB_OK;
}

/* Every change to an object of a table: additions open holes as surely
 * as removals (an accept rule, an element that skips the queue). */
static int is_object_event(int type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE: case NFT_MSG_DELTABLE:
	case NFT_MSG_NEWCHAIN: case NFT_MSG_DELCHAIN:
	case NFT_MSG_NEWRULE: case NFT_MSG_DELRULE:
	case NFT_MSG_NEWSET: case NFT_MSG_DELSET:
	case NFT_MSG_NEWSETELEM: case NFT_MSG_DELSETELEM:
	case NFT_MSG_NEWOBJ: case NFT_MSG_DELOBJ:
	case NFT_MSG_NEWFLOWTABLE: case NFT_MSG_DELFLOWTABLE:
		return 1;
	default:
		return 0;
	}
}

int watch_event_is_foreign(const struct nlmsghdr *nlh, uint32_t self)
{
	const struct nlattr *name = NULL;
	const struct nfgenmsg *nfg;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    !is_object_event(NFNL_MSG_TYPE(nlh->nlmsg_type)))
		return 0;
	nfg = mnl_nlmsg_get_payload(nlh);
	/* the kernel stamps each event with the port that committed it */
	if (nfg->nfgen_family != NFPROTO_INET || nlh->nlmsg_pid == self)
		return 0;
	/* every nf_tables object names its table in attribute 1 */
	if (mnl_attr_parse(nlh, sizeof(*nfg), table_attr_cb, &name) < 0 || !name ||
	    mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0)
		return 0;
	return !strcmp(mnl_attr_get_str(name), RULESET_TABLE);
}

static int gen_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= NFTA_GEN_PROC_NAME)
		tb[type] = attr;
	return MNL_CB_OK;
}

int watch_parse_gen(const struct nlmsghdr *nlh, struct watch_gen *gen)
{
	const struct nlattr *tb[NFTA_GEN_PROC_NAME + 1] = { NULL };

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr_cb, tb) < 0 ||
	    !tb[NFTA_GEN_ID] || mnl_attr_validate(tb[NFTA_GEN_ID], MNL_TYPE_U32) < 0)
		return -EINVAL;
	memset(gen, 0, sizeof(*gen));
	gen->id = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));
	gen->portid = nlh->nlmsg_pid;
	if (tb[NFTA_GEN_PROC_PID] && mnl_attr_validate(tb[NFTA_GEN_PROC_PID], MNL_TYPE_U32) == 0)
		gen->pid = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_PROC_PID]));
	if (tb[NFTA_GEN_PROC_NAME]) {
		size_t len = mnl_attr_get_payload_len(tb[NFTA_GEN_PROC_NAME]);
		const char *s = mnl_attr_get_payload(tb[NFTA_GEN_PROC_NAME]);

		if (len >= sizeof(gen->comm))
			len = sizeof(gen->comm) - 1;
		memcpy(gen->comm, s, len);
		gen->comm[strnlen(gen->comm, len)] = '\0';
	}
	return 0;
}

int watch_same_table(const struct kstate *want, const struct kstate *got)
{
	return want->installed == got->installed && want->rules == got->rules &&
	       want->queue_rule == got->queue_rule && want->backend == got->backend &&
	       want->queue_num == got->queue_num && want->fail_open == got->fail_open &&
	       want->guarded == got->guarded && want->lan_only == got->lan_only &&
	       !memcmp(want->guarded_map, got->guarded_map, sizeof(want->guarded_map));
}

int watch_open(struct watch *w, uint32_t self_portid)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->self = self_portid;
	ret = nlsock_open_reader(&w->nl, NETLINK_NETFILTER, 1u << (NFNLGRP_NFTABLES - 1), RX_SIZE,
				 1 << 20);
	if (ret < 0)
		return ret;
	/* our own transactions' events never reach the socket, so a large
	 * reload cannot overflow it and pass for a foreign change.  Best
	 * effort: watch_event_is_foreign() checks the sender again */
	nlsock_drop_sender(&w->nl, self_portid);
	return 0;
}

void watch_close(struct watch *w)
{
	nlsock_close(&w->nl);
}

int watch_fd(const struct watch *w)
{
	return nlsock_fd(&w->nl);
}

int watch_remember(struct watch *w)
{
	int ret = kstate_read(&w->expect);

	/* only the shape is compared, not what the daemon keeps adding */
	kstate_free(&w->expect);
	w->have_expect = ret == 0;
	return ret;
}

struct drain_ctx {
	struct watch *w;
	int foreign;
};

/* A transaction's object events come first, then its NEWGEN: the commit
 * that names the program behind them.  Acting on the NEWGEN restores once
 * per foreign transaction, even when its events span several reads. */
static void handle_message(void *arg, const struct nlmsghdr *nlh)
{
	struct drain_ctx *dc = arg;
	struct watch_gen gen;

	dc->w->events++;
	if (watch_parse_gen(nlh, &gen) == 0) {
		if (dc->w->touched && gen.portid != dc->w->self) {
			dc->w->last = gen;
			dc->foreign = 1;
		}
		dc->w->touched = 0;
		return;
	}
	if (watch_event_is_foreign(nlh, dc->w->self))
		dc->w->touched = 1;
}

/* Events were lost: compare the table with what our last transaction left. */
static int settle_loss(struct watch *w)
{
	struct kstate now;
	int same;

	if (!w->have_expect || kstate_read(&now) < 0)
		return WATCH_CHANGED;
	kstate_free(&now);
	same = watch_same_table(&w->expect, &now);
	if (!same)
		memset(&w->last, 0, sizeof(w->last));
	return same ? WATCH_QUIET : WATCH_CHANGED;
}

int watch_drain(struct watch *w)
{
	struct drain_ctx dc = { w, 0 };
	unsigned long long lost = w->lost;
	int ret = nlsock_drain(&w->nl, handle_message, &dc, &w->lost);

	if (ret < 0)
		return ret;
	if (dc.foreign)
		return WATCH_FOREIGN;
	if (w->lost != lost) {
		/* a transaction's events may be cut anywhere */
		w->touched = 0;
		return settle_loss(w);
	}
	return WATCH_QUIET;
}
