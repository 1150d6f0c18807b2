// SPDX-License-Identifier: GPL-2.0-or-later
/* Round trip: build the batch, parse every message back with libnftnl,
 * compare with what the policy says.  No kernel, no root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdlib.h>
#include <string.h>

#include "rulelan.h"
#include "rulepaths.h"
#include "ruleset.h"
#include "testdb.h"

static const char db_text[] =
	"143/tcp imap loopback-only\n"
	"445/tcp microsoft-ds lan-only\n"
	"11211/both memcached loopback-only\n"
	"6000-6003/tcp x11 loopback-only\n"
	"80/tcp http open\n";

static struct policy_db *make_db(void)
{
	struct policy_db *db = testdb_from("/usr/share/portwarden/ports.db", db_text);

	assert_non_null(db);
	return db;
}

/* Everything a batch said, as parsed back. */
struct parsed {
	unsigned msgs, tables, deltables, chains, rules, sets;
	unsigned uncommented;
	int first_type, excl_table;
	uint32_t table_flags;
	const char *queue_kind;
	uint16_t queue_num;
	int bypass;
	unsigned tg_rev, tg_len;
	unsigned guarded_elems, blocked_elems, lan4_elems, lan4_ends, served_elems, delelems;
	int served_set;
	uint8_t blocked_keys[8][8];
	uint8_t lan4_keys[8][4];
	int blocked_has_counter;
	/* chains prerouting, decide, routed, transports, input, forward and
	 * lan, rule by rule: set looked up, route looked up (fib: daddr's type;
	 * fib_flags and fib_result of the last fib), conntrack status read,
	 * protocol compared, protocol a register was made into, verdict */
	struct chain_rules {
		unsigned rules;
		char lookup[16][32];
		int fib[16], ct_status[16];
		uint32_t fib_flags[16], fib_result[16];
		uint8_t proto[16], alias[16];
		int verdict[16];
		char jump[16][32];
	} pre, dec, routed, trans, inp, str, act, fwd, lan, blk, lat;
	uint32_t pre_hook;
	int32_t pre_prio;
	unsigned logged_v4_keylen, logged_v6_keylen;
	/* the LAN: its sets, and chain lan rule by rule */
	unsigned subnet_v4_keylen, subnet_v6_keylen, subnet_flags;
	unsigned lan_pkttype_rules;
	uint32_t lan_first_fib_flags;
	int lan_jump_before_blocked;
	unsigned ct_exprs;		/* anywhere: each turns conntrack on */
	unsigned reserve_keylen, reserve_gc;	/* set log_reserve */
	uint32_t act_hook;		/* chain after_conntrack, when there is one */
	int32_t act_prio;
	int has_act, has_ephemeral;
};
#define pre_lookup pre.lookup
#define pre_verdict pre.verdict

struct rule_walk {
	struct parsed *p;
	struct chain_rules *chain;	/* prerouting, forward or lan, else NULL */
	int lan;			/* chain lan */
};

static int has_comment_cb(const struct nftnl_udata *attr, void *data)
{
	(void)attr;
	*(int *)data = 1;
	return 0;
}

static int has_comment(const void *udata, uint32_t len)
{
	int found = 0;

	if (udata)
		nftnl_udata_parse(udata, len, has_comment_cb, &found);
	return found;
}

static void chain_expr(struct chain_rules *c, struct nftnl_expr *e, const char *name)
{
	unsigned i = c->rules;

	if (i >= 16)
		return;
	if (!strcmp(name, "fib")) {
		c->fib_flags[i] = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
		c->fib_result[i] = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT);
		c->fib[i] |= c->fib_flags[i] == NFTA_FIB_F_DADDR &&
			     c->fib_result[i] == NFT_FIB_RESULT_ADDRTYPE;
	} else if (!strcmp(name, "cmp") && !c->proto[i]) {
		uint32_t len;
		const uint8_t *v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);

		/* the first one-byte compare of a rule is its protocol test */
		if (len == 1 && nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ)
			c->proto[i] = v[0];
	} else if (!strcmp(name, "bitwise") &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG) == NFT_REG32_00) {
		uint32_t len;
		const uint8_t *xor = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &len);

		c->alias[i] = len ? xor[0] : 0;
	} else if (!strcmp(name, "ct"))
		c->ct_status[i] |= nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) == NFT_CT_STATUS;
	else if (!strcmp(name, "lookup"))
		snprintf(c->lookup[i], sizeof(c->lookup[i]), "%s",
			 nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
	else if (!strcmp(name, "immediate") && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
		c->verdict[i] = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
		if (nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN))
			snprintf(c->jump[i], sizeof(c->jump[i]), "%s",
				 nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));
	}
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_walk *w = data;
	struct parsed *p = w->p;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len;

	if (w->chain)
		chain_expr(w->chain, e, name);
	p->ct_exprs += !strcmp(name, "ct");
	if (w->lan && !strcmp(name, "fib") && !p->lan_first_fib_flags)
		p->lan_first_fib_flags = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
	if (w->lan && !strcmp(name, "meta") &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) == NFT_META_PKTTYPE)
		p->lan_pkttype_rules++;
	if (!strcmp(name, "queue")) {
		p->queue_kind = "native";
		p->queue_num = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM);
		p->bypass = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS) & NFT_QUEUE_FLAG_BYPASS;
	} else if (!strcmp(name, "target")) {
		const struct xt_NFQ_info_v3 *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

		assert_string_equal(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "NFQUEUE");
		p->queue_kind = "compat";
		p->tg_rev = nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV);
		p->tg_len = len;
		p->queue_num = info->queuenum;
		p->bypass = info->flags & NFQ_FLAG_BYPASS;
	}
	return 0;
}

