// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading every other table's chains and rules into the model of
 * otherfw.h, each attribute's type and length checked: a rule dump of
 * kube-proxy or Docker is untrusted input like any other. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlsock.h"
#include "otherfw.h"
#include "ruleset.h"

#define ATTR_MAX	32	/* above every attribute number read here */
#define RULE_OPS_MAX	128	/* expressions of one rule */
#define BLOB_MAX	512	/* xtables match or target info */

struct attrs {
	const struct nlattr *tb[ATTR_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	if (mnl_attr_get_type(attr) <= ATTR_MAX)
		a->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int nested(const struct nlattr *attr, struct attrs *in)
{
	memset(in, 0, sizeof(*in));
	return attr && mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0 &&
	       mnl_attr_parse_nested(attr, attr_cb, in) >= 0 ? 0 : -1;
}

static int u32_of(const struct attrs *a, int type, uint32_t *out)
{
	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_U32) < 0)
		return -1;
	*out = ntohl(mnl_attr_get_u32(a->tb[type]));
	return 0;
}

static uint32_t u32_or(const struct attrs *a, int type, uint32_t def)
{
	uint32_t v;

	return u32_of(a, type, &v) == 0 ? v : def;
}

static const char *str_of(const struct attrs *a, int type)
{
	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(a->tb[type]);
}

/* the value of an NFTA_DATA nest, 1 to 16 bytes */
static int data_of(const struct attrs *a, int type, uint8_t *out, uint8_t *len)
{
	struct attrs in;
	uint16_t n;

	if (nested(a->tb[type], &in) < 0 || !in.tb[NFTA_DATA_VALUE])
		return -1;
	n = mnl_attr_get_payload_len(in.tb[NFTA_DATA_VALUE]);
	if (n < 1 || n > 16)
		return -1;
	memset(out, 0, 16);
	memcpy(out, mnl_attr_get_payload(in.tb[NFTA_DATA_VALUE]), n);
	*len = (uint8_t)n;
	return 0;
}

/* ---- the pool of names and blobs ----------------------------------------- */

static uint32_t pool_add(struct otherfw *fw, const void *p, size_t n)
{
	size_t need = fw->pool_len + n + 1;
	uint32_t off;

	if (!fw->pool_len)
		need++;		/* offset 0 means "none" */
	if (need > OTHERFW_POOL_MAX)
		return 0;
	if (need > fw->pool_cap) {
		size_t cap = fw->pool_cap ? fw->pool_cap * 2 : 4096;
		char *grown;

		while (cap < need)
			cap *= 2;
		grown = realloc(fw->pool, cap);
		if (!grown)
			return 0;
		fw->pool = grown;
		fw->pool_cap = cap;
	}
	if (!fw->pool_len)
		fw->pool[fw->pool_len++] = '\0';
	off = (uint32_t)fw->pool_len;
	memcpy(fw->pool + off, p, n);
	fw->pool[off + n] = '\0';
	fw->pool_len += n + 1;
	return off;
}

const char *otherfw_str(const struct otherfw *fw, uint32_t off)
{
	return off && off < fw->pool_len ? fw->pool + off : "";
}

/* ---- chains --------------------------------------------------------------- */

static int chain_cmp(const struct otherfw *fw, uint8_t family, const char *table,
		     const char *name, const struct otherfw_chain *c)
{
	int d = (int)family - (int)c->family;

	if (d)
		return d;
	d = strcmp(table, otherfw_str(fw, c->table));
	return d ? d : strcmp(name, otherfw_str(fw, c->name));
}

/* The chain's index, or -1 (chains are kept sorted by key) */
static int find_chain(const struct otherfw *fw, uint8_t family, const char *table,
		      const char *name, unsigned *insert_at)
{
	unsigned lo = 0, hi = fw->nchains;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int d = chain_cmp(fw, family, table, name, &fw->chains[mid]);

		if (d == 0)
			return (int)mid;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (insert_at)
		*insert_at = lo;
	return -1;
}

static int ours(uint8_t family, const char *table)
{
	return family == NFPROTO_INET &&
	       (!strcmp(table, RULESET_TABLE) || !strcmp(table, "portwarden-probe"));
}

