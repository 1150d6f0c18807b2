// SPDX-License-Identifier: GPL-2.0-or-later
/* nf_tables messages of family inet, built with libnftnl: tables, chains
 * and rules with their comments; sets and elements go through
 * nftmsg_put() from nftset.c. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>

#include "nftmsg.h"

struct nlmsghdr *nftmsg_build(char *buf, uint16_t type, uint16_t flags, uint32_t seq,
			      enum nftmsg_obj kind, const void *obj)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags, seq);

	/* libnftnl's set and rule builders take no const, yet only read */
	switch (kind) {
	case NFTMSG_TABLE:
		nftnl_table_nlmsg_build_payload(nlh, obj);
		break;
	case NFTMSG_CHAIN:
		nftnl_chain_nlmsg_build_payload(nlh, obj);
		break;
	case NFTMSG_SET:
		nftnl_set_nlmsg_build_payload(nlh, (struct nftnl_set *)obj);
		break;
	case NFTMSG_ELEMS:
		nftnl_set_elems_nlmsg_build_payload(nlh, (struct nftnl_set *)obj);
		break;
	case NFTMSG_RULE:
		nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)obj);
		break;
	}
	return nlh;
}

int nftmsg_put(struct batch *b, uint16_t type, uint16_t flags, const char *what,
	       enum nftmsg_obj kind, const void *obj)
{
	char *buf = batch_reserve(b);

	if (!buf)
		return -ENOMEM;
	nftmsg_build(buf, type, flags | NLM_F_ACK, batch_next_seq(b), kind, obj);
	batch_commit(b, "%s", what);
	return 0;
}

struct nftnl_udata_buf *nftmsg_comment(int type, const char *comment)
{
	struct nftnl_udata_buf *udata = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 16);
	char text[NFTNL_UDATA_COMMENT_MAXLEN];

	if (!udata)
		return NULL;
	snprintf(text, sizeof(text), "%s", comment);
	if (!nftnl_udata_put_strz(udata, (uint8_t)type, text)) {
		nftnl_udata_buf_free(udata);
		return NULL;
	}
	return udata;
}

int nftmsg_put_table(struct batch *b, const char *name, uint16_t type, uint16_t flags,
		     uint32_t table_flags, const char *comment)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_udata_buf *udata = NULL;
	char what[BATCH_WHAT_MAX];
	int ret = -ENOMEM;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	if (table_flags)
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, table_flags);
	if (comment) {
		udata = nftmsg_comment(NFTNL_UDATA_TABLE_COMMENT, comment);
		if (!udata)
			goto out_table;
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(udata),
				     nftnl_udata_buf_len(udata));
	}
	snprintf(what, sizeof(what), "%s table inet %s",
		 type == NFT_MSG_DELTABLE ? "delete" : "add", name);
	ret = nftmsg_put(b, type, flags, what, NFTMSG_TABLE, t);
	if (udata)
		nftnl_udata_buf_free(udata);
out_table:
	nftnl_table_free(t);
	return ret;
}

int nftmsg_put_chain(struct batch *b, const char *table, const char *name, int hook,
		     int32_t prio, const char *comment)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_udata_buf *udata;
	char what[BATCH_WHAT_MAX];
	int ret = -ENOMEM;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	udata = nftmsg_comment(NFTNL_UDATA_CHAIN_COMMENT, comment);
	if (!udata)
		goto out_chain;
	nftnl_chain_set_data(c, NFTNL_CHAIN_USERDATA, nftnl_udata_buf_data(udata),
			     nftnl_udata_buf_len(udata));
	snprintf(what, sizeof(what), "chain %s", name);
	ret = nftmsg_put(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, what, NFTMSG_CHAIN, c);
	nftnl_udata_buf_free(udata);
out_chain:
	nftnl_chain_free(c);
	return ret;
}

int nftmsg_put_rule(struct batch *b, const char *table, const char *chain, const char *comment,
		    nftmsg_rule_body body, const void *arg)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *udata;
	char what[BATCH_WHAT_MAX];
	int ret = -ENOMEM;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	udata = nftmsg_comment(NFTNL_UDATA_RULE_COMMENT, comment);
	if (!udata)
		goto out_rule;
	if (body(r, arg) < 0)
		goto out_udata;
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udata),
			    nftnl_udata_buf_len(udata));
	snprintf(what, sizeof(what), "rule in chain %s (%.40s)", chain, comment);
	ret = nftmsg_put(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, what, NFTMSG_RULE, r);
out_udata:
	nftnl_udata_buf_free(udata);
out_rule:
	nftnl_rule_free(r);
	return ret;
}

int nftmsg_put_rules(struct batch *b, const char *table, const char *chain,
		     const struct nftmsg_rule *rules, unsigned n)
{
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++)
		if (rules[i].body)
			ret = nftmsg_put_rule(b, table, chain, rules[i].comment, rules[i].body,
					      rules[i].arg);
	return ret;
}