static void parse_rule(struct parsed *p, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_walk w = { p, NULL, 0 };
	const char *chain;
	uint32_t len = 0;
	const void *udata;

	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
	udata = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	p->uncommented += !has_comment(udata, len);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	if (!strcmp(chain, RULESET_CHAIN_PREROUTING))
		w.chain = &p->pre;
	else if (!strcmp(chain, RULESET_CHAIN_DECIDE))
		w.chain = &p->dec;
	else if (!strcmp(chain, RULEPATHS_CHAIN_ROUTED))
		w.chain = &p->routed;
	else if (!strcmp(chain, RULEPATHS_CHAIN_TRANSPORTS))
		w.chain = &p->trans;
	else if (!strcmp(chain, RULESET_CHAIN_INPUT))
		w.chain = &p->inp;
	else if (!strcmp(chain, RULESET_CHAIN_STRAYS))
		w.chain = &p->str;
	else if (!strcmp(chain, RULESET_CHAIN_AFTER_CONNTRACK))
		w.chain = &p->act;
	else if (!strcmp(chain, RULESET_CHAIN_BLOCKED))
		w.chain = &p->blk;
	else if (!strcmp(chain, "log_attempt"))
		w.chain = &p->lat;
	else if (!strcmp(chain, "forward"))
		w.chain = &p->fwd;
	w.lan = !strcmp(chain, RULELAN_CHAIN);
	if (w.lan)
		w.chain = &p->lan;
	nftnl_expr_foreach(r, expr_cb, &w);
	if (w.chain)
		w.chain->rules++;
	nftnl_rule_free(r);
	p->rules++;
}

static void parse_chain(struct parsed *p, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	assert_int_equal(nftnl_chain_nlmsg_parse(nlh, c), 0);
	if (!strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), "prerouting")) {
		p->pre_hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
		p->pre_prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	}
	if (!strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), RULESET_CHAIN_AFTER_CONNTRACK)) {
		p->has_act = 1;
		p->act_hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
		p->act_prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	}
	p->has_ephemeral |= !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
				    RULESET_CHAIN_EPHEMERAL);
	nftnl_chain_free(c);
	p->chains++;
}

static void parse_set(struct parsed *p, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t len = 0;
	const void *udata;

	assert_int_equal(nftnl_set_nlmsg_parse(nlh, s), 0);
	udata = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	p->uncommented += !has_comment(udata, len);
	if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), "logged_v4"))
		p->logged_v4_keylen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), "logged_v6"))
		p->logged_v6_keylen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), "log_reserve")) {
		p->reserve_keylen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		p->reserve_gc = nftnl_set_get_u32(s, NFTNL_SET_GC_INTERVAL);
	}
	if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), "lan_subnets_v4")) {
		p->subnet_v4_keylen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		p->subnet_flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	}
	if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), "lan_subnets_v6"))
		p->subnet_v6_keylen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), RULESET_SET_BLOCKED))
		p->blocked_has_counter = nftnl_set_is_set(s, NFTNL_SET_EXPR) ||
					 nftnl_set_is_set(s, NFTNL_SET_EXPRESSIONS);
	nftnl_set_free(s);
	p->sets++;
}

/* libnftnl numbers the element nests 1, 2, 3... when it builds a list but
 * accepts only NFTA_LIST_ELEM when it parses one (the kernel takes any), so
 * the element list is walked here with libmnl. */
struct elem_attrs {
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1];
};

static int elem_attr_cb(const struct nlattr *attr, void *data)
{
	struct elem_attrs *ea = data;

	if (mnl_attr_get_type(attr) <= NFTA_SET_ELEM_MAX)
		ea->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void record_elem(struct parsed *p, const char *name, const struct nlattr *elem)
{
	struct elem_attrs ea = { { NULL } };
	const struct nlattr *value;
	const uint8_t *key;
	uint32_t len;

	assert_true(mnl_attr_parse_nested(elem, elem_attr_cb, &ea) >= 0);
	assert_non_null(ea.tb[NFTA_SET_ELEM_KEY]);
	value = mnl_attr_get_payload(ea.tb[NFTA_SET_ELEM_KEY]);
	assert_int_equal(mnl_attr_get_type(value), NFTA_DATA_VALUE);
	key = mnl_attr_get_payload(value);
	len = mnl_attr_get_payload_len(value);
	if (!strcmp(name, "guarded")) {
		assert_non_null(ea.tb[NFTA_SET_ELEM_USERDATA]);
		p->guarded_elems++;
	} else if (!strcmp(name, RULESET_SET_SERVED)) {
		assert_int_equal(len, 8);
		p->served_elems++;
	} else if (!strcmp(name, RULESET_SET_BLOCKED)) {
		assert_int_equal(len, 8);
		memcpy(p->blocked_keys[p->blocked_elems++ % 8], key, 8);
	} else if (!strcmp(name, "lan_nets_v4")) {
		assert_int_equal(len, 4);
		memcpy(p->lan4_keys[p->lan4_elems++ % 8], key, 4);
		if (ea.tb[NFTA_SET_ELEM_FLAGS] &&
		    (ntohl(mnl_attr_get_u32(ea.tb[NFTA_SET_ELEM_FLAGS])) & NFT_SET_ELEM_INTERVAL_END))
			p->lan4_ends++;
	}
}

static int list_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= NFTA_SET_ELEM_LIST_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void parse_elems(struct parsed *p, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1] = { NULL };
	const struct nlattr *elem;

	assert_true(mnl_attr_parse(nlh, sizeof(struct nfgenmsg), list_attr_cb, tb) >= 0);
	assert_non_null(tb[NFTA_SET_ELEM_LIST_SET]);
	assert_non_null(tb[NFTA_SET_ELEM_LIST_ELEMENTS]);
	mnl_attr_for_each_nested(elem, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		record_elem(p, mnl_attr_get_str(tb[NFTA_SET_ELEM_LIST_SET]), elem);
}

static void parse_batch(const struct batch *b, struct parsed *p)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->buf;
	int left = (int)b->len;

	memset(p, 0, sizeof(*p));
	p->first_type = -1;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		int type = NFNL_MSG_TYPE(nlh->nlmsg_type);

		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			continue;
		assert_true(nlh->nlmsg_flags & NLM_F_ACK);
		if (p->first_type < 0)
			p->first_type = type;
		p->msgs++;
		switch (type) {
		case NFT_MSG_NEWTABLE: {
			struct nftnl_table *t = nftnl_table_alloc();

			assert_int_equal(nftnl_table_nlmsg_parse(nlh, t), 0);
			if (nftnl_table_is_set(t, NFTNL_TABLE_FLAGS))
				p->table_flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
			nftnl_table_free(t);
			p->tables++;
			if (nlh->nlmsg_flags & NLM_F_EXCL)
				p->excl_table = 1;
			break;
		}
		case NFT_MSG_DELTABLE:
			p->deltables++;
			break;
		case NFT_MSG_NEWCHAIN:
			parse_chain(p, nlh);
			break;
		case NFT_MSG_NEWRULE:
			parse_rule(p, nlh);
			break;
		case NFT_MSG_NEWSET:
			parse_set(p, nlh);
			break;
		case NFT_MSG_NEWSETELEM:
			parse_elems(p, nlh);
			break;
		case NFT_MSG_DELSETELEM:
			p->delelems++;
			break;
		}
	}
	assert_int_equal(left, 0);
}