static int add_chain(struct otherfw *fw, uint8_t family, const struct attrs *a)
{
	const char *table = str_of(a, NFTA_CHAIN_TABLE), *name = str_of(a, NFTA_CHAIN_NAME);
	const char *type = str_of(a, NFTA_CHAIN_TYPE);
	struct otherfw_chain c = { .family = family };
	struct attrs hook;
	unsigned at;

	if (!table || !name || ours(family, table) || find_chain(fw, family, table, name, &at) >= 0)
		return 0;
	if (fw->nrules)
		return 0;	/* chains come first: rules point into them */
	if (nested(a->tb[NFTA_CHAIN_HOOK], &hook) == 0 &&
	    u32_of(&hook, NFTA_HOOK_HOOKNUM, &c.hook) == 0) {
		c.base = 1;
		c.prio = (int32_t)u32_or(&hook, NFTA_HOOK_PRIORITY, 0);
		c.policy_drop = u32_or(a, NFTA_CHAIN_POLICY, NF_ACCEPT) == NF_DROP;
	}
	c.filter = !type || !strcmp(type, "filter");
	c.table = pool_add(fw, table, strlen(table));
	c.name = pool_add(fw, name, strlen(name));
	if (!c.table || !c.name)
		return -ENOMEM;
	if (fw->nchains == fw->chains_cap) {
		unsigned cap = fw->chains_cap ? fw->chains_cap * 2 : 64;
		struct otherfw_chain *grown = realloc(fw->chains, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		fw->chains = grown;
		fw->chains_cap = cap;
	}
	memmove(&fw->chains[at + 1], &fw->chains[at], (fw->nchains - at) * sizeof(c));
	fw->chains[at] = c;
	fw->nchains++;
	return 0;
}

/* ---- expressions ---------------------------------------------------------- */

static int reg_of(const struct attrs *a, int type, uint8_t *out)
{
	uint32_t r;

	if (u32_of(a, type, &r) < 0 || r > NFT_REG32_15)
		return -1;
	*out = (uint8_t)r;
	return 0;
}

static void op_load(struct otherfw_op *op, const struct attrs *in, int dreg_type)
{
	op->has_dreg = reg_of(in, dreg_type, &op->dreg) == 0;
}

static void on_meta(struct otherfw_op *op, const struct attrs *in)
{
	op->kind = OP_META;
	op->a = (uint8_t)u32_or(in, NFTA_META_KEY, 255);
	op_load(op, in, NFTA_META_DREG);
	if (!op->has_dreg)
		op->kind = OP_NOOP;	/* meta set */
}

static void on_payload(struct otherfw_op *op, const struct attrs *in)
{
	op->kind = OP_PAYLOAD;
	op->a = (uint8_t)u32_or(in, NFTA_PAYLOAD_BASE, 255);
	op->x = u32_or(in, NFTA_PAYLOAD_OFFSET, 0xffff);
	op->len = (uint8_t)u32_or(in, NFTA_PAYLOAD_LEN, 0);
	op_load(op, in, NFTA_PAYLOAD_DREG);
	if (!op->has_dreg)
		op->kind = OP_NOOP;	/* a payload write */
	else if (op->len < 1 || op->len > 16)
		op->kind = OP_UNKNOWN;
}

static void on_ct(struct otherfw_op *op, const struct attrs *in)
{
	op->kind = OP_CT;
	op->a = (uint8_t)u32_or(in, NFTA_CT_KEY, 255);
	op_load(op, in, NFTA_CT_DREG);
	if (!op->has_dreg)
		op->kind = OP_NOOP;	/* ct set */
}

static void on_fib(struct otherfw_op *op, const struct attrs *in)
{
	op->kind = OP_FIB;
	op->x = u32_or(in, NFTA_FIB_FLAGS, 0);
	op->y = u32_or(in, NFTA_FIB_RESULT, 0);
	op_load(op, in, NFTA_FIB_DREG);
	if (!op->has_dreg)
		op->kind = OP_UNKNOWN;
}

static void on_bitwise(struct otherfw_op *op, const struct attrs *in)
{
	uint8_t mlen = 0, xlen = 0;

	op->kind = OP_BITWISE;
	op->len = (uint8_t)u32_or(in, NFTA_BITWISE_LEN, 0);
	if (reg_of(in, NFTA_BITWISE_SREG, &op->sreg) < 0 || reg_of(in, NFTA_BITWISE_DREG, &op->dreg) < 0 ||
	    u32_or(in, NFTA_BITWISE_OP, NFT_BITWISE_BOOL) != NFT_BITWISE_BOOL ||
	    data_of(in, NFTA_BITWISE_MASK, op->data, &mlen) < 0 ||
	    data_of(in, NFTA_BITWISE_XOR, op->data2, &xlen) < 0 || mlen != op->len || xlen != op->len) {
		op->a = 1;	/* a shift or something unread: the result is unknown */
		op->has_dreg = reg_of(in, NFTA_BITWISE_DREG, &op->dreg) == 0;
		return;
	}
	op->has_dreg = 1;
}

static void on_cmp(struct otherfw_op *op, const struct attrs *in)
{
	op->kind = OP_CMP;
	op->a = (uint8_t)u32_or(in, NFTA_CMP_OP, 255);
	if (reg_of(in, NFTA_CMP_SREG, &op->sreg) < 0 || data_of(in, NFTA_CMP_DATA, op->data, &op->len) < 0)
		op->kind = OP_UNKNOWN;
}

static void on_range(struct otherfw_op *op, const struct attrs *in)
{
	uint8_t tlen = 0;

	op->kind = OP_RANGE;
	op->a = (uint8_t)u32_or(in, NFTA_RANGE_OP, 255);
	if (reg_of(in, NFTA_RANGE_SREG, &op->sreg) < 0 ||
	    data_of(in, NFTA_RANGE_FROM_DATA, op->data, &op->len) < 0 ||
	    data_of(in, NFTA_RANGE_TO_DATA, op->data2, &tlen) < 0 || tlen != op->len)
		op->kind = OP_UNKNOWN;
}

static void on_lookup(struct otherfw_op *op, const struct attrs *in)
{
	op->kind = OP_LOOKUP;
	op->has_dreg = reg_of(in, NFTA_LOOKUP_DREG, &op->dreg) == 0;
	op->a = op->has_dreg && op->dreg == NFT_REG_VERDICT;
}

static void on_immediate(struct otherfw *fw, struct otherfw_op *op, const struct attrs *in)
{
	struct attrs data, verdict;
	const char *chain;

	op->kind = OP_UNKNOWN;
	if (reg_of(in, NFTA_IMMEDIATE_DREG, &op->dreg) < 0)
		return;
	if (op->dreg != NFT_REG_VERDICT) {
		if (data_of(in, NFTA_IMMEDIATE_DATA, op->data, &op->len) == 0)
			op->kind = OP_IMM_DATA;
		return;
	}
	if (nested(in->tb[NFTA_IMMEDIATE_DATA], &data) < 0 ||
	    nested(data.tb[NFTA_DATA_VERDICT], &verdict) < 0 ||
	    u32_of(&verdict, NFTA_VERDICT_CODE, &op->x) < 0)
		return;
	op->kind = OP_VERDICT;
	chain = str_of(&verdict, NFTA_VERDICT_CHAIN);
	if ((int32_t)op->x == NFT_JUMP || (int32_t)op->x == NFT_GOTO) {
		if (!chain || !(op->str = pool_add(fw, chain, strlen(chain))))
			op->kind = OP_ANY;	/* a jump to an id, or no memory: unknown */
	}
}

/* xtables match or target through nft_compat */
static void on_xt(struct otherfw *fw, struct otherfw_op *op, const struct attrs *in, int target)
{
	const char *name = str_of(in, target ? NFTA_TARGET_NAME : NFTA_MATCH_NAME);
	const struct nlattr *info = in->tb[target ? NFTA_TARGET_INFO : NFTA_MATCH_INFO];

	op->kind = target ? OP_XT_TARGET : OP_XT_MATCH;
	op->x = u32_or(in, target ? NFTA_TARGET_REV : NFTA_MATCH_REV, 0);
	if (!name || !(op->str = pool_add(fw, name, strlen(name)))) {
		op->kind = target ? OP_ANY : OP_UNKNOWN;
		return;
	}
	if (info && mnl_attr_get_payload_len(info) <= BLOB_MAX) {
		op->blob_len = mnl_attr_get_payload_len(info);
		op->blob = pool_add(fw, mnl_attr_get_payload(info), op->blob_len);
		if (!op->blob)
			op->blob_len = 0;
	}
}

static const struct {
	const char *name;
	uint8_t kind;
} simple[] = {
	{ "counter", OP_NOOP }, { "log", OP_NOOP }, { "notrack", OP_NOOP }, { "dynset", OP_NOOP },
	{ "objref", OP_NOOP }, { "dup", OP_NOOP }, { "last", OP_NOOP }, { "byteorder", OP_NOOP },
	{ "limit", OP_GATE }, { "quota", OP_GATE }, { "connlimit", OP_GATE },
	{ "reject", OP_REJECT },
	{ "queue", OP_ANY }, { "fwd", OP_ANY }, { "tproxy", OP_ANY }, { "synproxy", OP_ANY },
	{ "nat", OP_ANY }, { "masq", OP_ANY }, { "redir", OP_ANY },
};

static void on_expr(struct otherfw *fw, struct otherfw_op *op, const struct nlattr *elem)
{
	struct attrs outer, in = { { NULL } };
	const char *name;
	size_t i;

	memset(op, 0, sizeof(*op));
	op->kind = OP_UNKNOWN;
	if (nested(elem, &outer) < 0 || !(name = str_of(&outer, NFTA_EXPR_NAME)) ||
	    (outer.tb[NFTA_EXPR_DATA] && nested(outer.tb[NFTA_EXPR_DATA], &in) < 0))
		return;
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (!strcmp(name, simple[i].name)) {
			op->kind = simple[i].kind;
			return;
		}
	if (!strcmp(name, "meta"))
		on_meta(op, &in);
	else if (!strcmp(name, "payload"))
		on_payload(op, &in);
	else if (!strcmp(name, "ct"))
		on_ct(op, &in);
	else if (!strcmp(name, "fib"))
		on_fib(op, &in);
	else if (!strcmp(name, "bitwise"))
		on_bitwise(op, &in);
	else if (!strcmp(name, "cmp"))
		on_cmp(op, &in);
	else if (!strcmp(name, "range"))
		on_range(op, &in);
	else if (!strcmp(name, "lookup"))
		on_lookup(op, &in);
	else if (!strcmp(name, "immediate"))
		on_immediate(fw, op, &in);
	else if (!strcmp(name, "match"))
		on_xt(fw, op, &in, 0);
	else if (!strcmp(name, "target"))
		on_xt(fw, op, &in, 1);
}

/* ---- rules ---------------------------------------------------------------- */

static int grow_ops(struct otherfw *fw, unsigned n)
{
	unsigned cap = fw->ops_cap ? fw->ops_cap : 1024;
	struct otherfw_op *grown;

	if (fw->nops + n <= fw->ops_cap)
		return 0;
	while (cap < fw->nops + n)
		cap *= 2;
	grown = realloc(fw->ops, cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	fw->ops = grown;
	fw->ops_cap = cap;
	return 0;
}

static int add_rule(struct otherfw *fw, uint8_t family, const struct attrs *a)
{
	const char *table = str_of(a, NFTA_RULE_TABLE), *chain = str_of(a, NFTA_RULE_CHAIN);
	const struct nlattr *elem;
	struct otherfw_rule r = { 0 };
	int c;

	if (!table || !chain || ours(family, table))
		return 0;
	c = find_chain(fw, family, table, chain, NULL);
	if (c < 0 || !a->tb[NFTA_RULE_EXPRESSIONS] ||
	    mnl_attr_validate(a->tb[NFTA_RULE_EXPRESSIONS], MNL_TYPE_NESTED) < 0) {
		fw->skipped++;
		return 0;
	}
	if (fw->nops + RULE_OPS_MAX > OTHERFW_OPS_MAX) {
		fw->skipped++;
		return 0;
	}
	if (grow_ops(fw, RULE_OPS_MAX) < 0)
		return -ENOMEM;
	r.chain = (unsigned)c;
	r.first = fw->nops;
	if (a->tb[NFTA_RULE_HANDLE] && mnl_attr_validate(a->tb[NFTA_RULE_HANDLE], MNL_TYPE_U64) == 0)
		r.handle = be64toh(mnl_attr_get_u64(a->tb[NFTA_RULE_HANDLE]));
	mnl_attr_for_each_nested(elem, a->tb[NFTA_RULE_EXPRESSIONS]) {
		if (r.nops == RULE_OPS_MAX) {
			fw->nops = r.first;
			fw->skipped++;
			return 0;
		}
		on_expr(fw, &fw->ops[fw->nops++], elem);
		r.nops++;
	}
	if (fw->nrules == fw->rules_cap) {
		unsigned cap = fw->rules_cap ? fw->rules_cap * 2 : 256;
		struct otherfw_rule *grown = realloc(fw->rules, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		fw->rules = grown;
		fw->rules_cap = cap;
	}
	fw->rules[fw->nrules++] = r;
	fw->sorted = 0;
	return 0;
}

int otherfw_add_msg(struct otherfw *fw, const struct nlmsghdr *nlh)
{
	struct attrs a = { { NULL } };
	const struct nfgenmsg *nfg;
	uint16_t type;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, &a) < 0)
		return 0;
	nfg = mnl_nlmsg_get_payload(nlh);
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type == NFT_MSG_NEWCHAIN)
		return add_chain(fw, nfg->nfgen_family, &a);
	if (type == NFT_MSG_NEWRULE)
		return add_rule(fw, nfg->nfgen_family, &a);
	return 0;
}

