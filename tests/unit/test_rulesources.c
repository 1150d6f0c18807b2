// SPDX-License-Identifier: GPL-2.0-or-later
/* Round trip of the per-port sources: build the sets and the table, parse
 * every message back, compare with the `from` lines.  No kernel, no root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "rulelan.h"
#include "ruleset.h"
#include "rulesources.h"
#include "testdb.h"

#define ELEMS_MAX 16

struct parsed_elem {
	char set[32];
	uint8_t key[40], end[40];
	uint32_t keylen, endlen;
	char comment[160];
};

struct parsed {
	unsigned nelems;
	struct parsed_elem e[ELEMS_MAX];
	/* the sets as declared */
	unsigned nsets;
	uint32_t keylen[2], flags[2], type[2];
	uint8_t fields[2][NFT_REG32_COUNT];
	/* chain prerouting: the set each rule looks up, whether it reads the
	 * reverse path, its verdict */
	unsigned pre_rules;
	char lookup[20][32];
	int rpath[20], verdict[20];
};

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

static int list_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= NFTA_SET_ELEM_LIST_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static uint32_t data_value(const struct nlattr *nest, uint8_t *out, size_t cap)
{
	const struct nlattr *v = mnl_attr_get_payload(nest);
	uint32_t len = mnl_attr_get_payload_len(v);

	assert_int_equal(mnl_attr_get_type(v), NFTA_DATA_VALUE);
	assert_true(len <= cap);
	memcpy(out, mnl_attr_get_payload(v), len);
	return len;
}

static void parse_elems(struct parsed *p, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1] = { NULL };
	const struct nlattr *elem;

	assert_true(mnl_attr_parse(nlh, sizeof(struct nfgenmsg), list_attr_cb, tb) >= 0);
	mnl_attr_for_each_nested(elem, tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		struct elem_attrs ea = { { NULL } };
		const char *set = mnl_attr_get_str(tb[NFTA_SET_ELEM_LIST_SET]);
		struct parsed_elem *pe;

		if (strncmp(set, "sources_", 8))
			continue;
		assert_true(p->nelems < ELEMS_MAX);
		pe = &p->e[p->nelems++];
		snprintf(pe->set, sizeof(pe->set), "%s", set);
		assert_true(mnl_attr_parse_nested(elem, elem_attr_cb, &ea) >= 0);
		assert_non_null(ea.tb[NFTA_SET_ELEM_KEY]);
		assert_non_null(ea.tb[NFTA_SET_ELEM_KEY_END]);
		/* an interval of a concatenation: one element with both ends */
		assert_null(ea.tb[NFTA_SET_ELEM_FLAGS]);
		pe->keylen = data_value(ea.tb[NFTA_SET_ELEM_KEY], pe->key, sizeof(pe->key));
		pe->endlen = data_value(ea.tb[NFTA_SET_ELEM_KEY_END], pe->end, sizeof(pe->end));
		assert_non_null(ea.tb[NFTA_SET_ELEM_USERDATA]);
		/* a udata TLV: type, length, then the comment */
		snprintf(pe->comment, sizeof(pe->comment), "%s",
			 (const char *)mnl_attr_get_payload(ea.tb[NFTA_SET_ELEM_USERDATA]) + 2);
	}
}

static void parse_set(struct parsed *p, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	const char *name;
	uint32_t len;
	int i;

	assert_int_equal(nftnl_set_nlmsg_parse(nlh, s), 0);
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	i = !strcmp(name, RULESOURCES_SET_V4) ? 0 : !strcmp(name, RULESOURCES_SET_V6) ? 1 : -1;
	if (i >= 0) {
		const void *fields = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);

		p->nsets++;
		p->keylen[i] = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		p->flags[i] = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
		p->type[i] = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
		assert_non_null(fields);
		memcpy(p->fields[i], fields, len < NFT_REG32_COUNT ? len : NFT_REG32_COUNT);
	}
	nftnl_set_free(s);
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct parsed *p = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	unsigned i = p->pre_rules;

	if (!strcmp(name, "lookup"))
		snprintf(p->lookup[i], sizeof(p->lookup[i]), "%s",
			 nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
	else if (!strcmp(name, "fib"))
		p->rpath[i] = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS) ==
			      (NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF) &&
			      nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT) == NFT_FIB_RESULT_OIF;
	else if (!strcmp(name, "immediate") && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT))
		p->verdict[i] = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	return 0;
}

static void parse_rule(struct parsed *p, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
	if (!strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), RULESET_CHAIN_PREROUTING) &&
	    p->pre_rules < 20) {
		nftnl_expr_foreach(r, expr_cb, p);
		p->pre_rules++;
	}
	nftnl_rule_free(r);
}