/* the jump to chain lan comes before the @blocked lookup */
static void lan_jump_order(struct parsed *p)
{
	unsigned i;

	for (i = 0; i < p->dec.rules && i < 16; i++) {
		if (!strcmp(p->dec.lookup[i], RULESET_SET_BLOCKED))
			return;
		if (!strcmp(p->dec.lookup[i], "lan_only") && !strcmp(p->dec.jump[i], "lan"))
			p->lan_jump_before_blocked = 1;
	}
}

static int build_no_socket_match;	/* as firewall_probe found the kernel */
static int build_host_nat;	/* as the daemon found the host's chains */

static void build_extra(enum ruleset_queue_backend backend, const struct config *cfg,
			const struct ruleset_port *blocked, unsigned nblocked,
			const struct ruleset_elem *extra, unsigned nextra, struct parsed *p)
{
	struct policy_db *db = make_db();
	static struct lan_host host;
	static struct lan lan;
	struct ruleset_spec spec = { .db = db, .cfg = cfg, .lan = &lan, .backend = backend,
				     .blocked = blocked, .nblocked = nblocked, .replace = 1,
				     .extra = extra, .nextra = nextra,
				     .table_flags = NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST,
				     .no_socket_match = build_no_socket_match,
				     .host_nat = build_host_nat };
	struct batch b;

	lan_compute(&host, cfg, &lan);
	assert_int_equal(batch_init(&b, 100), 0);
	assert_int_equal(ruleset_build(&b, &spec), 0);
	assert_int_equal(batch_end(&b), 0);
	assert_int_equal(batch_count(&b), b.nwhat);
	parse_batch(&b, p);
	assert_int_equal(p->msgs, batch_count(&b));
	lan_jump_order(p);
	batch_free(&b);
	policy_db_free(db);
}

static void build(enum ruleset_queue_backend backend, const struct config *cfg,
		  const struct ruleset_port *blocked, unsigned nblocked, struct parsed *p)
{
	build_extra(backend, cfg, blocked, nblocked, NULL, 0, p);
}

static void ruleset_build__native_closed__queue_expression_without_bypass(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	cfg.queue_num = 7;
	build(RULESET_QUEUE_NATIVE, &cfg, NULL, 0, &p);
	assert_string_equal(p.queue_kind, "native");
	assert_int_equal(p.queue_num, 7);
	assert_int_equal(p.bypass, 0);
}

static void ruleset_build__native_open__bypass(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	cfg.fail_open = 1;
	build(RULESET_QUEUE_NATIVE, &cfg, NULL, 0, &p);
	assert_string_equal(p.queue_kind, "native");
	assert_int_not_equal(p.bypass, 0);
}

static void ruleset_build__compat__nfqueue_v3_target(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	cfg.queue_num = 3;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_string_equal(p.queue_kind, "compat");
	assert_int_equal(p.tg_rev, 3);
	assert_int_equal(p.tg_len, sizeof(struct xt_NFQ_info_v3));
	assert_int_equal(p.queue_num, 3);
	assert_int_equal(p.bypass, 0);
	cfg.fail_open = 1;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_not_equal(p.bypass, 0);
}

static void ruleset_build__table__replaced_atomically_and_commented(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.first_type, NFT_MSG_DELTABLE);
	assert_int_equal(p.tables, 1);
	assert_int_equal(p.deltables, 1);
	assert_true(p.excl_table);
	assert_int_equal(p.table_flags, NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
	assert_int_equal(p.uncommented, 0);
	assert_true(p.blocked_has_counter);
	/* prerouting, decide, input, strays, ephemeral, lan, blocked,
	 * log_attempt, martian, routed, transports, forward (host mode: into
	 * bridges) */
	assert_int_equal(p.chains, 12);
}

static void ruleset_build__no_socket_match__no_input_chain(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build_no_socket_match = 1;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	build_no_socket_match = 0;
	/* all but input, strays and ephemeral: the rest of the table stands,
	 * and prerouting decides every UDP datagram */
	assert_int_equal(p.chains, 9);
	assert_int_equal(p.pre.rules, 7);
}

static void ruleset_build_socket_probe__throwaway_table__created_and_deleted(void **state)
{
	struct batch b;
	struct parsed p;

	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(ruleset_build_socket_probe(&b), 0);
	assert_int_equal(batch_end(&b), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.tables, 1);
	assert_int_equal(p.deltables, 1);
	assert_int_equal(p.rules, 1);
	assert_non_null(memmem(b.buf, b.len, "socket match probe", strlen("socket match probe")));
	assert_non_null(memmem(b.buf, b.len, "meta", strlen("meta")));
	batch_free(&b);
}