static int by_chain(const void *x, const void *y)
{
	const struct otherfw_rule *a = x, *b = y;

	if (a->chain != b->chain)
		return a->chain < b->chain ? -1 : 1;
	/* a chain's rules came in order: keep it */
	return a->first < b->first ? -1 : a->first > b->first;
}

int otherfw_finish(struct otherfw *fw)
{
	unsigned i;

	if (fw->nrules)		/* no rules, no array: qsort wants one */
		qsort(fw->rules, fw->nrules, sizeof(*fw->rules), by_chain);
	for (i = 0; i < fw->nchains; i++)
		fw->chains[i].nrules = 0;
	for (i = fw->nrules; i-- > 0;) {
		struct otherfw_chain *c = &fw->chains[fw->rules[i].chain];

		c->first = i;
		c->nrules++;
	}
	fw->sorted = 1;
	return 0;
}

void otherfw_free(struct otherfw *fw)
{
	free(fw->chains);
	free(fw->rules);
	free(fw->ops);
	free(fw->pool);
	memset(fw, 0, sizeof(*fw));
}

/* ---- the dump ------------------------------------------------------------- */

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	return otherfw_add_msg(data, nlh);
}

static int on_gen(const struct nlmsghdr *nlh, void *data)
{
	struct attrs a = { { NULL } };

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg) &&
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &a) >= 0)
		u32_of(&a, NFTA_GEN_ID, data);
	return 0;
}