static void parse_batch(const struct batch *b, struct parsed *p)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->buf;
	int left = (int)b->len;

	memset(p, 0, sizeof(*p));
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
		case NFT_MSG_NEWSET:
			parse_set(p, nlh);
			break;
		case NFT_MSG_NEWSETELEM:
			parse_elems(p, nlh);
			break;
		case NFT_MSG_NEWRULE:
			parse_rule(p, nlh);
			break;
		}
	}
	assert_int_equal(left, 0);
}

static struct policy_db *db_of(const char *text)
{
	struct policy_db *db = testdb_from("local.rules", text);

	assert_non_null(db);
	return db;
}

static void build_sets(const struct policy_db *db, struct parsed *p)
{
	struct batch b;

	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(rulesources_build(&b, db), 0);
	assert_int_equal(batch_end(&b), 0);
	parse_batch(&b, p);
	batch_free(&b);
}

static void build_table(const struct policy_db *db, struct parsed *p)
{
	static struct lan_host host;
	static struct lan lan;
	struct config cfg;
	struct ruleset_spec spec = { .db = db, .cfg = &cfg, .lan = &lan };
	struct batch b;

	config_defaults(&cfg);
	lan_compute(&host, &cfg, &lan);
	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(ruleset_build(&b, &spec), 0);
	assert_int_equal(batch_end(&b), 0);
	parse_batch(&b, p);
	batch_free(&b);
}

static void key_of(uint8_t *key, uint8_t proto, uint16_t port, int family, const char *addr)
{
	memset(key, 0, 40);
	key[0] = proto;
	key[4] = (uint8_t)(port >> 8);
	key[5] = (uint8_t)port;
	assert_int_equal(inet_pton(family, addr, key + 8), 1);
}

static void rulesources_build__sets__interval_concatenations_of_port_and_address(void **state)
{
	struct policy_db *db = db_of("9100/tcp node-exporter lan-only\n\tfrom 203.0.113.0/24\n");
	struct parsed p;

	build_sets(db, &p);
	assert_int_equal(p.nsets, 2);
	assert_int_equal(p.keylen[0], 4 + 4 + 4);
	assert_int_equal(p.keylen[1], 4 + 4 + 16);
	assert_int_equal(p.flags[0], NFT_SET_INTERVAL | NFT_SET_CONCAT);
	assert_int_equal(p.flags[1], NFT_SET_INTERVAL | NFT_SET_CONCAT);
	/* inet_proto . inet_service . ipv4_addr / ipv6_addr, as nft names them */
	assert_int_equal(p.type[0], (12u << 12) | (13u << 6) | 7u);
	assert_int_equal(p.type[1], (12u << 12) | (13u << 6) | 8u);
	assert_memory_equal(p.fields[0], ((uint8_t[]){ 1, 2, 4, 0 }), 4);
	assert_memory_equal(p.fields[1], ((uint8_t[]){ 1, 2, 16, 0 }), 4);
	policy_db_free(db);
}

static void rulesources_build__elements__each_network_both_ends_commented(void **state)
{
	struct policy_db *db = db_of("9100/tcp node-exporter lan-only\n"
				     "\tfrom 203.0.113.0/24 2001:db8:5::/48\n"
				     "161/udp snmp lan-only\n"
				     "\tfrom 198.51.100.7\n");
	uint8_t key[40], end[40];
	struct parsed p;

	build_sets(db, &p);
	assert_int_equal(p.nelems, 3);
	/* per set, ports ascending: 161/udp comes after every TCP port */
	assert_string_equal(p.e[0].set, RULESOURCES_SET_V4);
	assert_int_equal(p.e[0].keylen, 12);
	key_of(key, IPPROTO_TCP, 9100, AF_INET, "203.0.113.0");
	key_of(end, IPPROTO_TCP, 9100, AF_INET, "203.0.113.255");
	assert_memory_equal(p.e[0].key, key, 12);
	assert_memory_equal(p.e[0].end, end, 12);
	assert_string_equal(p.e[0].comment,
			    "9100/tcp node-exporter lan-only from 203.0.113.0/24 (local.rules:2)");
	key_of(key, IPPROTO_UDP, 161, AF_INET, "198.51.100.7");
	assert_memory_equal(p.e[1].key, key, 12);
	assert_memory_equal(p.e[1].end, key, 12);
	assert_string_equal(p.e[1].comment, "161/udp snmp lan-only from 198.51.100.7 (local.rules:4)");
	assert_string_equal(p.e[2].set, RULESOURCES_SET_V6);
	assert_int_equal(p.e[2].keylen, 24);
	key_of(key, IPPROTO_TCP, 9100, AF_INET6, "2001:db8:5::");
	key_of(end, IPPROTO_TCP, 9100, AF_INET6, "2001:db8:5:ffff:ffff:ffff:ffff:ffff");
	assert_memory_equal(p.e[2].key, key, 24);
	assert_memory_equal(p.e[2].end, end, 24);
	policy_db_free(db);
}