static void ruleset_build__prerouting__whole_decision_before_dnat(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.lan_nets[cfg.nlan_nets++]), 0);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	/* raw: before conntrack (-200) and every DNAT (dstnat, -100) */
	assert_int_equal(p.pre_hook, NF_INET_PRE_ROUTING);
	assert_int_equal(p.pre_prio, -300);
	assert_int_equal(p.pre.rules, 8);
	assert_int_equal(p.pre_verdict[0], NF_ACCEPT);	/* iif lo */
	assert_string_equal(p.pre.jump[1], "martian");	/* IPv4 only: the kernel drops ::1 */
	assert_int_equal(p.pre_verdict[2], NFT_RETURN);	/* not a SYN */
	assert_int_equal(p.pre.proto[3], IPPROTO_UDP);	/* the ephemeral range: input decides */
	assert_int_equal(p.pre_verdict[3], NFT_RETURN);
	assert_string_equal(p.pre_lookup[4], RULEPATHS_SET_TRANSPORTS);
	assert_string_equal(p.pre.jump[4], RULEPATHS_CHAIN_TRANSPORTS);
	assert_string_equal(p.pre_lookup[5], "logged_v4");
	assert_int_equal(p.pre_verdict[5], NF_DROP);
	assert_string_equal(p.pre_lookup[6], "logged_v6");
	assert_int_equal(p.pre_verdict[6], NF_DROP);
	assert_string_equal(p.pre.jump[7], RULESET_CHAIN_DECIDE);
	/* no route lookup in prerouting: traffic to open ports pays none */
	assert_int_equal(p.pre.fib_flags[0] | p.pre.fib_flags[1] | p.pre.fib_flags[2] |
			 p.pre.fib_flags[3] | p.pre.fib_flags[4] | p.pre.fib_flags[5] |
			 p.pre.fib_flags[6] | p.pre.fib_flags[7], 0);
	/* chain decide: a port not guarded leaves at the first lookup */
	assert_int_equal(p.dec.rules, 8);
	assert_string_equal(p.dec.lookup[0], "guarded");
	assert_int_equal(p.dec.verdict[0], NFT_RETURN);
	assert_int_equal(p.dec.verdict[1], NF_ACCEPT);	/* its own multicast, looped back */
	assert_true(p.dec.fib_flags[1] & NFTA_FIB_F_SADDR);
	assert_string_equal(p.dec.lookup[2], "guarded");	/* forged own source */
	assert_int_equal(p.dec.verdict[2], NF_DROP);
	assert_string_equal(p.dec.lookup[3], "lan_only");
	assert_string_equal(p.dec.jump[3], "lan");
	assert_string_equal(p.dec.lookup[4], "guarded");	/* routed through this host */
	assert_int_equal(p.dec.verdict[4], NFT_GOTO);
	assert_string_equal(p.dec.jump[4], RULEPATHS_CHAIN_ROUTED);
	assert_string_equal(p.dec.lookup[5], RULESET_SET_BLOCKED);
	assert_string_equal(p.dec.jump[5], "blocked");
	assert_string_equal(p.dec.lookup[6], RULESET_SET_SERVED);
	assert_int_equal(p.dec.verdict[6], NF_ACCEPT);
	assert_string_equal(p.dec.lookup[7], "guarded");
	/* one route lookup of the destination, after the port matched, sends
	 * routed packets away: the rules after it see only this host's */
	assert_int_equal(p.dec.fib[3], 0);
	assert_int_equal(p.dec.fib[4], 1);
	assert_int_equal(p.dec.fib[5], 0);
	assert_int_equal(p.dec.fib[7], 0);
	/* protocol, port, interface (a register each), source, destination */
	assert_int_equal(p.logged_v4_keylen, 4 + 4 + 4 + 4 + 4);
	assert_int_equal(p.logged_v6_keylen, 4 + 4 + 4 + 16 + 16);
	/* a host without wan_interfaces or NAT gets no conntrack */
	assert_int_equal(p.ct_exprs, 0);
	assert_false(p.has_act);
}

/* Where the host uses NAT, conntrack runs anyway: UDP leaves prerouting for
 * chain after_conntrack (between conntrack and DNAT), which lets replies
 * through before the decision; no chain ephemeral then */
static void ruleset_build__host_nat__udp_decided_after_conntrack(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build_host_nat = 1;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	build_host_nat = 0;
	assert_true(p.has_act);
	assert_int_equal(p.act_hook, NF_INET_PRE_ROUTING);
	assert_int_equal(p.act_prio, -150);
	assert_false(p.has_ephemeral);
	assert_int_equal(p.inp.rules, 2);
	/* prerouting: every UDP datagram returns */
	assert_int_equal(p.pre.proto[3], IPPROTO_UDP);
	assert_int_equal(p.pre_verdict[3], NFT_RETURN);
	assert_int_equal(p.act.rules, 4);
	assert_int_equal(p.act.verdict[0], NF_ACCEPT);		/* iif lo */
	assert_int_equal(p.act.verdict[1], NFT_RETURN);		/* not UDP */
	assert_int_equal(p.act.verdict[2], NF_ACCEPT);		/* ct state established */
	assert_string_equal(p.act.jump[3], RULESET_CHAIN_DECIDE);
	assert_int_equal(p.ct_exprs, 3);	/* after_conntrack, forward: state, dnat */
}

/* Addresses this host routes: the LAN's own connections go on; back out
 * the input interface (a DNAT of an address routed here) is refused in
 * the kernel, in both modes */
static void ruleset_build__routed__hairpin_refused(void **state)
{
	struct config cfg;
	struct parsed host, router;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &host);
	assert_int_equal(host.routed.rules, 2);
	assert_string_equal(host.routed.lookup[0], RULELAN_SET_IFACES);
	assert_int_equal(host.routed.verdict[0], NFT_RETURN);
	assert_int_equal(host.routed.fib_flags[1], NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF);
	assert_int_equal(host.routed.fib_result[1], NFT_FIB_RESULT_OIF);
	assert_string_equal(host.routed.jump[1], "blocked");
	snprintf(cfg.wan_ifaces[cfg.nwan_ifaces++], IFNAMSIZ, "eth0");
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &router);
	assert_int_equal(router.routed.rules, 2);
}

/* Host mode: what is routed into a bridge from outside is decided by its
 * port; without NAT no conntrack, so UDP to the ephemeral range passes;
 * with NAT replies and DNAT (decided in prerouting) pass first */
static void ruleset_build__host_forward__into_bridges_decided(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.fwd.rules, 6);
	assert_string_equal(p.fwd.lookup[0], RULELAN_SET_IFACES);	/* oifname != */
	assert_string_equal(p.fwd.lookup[1], RULELAN_SET_IFACES);	/* iifname */
	assert_int_equal(p.fwd.verdict[2], NFT_RETURN);			/* not a SYN */
	assert_int_equal(p.fwd.proto[3], IPPROTO_UDP);			/* ephemeral range */
	assert_int_equal(p.fwd.verdict[3], NFT_RETURN);
	assert_string_equal(p.fwd.lookup[4], RULESET_SET_LAN_ONLY);
	assert_string_equal(p.fwd.jump[4], RULELAN_CHAIN);
	assert_string_equal(p.fwd.lookup[5], RULESET_SET_GUARDED);
	assert_string_equal(p.fwd.jump[5], "blocked");
	assert_int_equal(p.ct_exprs, 0);
	build_host_nat = 1;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	build_host_nat = 0;
	assert_int_equal(p.fwd.rules, 7);
	assert_int_equal(p.fwd.verdict[3], NFT_RETURN);		/* ct state established */
	assert_true(p.fwd.ct_status[4]);			/* ct status dnat */
	assert_int_equal(p.fwd.verdict[4], NFT_RETURN);
}

