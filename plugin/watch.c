// SPDX-License-Identifier: GPL-2.0-or-later
/* Watching nf_tables events for changes to our table made by others. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

int watch_event_is_foreign(const struct nlmsghdr *nlh, uint32_t self)
{
	const struct nlattr *name = NULL;
	const struct nfgenmsg *nfg;
	int type;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	/* removals are what opens a hole; additions by others cannot */
	if (type != NFT_MSG_DELTABLE && type != NFT_MSG_DELCHAIN && type != NFT_MSG_DELRULE &&
	    type != NFT_MSG_DELSET && type != NFT_MSG_DELSETELEM)
		return 0;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != NFPROTO_INET || nlh->nlmsg_pid == self)
		return 0;
	/* every nf_tables object names its table in attribute 1 */
	if (mnl_attr_parse(nlh, sizeof(*nfg), table_attr_cb, &name) < 0 || !name ||
	    mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0)
		return 0;
	return !strcmp(mnl_attr_get_str(name), RULESET_TABLE);
}

int watch_open(struct watch *w, uint32_t self_portid)
{
	int group = NFNLGRP_NFTABLES, ret;

	memset(w, 0, sizeof(*w));
	w->self = self_portid;
	w->rx = malloc(RX_SIZE);
	if (!w->rx)
		return -ENOMEM;
	ret = nlsock_open(&w->nl);
	if (ret < 0)
		goto out_free;
	if (mnl_socket_setsockopt(w->nl.nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		ret = -errno;
		nlsock_close(&w->nl);
		goto out_free;
	}
	nlsock_set_rcvbuf(&w->nl, 1 << 20);
	return 0;
out_free:
	free(w->rx);
	w->rx = NULL;
	return ret;
}

void watch_close(struct watch *w)
{
	if (w->rx)
		nlsock_close(&w->nl);
	free(w->rx);
	w->rx = NULL;
}

int watch_fd(const struct watch *w)
{
	return nlsock_fd(&w->nl);
}

struct drain_ctx {
	struct watch *w;
	int foreign;
};

static void handle_message(void *arg, const struct nlmsghdr *nlh)
{
	struct drain_ctx *dc = arg;

	dc->w->events++;
	dc->foreign |= watch_event_is_foreign(nlh, dc->w->self);
}

int watch_drain(struct watch *w)
{
	struct drain_ctx dc = { w, 0 };
	unsigned long long lost = w->lost;
	int ret = nlsock_drain(&w->nl, w->rx, RX_SIZE, handle_message, &dc, &w->lost);

	if (ret < 0)
		return ret;
	/* lost events may have been removals: assume the worst */
	return dc.foreign || w->lost != lost;
}