static void rulesources_build__overlapping_networks__merged_into_one_interval(void **state)
{
	struct policy_db *db = db_of("9100/tcp n lan-only\n"
				     "\tfrom 203.0.113.0/25 203.0.113.128/25 203.0.113.7\n");
	uint8_t key[40], end[40];
	struct parsed p;

	build_sets(db, &p);
	assert_int_equal(p.nelems, 1);
	key_of(key, IPPROTO_TCP, 9100, AF_INET, "203.0.113.0");
	key_of(end, IPPROTO_TCP, 9100, AF_INET, "203.0.113.255");
	assert_memory_equal(p.e[0].key, key, 12);
	assert_memory_equal(p.e[0].end, end, 12);
	/* no single line is the interval: the comment gives its ends */
	assert_string_equal(p.e[0].comment,
			    "9100/tcp n lan-only from 203.0.113.0-203.0.113.255 (local.rules:1)");
	policy_db_free(db);
}

/* A range entry is one element per network; a narrower entry of a later
 * file takes its ports out, with its own sources or none. */
static void rulesources_build__range_with_override__ports_follow_the_governing_entry(void **state)
{
	struct policy_db *db = db_of("6000-6003/both x11 loopback-only\n\tfrom 198.51.100.0/24\n"
				     "6001/tcp x11-local loopback-only\n");
	uint8_t key[40], end[40];
	struct parsed p;

	build_sets(db, &p);
	assert_int_equal(p.nelems, 3);
	key_of(key, IPPROTO_TCP, 6000, AF_INET, "198.51.100.0");
	key_of(end, IPPROTO_TCP, 6000, AF_INET, "198.51.100.255");
	assert_memory_equal(p.e[0].key, key, 12);
	assert_memory_equal(p.e[0].end, end, 12);
	key_of(key, IPPROTO_TCP, 6002, AF_INET, "198.51.100.0");
	key_of(end, IPPROTO_TCP, 6003, AF_INET, "198.51.100.255");
	assert_memory_equal(p.e[1].key, key, 12);
	assert_memory_equal(p.e[1].end, end, 12);
	assert_non_null(strstr(p.e[1].comment, "6002-6003/tcp x11 loopback-only"));
	key_of(key, IPPROTO_UDP, 6000, AF_INET, "198.51.100.0");
	key_of(end, IPPROTO_UDP, 6003, AF_INET, "198.51.100.255");
	assert_memory_equal(p.e[2].key, key, 12);
	assert_memory_equal(p.e[2].end, end, 12);
	policy_db_free(db);
}

/* before chain lan and the drop of @blocked ports, with the reverse path
 * checked; only the families that have sources get a rule */
static void ruleset_build__sources__accepted_before_lan_and_blocked(void **state)
{
	struct policy_db *db = db_of("9100/tcp n lan-only\n\tfrom 203.0.113.0/24\n");
	struct parsed p;
	unsigned i, src = 0, lan = 0, blocked = 0, v6 = 0;

	build_table(db, &p);
	for (i = 0; i < p.pre_rules; i++) {
		if (!strcmp(p.lookup[i], RULESOURCES_SET_V4))
			src = i;
		v6 |= !strcmp(p.lookup[i], RULESOURCES_SET_V6);
		if (!strcmp(p.lookup[i], RULESET_SET_LAN_ONLY))
			lan = i;
		if (!strcmp(p.lookup[i], RULESET_SET_BLOCKED))
			blocked = i;
	}
	assert_true(src > 0);
	assert_true(src < lan);
	assert_true(lan < blocked);
	assert_true(p.rpath[src]);
	assert_int_equal(p.verdict[src], NF_ACCEPT);
	assert_false(v6);
	policy_db_free(db);
}

static void ruleset_build__no_sources__no_rule_empty_sets(void **state)
{
	struct policy_db *db = db_of("9100/tcp n lan-only\n");
	struct parsed p;
	unsigned i;

	build_table(db, &p);
	assert_int_equal(p.nsets, 2);
	assert_int_equal(p.nelems, 0);
	for (i = 0; i < p.pre_rules; i++)
		assert_int_not_equal(strncmp(p.lookup[i], "sources_", 8), 0);
	policy_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rulesources_build__sets__interval_concatenations_of_port_and_address),
		cmocka_unit_test(rulesources_build__elements__each_network_both_ends_commented),
		cmocka_unit_test(rulesources_build__overlapping_networks__merged_into_one_interval),
		cmocka_unit_test(rulesources_build__range_with_override__ports_follow_the_governing_entry),
		cmocka_unit_test(ruleset_build__sources__accepted_before_lan_and_blocked),
		cmocka_unit_test(ruleset_build__no_sources__no_rule_empty_sets),
	};

	return cmocka_run_group_tests_name("rulesources", tests, NULL, NULL);
}