/* UDP-Lite looks up the UDP entries, SCTP and DCCP the TCP ones: LAN,
 * routed, refused in the kernel (monitor mode: logged, let through) */
static void ruleset_build__transports__aliased_to_udp_and_tcp(void **state)
{
	static const uint8_t proto[] = { 136, IPPROTO_SCTP, IPPROTO_DCCP },
			     alias[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_TCP };
	struct config cfg;
	struct parsed p;
	unsigned i;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.trans.rules, 9);
	for (i = 0; i < 9; i++) {
		assert_int_equal(p.trans.proto[i], proto[i / 3]);
		assert_int_equal(p.trans.alias[i], alias[i / 3]);
	}
	assert_string_equal(p.trans.lookup[0], "lan_only");
	assert_string_equal(p.trans.jump[0], "lan");
	assert_int_equal(p.trans.verdict[1], NFT_GOTO);
	assert_string_equal(p.trans.jump[1], RULEPATHS_CHAIN_ROUTED);
	assert_int_equal(p.trans.fib[1], 1);
	assert_string_equal(p.trans.lookup[2], "guarded");
	assert_string_equal(p.trans.jump[2], "blocked");
	cfg.monitor = 1;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_string_equal(p.trans.jump[2], RULEPATHS_CHAIN_WOULD_BLOCK);
	assert_string_equal(p.routed.jump[1], RULEPATHS_CHAIN_WOULD_BLOCK);
	assert_string_equal(p.dec.jump[5], RULEPATHS_CHAIN_WOULD_BLOCK);
	assert_string_equal(p.fwd.jump[p.fwd.rules - 1], RULEPATHS_CHAIN_WOULD_BLOCK);
	/* strays: monitor mode keeps only its own-connection and blocked rules */
	assert_int_equal(p.chains, 13);
}

/* Segments without SYN and without a socket of this host: served ports'
 * and the LAN's (lan-only ports) go on, the rest of the guarded ports'
 * are dropped, blocked or not; monitor mode drops only @blocked's */
static void ruleset_build__input__strays_dropped_admitted_sources_pass(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.inp.rules, 3);
	assert_int_equal(p.inp.verdict[0], NF_ACCEPT);	/* iif lo */
	assert_string_equal(p.inp.jump[1], RULESET_CHAIN_STRAYS);
	/* without NAT: UDP to the ephemeral range, where replies are told */
	assert_int_equal(p.inp.proto[2], IPPROTO_UDP);
	assert_string_equal(p.inp.jump[2], RULESET_CHAIN_EPHEMERAL);
	assert_true(p.has_ephemeral);
	assert_int_equal(p.str.rules, 5);
	assert_int_equal(p.str.verdict[0], NFT_RETURN);	/* a socket of this host */
	assert_string_equal(p.str.lookup[1], RULESET_SET_GUARDED);	/* not guarded */
	assert_int_equal(p.str.verdict[1], NFT_RETURN);
	assert_string_equal(p.str.lookup[2], RULESET_SET_SERVED);
	assert_int_equal(p.str.verdict[2], NFT_RETURN);
	assert_string_equal(p.str.lookup[3], RULESET_SET_LAN_ONLY);
	assert_string_equal(p.str.jump[3], RULELAN_CHAIN);
	assert_string_equal(p.str.lookup[4], RULESET_SET_GUARDED);
	assert_int_equal(p.str.verdict[4], NF_DROP);
	cfg.monitor = 1;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.str.rules, 2);
	assert_string_equal(p.str.lookup[1], RULESET_SET_BLOCKED);
	assert_int_equal(p.str.verdict[1], NF_DROP);
}

/* Chain blocked: repeats drop; a new source is logged from its own budget,
 * or, when the full per-source set could not take it, from its port's
 * reserve; both through chain log_attempt, which logs before it remembers;
 * the rest is counted as unlogged */
static void ruleset_build__blocked__reserve_and_unlogged_count(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.blk.rules, 7);
	assert_string_equal(p.blk.lookup[0], "logged_v4");
	assert_int_equal(p.blk.verdict[0], NF_DROP);
	assert_string_equal(p.blk.lookup[1], "logged_v6");
	assert_int_equal(p.blk.verdict[2], NFT_GOTO);
	assert_string_equal(p.blk.jump[2], "log_attempt");
	assert_string_equal(p.blk.jump[3], "log_attempt");
	/* the reserve: only for a source not in the per-source set */
	assert_string_equal(p.blk.lookup[4], "log_sources_v4");
	assert_string_equal(p.blk.jump[4], "log_attempt");
	assert_string_equal(p.blk.lookup[5], "log_sources_v6");
	assert_int_equal(p.blk.verdict[6], NF_DROP);
	assert_int_equal(p.lat.rules, 4);
	assert_int_equal(p.lat.verdict[3], NF_DROP);
	assert_true(p.reserve_keylen == 12 && p.reserve_gc > 0 && p.reserve_gc < 1000);
}

static void ruleset_build__router__forward_skips_dnat(void **state)
{
	struct config cfg;
	struct parsed p;
	unsigned i, dnat = 0, guarded = 0;

	config_defaults(&cfg);
	snprintf(cfg.wan_ifaces[cfg.nwan_ifaces++], IFNAMSIZ, "eth0");
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	for (i = 0; i < p.fwd.rules; i++) {
		if (p.fwd.ct_status[i]) {
			assert_int_equal(p.fwd.verdict[i], NFT_RETURN);
			dnat = i;
		}
		if (!strcmp(p.fwd.lookup[i], "guarded"))
			guarded = i;
	}
	/* a DNATed connection returns before the guarded ports are dropped */
	assert_true(dnat > 0);
	assert_true(guarded > dnat);
	assert_string_equal(p.fwd.jump[guarded], "forward_blocked");
}

static void ruleset_build__guarded_set__one_element_per_guarded_port(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	/* 143, 445, 11211 tcp+udp, 6000-6003 */
	assert_int_equal(p.guarded_elems, 1 + 1 + 2 + 4);
}

