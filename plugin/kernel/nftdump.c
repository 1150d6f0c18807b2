// SPDX-License-Identifier: GPL-2.0-or-later
/* Dumps of nf_tables objects that belong to one ruleset generation. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>

#include "nftdump.h"

static int gen_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NFTA_GEN_ID && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*(const struct nlattr **)data = attr;
	return MNL_CB_OK;
}

struct gen_answer {
	uint32_t id;
	int seen;
};

static int on_gen(const struct nlmsghdr *nlh, void *data)
{
	struct gen_answer *g = data;
	const struct nlattr *id = NULL;

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr, &id) < 0 || !id)
		return -EPROTO;
	g->id = ntohl(mnl_attr_get_u32(id));
	g->seen = 1;
	return 0;
}

int nftdump_genid(struct nlsock *nl, uint32_t *genid)
{
	uint32_t buf[(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))) / 4];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct gen_answer got = { 0, 0 };
	int ret;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = nlsock_seq(nl);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	ret = nlsock_request(nl, buf, nlh->nlmsg_len, on_gen, &got);
	if (ret == 0 && !got.seen)
		ret = -EPROTO;
	if (ret == 0)
		*genid = got.id;
	return ret;
}

int nftdump_consistent(struct nlsock *nl, nftdump_fn read, void *ctx)
{
	unsigned tries;

	for (tries = 0; tries < NFTDUMP_TRIES; tries++) {
		uint32_t before, after;
		int ret = nftdump_genid(nl, &before);

		if (ret < 0)
			return ret;
		ret = read(nl, ctx);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		ret = nftdump_genid(nl, &after);
		if (ret < 0)
			return ret;
		if (before == after)
			return 0;
	}
	return -EAGAIN;
}
