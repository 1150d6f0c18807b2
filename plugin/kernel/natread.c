// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the ruleset for natpath.c: the chains of every table, then the
 * rules of each chain reached from a prerouting base chain, one chain per
 * dump, and the sets and verdict maps those rules look up.  The kernel
 * resumes a whole-ruleset rule dump by skipping every rule before the
 * resume point, so its cost grows faster than the ruleset (2.2 s at 30,000
 * kube-proxy rules); a dump of one chain stays as long as the chain.  The
 * generation is read before and after: a ruleset that changed meanwhile is
 * read again. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "natscan.h"
#include "nlsock.h"
#include "ruleset.h"

#define READ_TRIES 3

static int on_gen(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == NFTA_GEN_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = ntohl(mnl_attr_get_u32(attr));
	return 0;
}

int natscan_gen(struct nlsock *nl, uint32_t *gen)
{
	uint32_t buf[(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))) / 4];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr((char *)buf, NFT_MSG_GETGEN, NFPROTO_UNSPEC,
						     NLM_F_ACK, nlsock_seq(nl));

	return nlsock_request(nl, buf, nlh->nlmsg_len, on_gen, gen);
}

/* our own table decides before every DNAT; it translates nothing */
static int on_chain(const struct nlmsghdr *nlh, void *data)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg))
		return 0;
	if (nfg->nfgen_family == NFPROTO_INET) {
		const struct nlattr *attr;

		mnl_attr_for_each(attr, nlh, sizeof(*nfg))
			if (mnl_attr_get_type(attr) == NFTA_CHAIN_TABLE &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
			    !strcmp(mnl_attr_get_str(attr), RULESET_TABLE))
				return 0;
	}
	return natscan_model_chain(data, nlh);
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	return natscan_model_rule(data, nlh);
}

static int on_elems(const struct nlmsghdr *nlh, void *data)
{
	return natscan_model_elems(data, nlh);
}

/* A dump of type for family, narrowed by two string attributes. */
static int dump(struct nlsock *nl, uint16_t type, unsigned nfproto, uint16_t a1, const char *v1,
		uint16_t a2, const char *v2, nlsock_cb cb, struct natscan_model *m)
{
	char buf[1024];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, (uint16_t)nfproto, NLM_F_DUMP,
						     nlsock_seq(nl));

	if (v1 && v2) {
		if (strlen(v1) + strlen(v2) > sizeof(buf) - 128)
			return -ENAMETOOLONG;
		mnl_attr_put_strz(nlh, a1, v1);
		mnl_attr_put_strz(nlh, a2, v2);
	}
	return nlsock_request(nl, buf, nlh->nlmsg_len, cb, m);
}

static int read_model(struct nlsock *nl, struct natscan_model *m)
{
	struct natscan_want w;
	int ret = dump(nl, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, 0, NULL, 0, NULL, on_chain, m);

	while (ret == 0 && natscan_model_next(m, &w)) {
		if (w.is_set)
			ret = dump(nl, NFT_MSG_GETSETELEM, w.nfproto, NFTA_SET_ELEM_LIST_TABLE, w.table,
				   NFTA_SET_ELEM_LIST_SET, w.name, on_elems, m);
		else
			ret = dump(nl, NFT_MSG_GETRULE, w.nfproto, NFTA_RULE_TABLE, w.table,
				   NFTA_RULE_CHAIN, w.name, on_rule, m);
		/* gone meanwhile (the generation check reads again), or a
		 * jump to a chain of another table: nothing to read */
		if (ret == -ENOENT)
			ret = 0;
		natscan_model_done(m, &w);
	}
	return ret;
}

struct how {
	natscan_local_fn local;
	const void *ctx;
};

static int read_once(struct nlsock *nl, struct natscan_list *fresh, const struct how *how)
{
	struct natscan_model *m = natscan_model_new();
	int ret;

	if (!m)
		return -ENOMEM;
	natscan_model_local(m, how->local, how->ctx);
	ret = read_model(nl, m);
	if (ret == 0)
		ret = natscan_model_walk(m, fresh);
	natscan_model_free(m);
	return ret;
}

/* 0 and *l replaced, or -errno and *l unchanged */
static int read_checked(struct nlsock *nl, struct natscan_list *l, uint32_t gen,
			const struct how *how)
{
	struct natscan_list fresh = { NULL, 0, 0, 0 };
	uint32_t after = gen;
	int ret = 0, tries, stable = 0;

	for (tries = 0; tries < READ_TRIES && !stable; tries++) {
		ret = read_once(nl, &fresh, how);
		if (ret == 0)
			ret = natscan_gen(nl, &after);
		if (ret < 0)
			break;
		stable = after == gen;
		gen = after;	/* changed while read: once more */
	}
	if (ret < 0) {
		free(fresh.v);
		return ret;
	}
	natscan_free(l);
	*l = fresh;
	/* still changing after every try: what was read stands, and the
	 * next refresh reads again */
	l->gen = gen;
	l->valid = stable ? 1 : -1;
	return 0;
}

int natscan_refresh(struct nlsock *nl, struct natscan_list *l, uint32_t gen,
		    natscan_local_fn local, const void *ctx)
{
	const struct how how = { local, ctx };

	if (l->valid > 0 && l->gen == gen)
		return 1;
	return read_checked(nl, l, gen, &how);
}

int natscan_read(struct natscan_list *l)
{
	struct nlsock nl;
	uint32_t gen = 0;
	int ret = nlsock_open(&nl);

	if (ret < 0)
		return ret;
	const struct how every = { NULL, NULL };

	ret = natscan_gen(&nl, &gen);
	if (ret == 0)
		ret = read_checked(&nl, l, gen, &every);
	nlsock_close(&nl);
	return ret;
}