static void ruleset_build__blocked_carried_over__only_still_guarded(void **state)
{
	const struct ruleset_port blocked[] = { { IPPROTO_TCP, 143 }, { IPPROTO_TCP, 80 },
						{ IPPROTO_UDP, 11211 } };
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, blocked, 3, &p);
	assert_int_equal(p.blocked_elems, 2);
	assert_int_equal(p.blocked_keys[0][0], IPPROTO_TCP);
	assert_int_equal(p.blocked_keys[0][4] << 8 | p.blocked_keys[0][5], 143);
	assert_int_equal(p.blocked_keys[1][0], IPPROTO_UDP);
}

static void ruleset_build__lan_networks__merged_intervals(void **state)
{
	static const char *nets[] = { "10.1.0.0/16", "192.168.1.0/24", "10.0.0.0/8",
				      "192.168.0.0/24", "fd00::/8" };
	struct config cfg;
	struct parsed p;
	unsigned i;

	config_defaults(&cfg);
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	for (i = 0; i < 5; i++)
		assert_int_equal(config_parse_net(nets[i], &cfg.lan_nets[cfg.nlan_nets++]), 0);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.lan4_elems, 4);
	assert_int_equal(p.lan4_ends, 2);
	assert_memory_equal(p.lan4_keys[0], ((uint8_t[]){ 10, 0, 0, 0 }), 4);
	assert_memory_equal(p.lan4_keys[1], ((uint8_t[]){ 11, 0, 0, 0 }), 4);
	assert_memory_equal(p.lan4_keys[2], ((uint8_t[]){ 192, 168, 0, 0 }), 4);
	assert_memory_equal(p.lan4_keys[3], ((uint8_t[]){ 192, 168, 2, 0 }), 4);
}

static void ruleset_build__whole_address_space__no_end_element(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	assert_int_equal(config_parse_net("0.0.0.0/0", &cfg.lan_nets[cfg.nlan_nets++]), 0);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.lan4_elems, 1);
	assert_int_equal(p.lan4_ends, 0);
}

/* LAN updates: which set each element message names, and the first key */
struct lan_msgs {
	unsigned n;
	struct {
		int del;
		char set[32];
		uint8_t key[32], key_end[32];
		uint32_t keylen, endlen;
		char comment[128];
	} m[8];
};

static void record_lan_msg(struct lan_msgs *lm, const struct nlmsghdr *nlh, int del)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1] = { NULL }, *elem;
	struct elem_attrs ea = { { NULL } };

	assert_true(lm->n < 8);
	assert_true(mnl_attr_parse(nlh, sizeof(struct nfgenmsg), list_attr_cb, tb) >= 0);
	lm->m[lm->n].del = del;
	snprintf(lm->m[lm->n].set, 32, "%s", mnl_attr_get_str(tb[NFTA_SET_ELEM_LIST_SET]));
	elem = mnl_attr_get_payload(tb[NFTA_SET_ELEM_LIST_ELEMENTS]);
	assert_true(mnl_attr_parse_nested(elem, elem_attr_cb, &ea) >= 0);
	if (ea.tb[NFTA_SET_ELEM_KEY]) {
		const struct nlattr *v = mnl_attr_get_payload(ea.tb[NFTA_SET_ELEM_KEY]);

		lm->m[lm->n].keylen = mnl_attr_get_payload_len(v);
		memcpy(lm->m[lm->n].key, mnl_attr_get_payload(v), lm->m[lm->n].keylen);
	}
	if (ea.tb[NFTA_SET_ELEM_KEY_END]) {
		const struct nlattr *v = mnl_attr_get_payload(ea.tb[NFTA_SET_ELEM_KEY_END]);

		lm->m[lm->n].endlen = mnl_attr_get_payload_len(v);
		memcpy(lm->m[lm->n].key_end, mnl_attr_get_payload(v), lm->m[lm->n].endlen);
	}
	if (ea.tb[NFTA_SET_ELEM_USERDATA])
		snprintf(lm->m[lm->n].comment, 128, "%s",
			 (const char *)mnl_attr_get_payload(ea.tb[NFTA_SET_ELEM_USERDATA]) + 2);
	lm->n++;
}

static void host_add(struct lan_host *h, uint32_t ifindex, const char *name, const char *addr,
		     uint8_t prefix)
{
	struct lan_link *l = lanhost_add(h, ifindex);
	struct lan_addr a = { .prefix = prefix };

	assert_non_null(l);
	snprintf(l->name, IFNAMSIZ, "%s", name);
	if (!addr)
		return;
	a.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, addr, a.addr);
	assert_int_equal(lanhost_addr_add(h, l, &a), 0);
}

/* The element messages of a batch, in order */
static void record_batch(const struct batch *b, struct lan_msgs *lm)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->buf;
	int left;

	memset(lm, 0, sizeof(*lm));
	for (left = (int)b->len; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		int type = NFNL_MSG_TYPE(nlh->nlmsg_type);

		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			continue;
		assert_true(type == NFT_MSG_NEWSETELEM || type == NFT_MSG_DELSETELEM);
		record_lan_msg(lm, nlh, type == NFT_MSG_DELSETELEM);
	}
}

/* The changes that bring lan to host's state for these links */
static int changes_for(const struct lan_host *h, const struct config *cfg, const struct lan *lan,
		       const uint32_t *links, unsigned n, struct batch *b, struct lan_change *v)
{
	unsigned i;
	int ret;

	for (i = 0; i < n; i++) {
		v[i].ifindex = links[i];
		v[i].present = lan_iface_compute(h, cfg, links[i], &v[i].cur);
		assert_true(v[i].present >= 0);
	}
	assert_int_equal(batch_init(b, 1), 0);
	ret = rulelan_build_changes(b, lan, v, n);
	assert_int_equal(batch_end(b), 0);
	for (i = 0; i < n; i++)
		lan_iface_free(&v[i].cur);
	return ret;
}

