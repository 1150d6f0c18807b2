// SPDX-License-Identifier: GPL-2.0-or-later
/* Whether the host uses NAT, read from the kernel's chains (see nathooks.h).
 * A chain message comes from the kernel, yet every attribute is checked
 * before use: a short or odd one reads as "not a nat chain". */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <unistd.h>

#include "nathooks.h"
#include "ruleset.h"

struct chain_attrs {
	const struct nlattr *table, *hook, *type;
};

static int chain_attr_cb(const struct nlattr *attr, void *data)
{
	struct chain_attrs *c = data;

	switch (mnl_attr_get_type(attr)) {
	case NFTA_CHAIN_TABLE:
		c->table = attr;
		break;
	case NFTA_CHAIN_HOOK:
		c->hook = attr;
		break;
	case NFTA_CHAIN_TYPE:
		c->type = attr;
		break;
	}
	return MNL_CB_OK;
}

int nathooks_chain_msg(const struct nlmsghdr *nlh)
{
	struct chain_attrs c = { NULL, NULL, NULL };
	const struct nfgenmsg *nfg;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWCHAIN)
		return 0;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*nfg), chain_attr_cb, &c) < 0 || !c.table || !c.hook ||
	    !c.type || mnl_attr_validate(c.table, MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_validate(c.type, MNL_TYPE_NUL_STRING) < 0)
		return 0;
	if (nfg->nfgen_family == NFPROTO_INET && !strcmp(mnl_attr_get_str(c.table), RULESET_TABLE))
		return 0;
	return !strcmp(mnl_attr_get_str(c.type), "nat");
}

int nathooks_legacy_names(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i;

		while (end < len && text[end] != '\n')
			end++;
		if (end - i == 3 && !memcmp(text + i, "nat", 3))
			return 1;
		i = end + 1;
	}
	return 0;
}

/* A legacy iptables table list of this network namespace; absent when the
 * legacy modules are not loaded, which is no NAT */
static int legacy_file(const char *path)
{
	char text[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text));
	close(fd);
	return n > 0 && nathooks_legacy_names(text, (size_t)n);
}

static int on_chain(const struct nlmsghdr *nlh, void *data)
{
	*(int *)data |= nathooks_chain_msg(nlh);
	return 0;
}

static int request(struct nlsock *nl, uint16_t type, uint16_t flags, nlsock_cb cb, void *data)
{
	uint32_t buf[(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))) / 4];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr((char *)buf, type, NFPROTO_UNSPEC,
						     flags | NLM_F_ACK, nlsock_seq(nl));

	return nlsock_request(nl, buf, nlh->nlmsg_len, cb, data);
}

int nathooks_chains(struct nlsock *nl)
{
	int nat = 0;
	/* no table and family UNSPEC: the chains of every table */
	int ret = request(nl, NFT_MSG_GETCHAIN, NLM_F_DUMP, on_chain, &nat);

	return ret < 0 ? ret : nat;
}

int nathooks_legacy(void)
{
	return legacy_file("/proc/net/ip_tables_names") || legacy_file("/proc/net/ip6_tables_names");
}