static int request(struct nlsock *nl, uint16_t type, uint16_t flags, nlsock_cb cb, void *data)
{
	uint32_t buf[(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))) / 4];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr((char *)buf, type, NFPROTO_UNSPEC, flags,
						     nlsock_seq(nl));

	return nlsock_request(nl, buf, nlh->nlmsg_len, cb, data);
}

/* Chains, then rules, between two reads of the ruleset's generation. */
static int read_once(struct nlsock *nl, struct otherfw *fw, int *changed)
{
	uint32_t before = 0, after = 0;
	int ret = request(nl, NFT_MSG_GETGEN, NLM_F_ACK, on_gen, &before);

	if (ret == 0)
		ret = request(nl, NFT_MSG_GETCHAIN, NLM_F_DUMP | NLM_F_ACK, on_msg, fw);
	if (ret == 0)
		ret = request(nl, NFT_MSG_GETRULE, NLM_F_DUMP | NLM_F_ACK, on_msg, fw);
	if (ret == 0)
		ret = request(nl, NFT_MSG_GETGEN, NLM_F_ACK, on_gen, &after);
	*changed = before != after;
	return ret;
}

int otherfw_read(struct otherfw *fw)
{
	struct nlsock nl;
	int ret, changed = 1, tries;

	memset(fw, 0, sizeof(*fw));
	ret = nlsock_open(&nl);
	if (ret < 0)
		return ret;
	for (tries = 0; ret == 0 && changed && tries < 3; tries++) {
		otherfw_free(fw);
		ret = read_once(&nl, fw, &changed);
	}
	nlsock_close(&nl);
	if (ret == 0)
		ret = otherfw_finish(fw);
	else
		otherfw_free(fw);
	return ret;
}

unsigned otherfw_host_addrs(int family, uint8_t (*out)[16], unsigned cap)
{
	struct ifaddrs *ifa, *i;
	unsigned n = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i && n < cap; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family)
			continue;
		memset(out[n], 0, 16);
		if (family == AF_INET)
			memcpy(out[n++], &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(out[n++], &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
	}
	freeifaddrs(ifa);
	return n;
}