static void rulelan_build_changes__links__only_changed_elements(void **state)
{
	static struct lan_host h;
	static struct lan before;
	static const uint32_t links[] = { 2, 3, 4 };
	struct lan_change v[3];
	struct lan_msgs lm;
	struct config cfg;
	struct batch b;

	config_defaults(&cfg);
	host_add(&h, 2, "eth1", "192.168.1.23", 24);
	host_add(&h, 3, "docker0", "172.17.0.1", 16);
	lan_compute(&h, &cfg, &before);
	/* docker0 went away, with its address; tun0 came */
	lanhost_del(&h, 3);
	host_add(&h, 4, "tun0", "10.8.0.2", 24);
	/* removed: docker0's zone, subnet and interface; added: tun0's zone
	 * and subnet */
	assert_int_equal(changes_for(&h, &cfg, &before, links, 3, &b, v), 5);
	record_batch(&b, &lm);
	assert_int_equal(lm.n, 5);
	/* removals come first */
	assert_true(lm.m[0].del && lm.m[1].del && lm.m[2].del && !lm.m[3].del && !lm.m[4].del);
	assert_string_equal(lm.m[0].set, "lan_subnets_v4");
	assert_memory_equal(lm.m[0].key, "docker0\0\0\0\0\0\0\0\0\0\xac\x11\x00\x00", 20);
	assert_memory_equal(lm.m[0].key_end, "docker0\0\0\0\0\0\0\0\0\0\xac\x11\xff\xff", 20);
	assert_string_equal(lm.m[1].set, "lan_ifaces");
	assert_int_equal(lm.m[1].keylen, IFNAMSIZ);
	assert_string_equal((const char *)lm.m[1].key, "docker0");
	assert_string_equal(lm.m[2].set, "zone_lan");
	assert_string_equal((const char *)lm.m[2].key, "docker0");
	assert_string_equal(lm.m[3].set, "lan_subnets_v4");
	assert_memory_equal(lm.m[3].key, "tun0\0\0\0\0\0\0\0\0\0\0\0\0\x0a\x08\x00\x00", 20);
	assert_memory_equal(lm.m[3].key_end, "tun0\0\0\0\0\0\0\0\0\0\0\0\0\x0a\x08\x00\xff", 20);
	assert_string_equal(lm.m[3].comment, "10.8.0.0/24 on tun0: connected private subnet (RFC 1918)");
	assert_string_equal(lm.m[4].set, "zone_lan");
	assert_string_equal(lm.m[4].comment, "tun0: private subnet 10.8.0.0/24 (RFC 1918) connected");
	batch_free(&b);
	/* nothing changed: nothing to send */
	lan_compute(&h, &cfg, &before);
	assert_int_equal(changes_for(&h, &cfg, &before, links, 3, &b, v), 0);
	assert_int_equal(batch_count(&b), 0);
	batch_free(&b);
	/* a zone that changes moves the interface between the zone sets, and
	 * takes its subnets away */
	cfg.nzones = 1;
	strcpy(cfg.zones[0].name, "eth1");
	cfg.zones[0].zone = ZONE_PUBLIC;
	assert_int_equal(changes_for(&h, &cfg, &before, links, 1, &b, v), 3);
	record_batch(&b, &lm);
	assert_true(lm.m[0].del && lm.m[1].del && !lm.m[2].del);
	assert_string_equal(lm.m[0].set, "lan_subnets_v4");
	assert_string_equal(lm.m[1].set, "zone_lan");
	assert_string_equal(lm.m[2].set, "zone_public");
	assert_string_equal(lm.m[2].comment, "eth1: zone.eth1 in portwarden.conf");
	batch_free(&b);
	lan_free(&before);
	lanhost_free(&h);
}

static void ruleset_build__lan__interface_bound_sets_and_reverse_path(void **state)
{
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	/* chain decide jumps to chain lan for lan-only ports, before @blocked */
	assert_int_equal(p.lan_jump_before_blocked, 1);
	assert_int_equal(p.subnet_v4_keylen, IFNAMSIZ + 4);
	assert_int_equal(p.subnet_v6_keylen, IFNAMSIZ + 16);
	assert_int_equal(p.subnet_flags, NFT_SET_INTERVAL | NFT_SET_CONCAT);
	assert_int_equal(p.lan_first_fib_flags, NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF);
	/* IPv4 broadcast, IPv4 multicast, IPv6 multicast */
	assert_int_equal(p.lan_pkttype_rules, 3);
	cfg.lan_nets_mode = CONFIG_LAN_NONE;
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	assert_int_equal(p.lan_pkttype_rules, 0);
}

/* Router mode: what arrives on a WAN interface leaves chain lan before any
 * source is tested, so a WAN source is never LAN */
static void ruleset_build__router__lan_returns_wan_first(void **state)
{
	struct config cfg;
	struct parsed host, router;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &host);
	/* after the two rules for DHCP replies to the host's own client */
	assert_string_equal(host.lan.lookup[2], "");
	snprintf(cfg.wan_ifaces[cfg.nwan_ifaces++], IFNAMSIZ, "eth0");
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &router);
	assert_int_equal(router.lan.rules, host.lan.rules + 1);
	assert_string_equal(router.lan.lookup[2], RULESET_SET_WAN_IFACES);
	assert_int_equal(router.lan.verdict[2], NFT_RETURN);
}

static void ruleset_build_probe__each_backend__table_created_and_deleted(void **state)
{
	static const enum ruleset_queue_backend backends[] = { RULESET_QUEUE_NATIVE,
							       RULESET_QUEUE_COMPAT };
	static const char *kinds[] = { "native", "compat" };
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct batch b;
		struct parsed p;

		assert_int_equal(batch_init(&b, 1), 0);
		assert_int_equal(ruleset_build_probe(&b, backends[i]), 0);
		assert_int_equal(batch_end(&b), 0);
		parse_batch(&b, &p);
		assert_int_equal(p.tables, 1);
		assert_int_equal(p.rules, 1);
		assert_int_equal(p.deltables, 1);
		assert_string_equal(p.queue_kind, kinds[i]);
		assert_non_null(strstr(batch_what(&b, 4), "probe"));
		batch_free(&b);
	}
}

static void ruleset_build_elem__blocked_port__key_and_comment(void **state)
{
	const struct ruleset_elem e = { RULESET_SET_BLOCKED, IPPROTO_UDP, 11211, "memcached" };
	struct batch b;
	struct parsed p;

	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(ruleset_build_elem(&b, &e, 0), 0);
	assert_int_equal(batch_end(&b), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.blocked_elems, 1);
	assert_memory_equal(p.blocked_keys[0], ((uint8_t[]){ 17, 0, 0, 0, 0x2b, 0xcb, 0, 0 }), 8);
	assert_string_equal(batch_what(&b, 2), "elements of set blocked");
	batch_free(&b);
}

static void ruleset_build__served__accepted_right_before_the_queue(void **state)
{
	struct config cfg;
	struct parsed p;
	unsigned i;

	config_defaults(&cfg);
	build(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, &p);
	for (i = 0; i < p.dec.rules && strcmp(p.dec.lookup[i], RULESET_SET_SERVED); i++)
		;
	assert_true(i + 1 < p.dec.rules);
	assert_int_equal(p.dec.verdict[i], NF_ACCEPT);
	assert_string_equal(p.dec.lookup[i + 1], RULESET_SET_GUARDED);
	assert_int_equal(p.served_elems, 0);
}

static void ruleset_build__extra__elements_carried_into_their_sets(void **state)
{
	const struct ruleset_elem extra[] = {
		{ RULESET_SET_SERVED, IPPROTO_TCP, 143, "imap served by /usr/sbin/dovecot" },
		{ RULESET_SET_GUARDED, IPPROTO_TCP, 9230, "node-inspector loopback-only" },
		{ RULESET_SET_BLOCKED, IPPROTO_TCP, 9230, "node-inspector loopback-only" },
	};
	struct config cfg;
	struct parsed p;

	config_defaults(&cfg);
	build_extra(RULESET_QUEUE_COMPAT, &cfg, NULL, 0, extra, 3, &p);
	assert_int_equal(p.served_elems, 1);
	assert_int_equal(p.guarded_elems, 1 + 1 + 2 + 4 + 1);
	assert_int_equal(p.blocked_elems, 1);
	assert_int_equal(p.blocked_keys[0][4] << 8 | p.blocked_keys[0][5], 9230);
}

static void ruleset_build__monitor__queue_rule_marked(void **state)
{
	struct policy_db *db = make_db();
	struct config cfg;
	static const struct lan lan;
	struct ruleset_spec spec = { .db = db, .cfg = &cfg, .lan = &lan,
				     .backend = RULESET_QUEUE_COMPAT };
	struct batch b;

	config_defaults(&cfg);
	cfg.monitor = 1;
	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(ruleset_build(&b, &spec), 0);
	assert_int_equal(batch_end(&b), 0);
	assert_non_null(memmem(b.buf, b.len, RULESET_MONITOR_NOTE, strlen(RULESET_MONITOR_NOTE)));
	batch_free(&b);
	cfg.monitor = 0;
	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(ruleset_build(&b, &spec), 0);
	assert_int_equal(batch_end(&b), 0);
	assert_null(memmem(b.buf, b.len, RULESET_MONITOR_NOTE, strlen(RULESET_MONITOR_NOTE)));
	batch_free(&b);
	policy_db_free(db);
}

static void ruleset_build_elem__delete__delsetelem_without_comment(void **state)
{
	const struct ruleset_elem e = { RULESET_SET_SERVED, IPPROTO_TCP, 143, "imap served" };
	struct batch b;
	struct parsed p;

	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(ruleset_build_elem(&b, &e, 1), 0);
	assert_int_equal(batch_end(&b), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.delelems, 1);
	assert_int_equal(p.served_elems, 0);
	assert_null(memmem(b.buf, b.len, "imap served", 11));
	assert_string_equal(batch_what(&b, 2), "removing elements of set served");
	batch_free(&b);
}

static void batch_what__unknown_sequence__null(void **state)
{
	struct batch b;

	assert_int_equal(batch_init(&b, 50), 0);
	assert_int_equal(ruleset_build_delete(&b), 0);
	assert_int_equal(batch_end(&b), 0);
	assert_string_equal(batch_what(&b, 51), "delete table inet portwarden");
	assert_null(batch_what(&b, 50));
	assert_null(batch_what(&b, 52));
	assert_null(batch_what(&b, 49));
	batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ruleset_build__native_closed__queue_expression_without_bypass),
		cmocka_unit_test(ruleset_build__native_open__bypass),
		cmocka_unit_test(ruleset_build__compat__nfqueue_v3_target),
		cmocka_unit_test(ruleset_build__table__replaced_atomically_and_commented),
		cmocka_unit_test(ruleset_build__prerouting__whole_decision_before_dnat),
		cmocka_unit_test(ruleset_build__host_nat__udp_decided_after_conntrack),
		cmocka_unit_test(ruleset_build__routed__hairpin_refused),
		cmocka_unit_test(ruleset_build__host_forward__into_bridges_decided),
		cmocka_unit_test(ruleset_build__transports__aliased_to_udp_and_tcp),
		cmocka_unit_test(ruleset_build__no_socket_match__no_input_chain),
		cmocka_unit_test(ruleset_build_socket_probe__throwaway_table__created_and_deleted),
		cmocka_unit_test(ruleset_build__input__strays_dropped_admitted_sources_pass),
		cmocka_unit_test(ruleset_build__blocked__reserve_and_unlogged_count),
		cmocka_unit_test(ruleset_build__router__forward_skips_dnat),
		cmocka_unit_test(ruleset_build__guarded_set__one_element_per_guarded_port),
		cmocka_unit_test(ruleset_build__blocked_carried_over__only_still_guarded),
		cmocka_unit_test(ruleset_build__lan_networks__merged_intervals),
		cmocka_unit_test(rulelan_build_changes__links__only_changed_elements),
		cmocka_unit_test(ruleset_build__lan__interface_bound_sets_and_reverse_path),
		cmocka_unit_test(ruleset_build__router__lan_returns_wan_first),
		cmocka_unit_test(ruleset_build__whole_address_space__no_end_element),
		cmocka_unit_test(ruleset_build_probe__each_backend__table_created_and_deleted),
		cmocka_unit_test(ruleset_build_elem__blocked_port__key_and_comment),
		cmocka_unit_test(ruleset_build__served__accepted_right_before_the_queue),
		cmocka_unit_test(ruleset_build__extra__elements_carried_into_their_sets),
		cmocka_unit_test(ruleset_build__monitor__queue_rule_marked),
		cmocka_unit_test(ruleset_build_elem__delete__delsetelem_without_comment),
		cmocka_unit_test(batch_what__unknown_sequence__null),
	};

	return cmocka_run_group_tests_name("ruleset", tests, NULL, NULL);
}
