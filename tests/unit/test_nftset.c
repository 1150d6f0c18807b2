// SPDX-License-Identifier: GPL-2.0-or-later
/* Round trip: sets and elements into a batch, parsed back with libnftnl;
 * interval merging and the port iterator on their own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nftset.h"

/* What a batch said about sets, as parsed back */
struct parsed {
	unsigned sets, elem_msgs, elems, ends;
	uint32_t key_type, key_len, byteorder;
	uint8_t keys[4][IFNAMSIZ];
	uint32_t key_lens[4];
};

static int byteorder_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_KEYBYTEORDER)
		*(uint32_t *)data = nftnl_udata_get_u32(attr);
	return 0;
}

static void parse_set(struct parsed *p, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	const void *udata;
	uint32_t len;

	assert_int_equal(nftnl_set_nlmsg_parse(nlh, s), 0);
	p->sets++;
	p->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
	p->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	udata = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &len);
	if (udata)
		nftnl_udata_parse(udata, len, byteorder_cb, &p->byteorder);
	nftnl_set_free(s);
}

/* libnftnl parses only element nests numbered NFTA_LIST_ELEM, and numbers
 * them 1, 2, 3... when it builds a list (the kernel takes any): walked
 * here with libmnl. */
static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	/* both tables are as long as the longer attribute list */
	if (mnl_attr_get_type(attr) <= NFTA_SET_ELEM_LIST_MAX + NFTA_SET_ELEM_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void record_elem(struct parsed *p, const struct nlattr *elem)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + NFTA_SET_ELEM_MAX + 1] = { NULL };
	const struct nlattr *value;

	assert_true(mnl_attr_parse_nested(elem, attr_cb, tb) >= 0);
	assert_non_null(tb[NFTA_SET_ELEM_KEY]);
	value = mnl_attr_get_payload(tb[NFTA_SET_ELEM_KEY]);
	if (p->elems < 4 && mnl_attr_get_payload_len(value) <= IFNAMSIZ) {
		p->key_lens[p->elems] = mnl_attr_get_payload_len(value);
		memcpy(p->keys[p->elems], mnl_attr_get_payload(value), p->key_lens[p->elems]);
	}
	p->elems++;
	if (tb[NFTA_SET_ELEM_FLAGS] &&
	    (ntohl(mnl_attr_get_u32(tb[NFTA_SET_ELEM_FLAGS])) & NFT_SET_ELEM_INTERVAL_END))
		p->ends++;
}

static void parse_elems(struct parsed *p, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + NFTA_SET_ELEM_MAX + 1] = { NULL };
	const struct nlattr *elem;

	assert_true(mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) >= 0);
	assert_non_null(tb[NFTA_SET_ELEM_LIST_ELEMENTS]);
	p->elem_msgs++;
	mnl_attr_for_each_nested(elem, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		record_elem(p, elem);
}

static void parse_batch(struct batch *b, struct parsed *p)
{
	const struct nlmsghdr *nlh;
	int left;

	assert_int_equal(batch_end(b), 0);
	nlh = (const struct nlmsghdr *)b->buf;
	left = (int)b->len;
	memset(p, 0, sizeof(*p));
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWSET)
			parse_set(p, nlh);
		else if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWSETELEM)
			parse_elems(p, nlh);
	}
}

static void nftset_elems__450_ports__three_messages_of_at_most_200(void **state)
{
	struct batch b;
	struct nftset_elems el;
	struct parsed p;
	uint16_t port;

	assert_int_equal(batch_init(&b, 1), 0);
	el = (struct nftset_elems){ .b = &b, .table = "t", .set = "guarded" };
	for (port = 1; port <= 450; port++)
		assert_int_equal(nftset_elems_add_port(&el, IPPROTO_TCP, port, "x"), 0);
	assert_int_equal(nftset_elems_end(&el, 0), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.elem_msgs, 3);
	assert_int_equal(p.elems, 450);
	/* the first key: protocol, then the port in network order, each
	 * padded to a 32-bit register */
	assert_int_equal(p.key_lens[0], NFTSET_PORT_KEYLEN);
	assert_memory_equal(p.keys[0], ((uint8_t[]){ IPPROTO_TCP, 0, 0, 0, 0, 1, 0, 0 }), 8);
	batch_free(&b);
}

static void nftset_elems_end__earlier_error__error_kept(void **state)
{
	struct batch b;
	struct nftset_elems el;

	assert_int_equal(batch_init(&b, 1), 0);
	el = (struct nftset_elems){ .b = &b, .table = "t", .set = "blocked" };
	assert_int_equal(nftset_elems_add_port(&el, IPPROTO_UDP, 53, NULL), 0);
	assert_int_equal(nftset_elems_end(&el, -ENOMEM), -ENOMEM);
	assert_null(el.cur);
	batch_free(&b);
}

static void nftset_put_ifnames__two_names__padded_keys_in_host_order(void **state)
{
	static const char names[2][IFNAMSIZ] = { "wan0", "ppp0" };
	struct batch b;
	struct parsed p;

	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(nftset_put_ifnames(&b, "t", "wan_ifaces", names, 2, "WAN"), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.sets, 1);
	assert_int_equal(p.key_type, NFTSET_TYPE_IFNAME);
	assert_int_equal(p.key_len, IFNAMSIZ);
	assert_int_equal(p.byteorder, 1);
	assert_int_equal(p.elems, 2);
	assert_int_equal(p.key_lens[1], IFNAMSIZ);
	assert_memory_equal(p.keys[1], "ppp0\0\0\0\0\0\0\0\0\0\0\0\0", IFNAMSIZ);
	batch_free(&b);
}

static void nftset_put_ifnames__none__nothing_declared(void **state)
{
	struct batch b;
	struct parsed p;

	assert_int_equal(batch_init(&b, 1), 0);
	assert_int_equal(nftset_put_ifnames(&b, "t", "wan_ifaces", NULL, 0, "WAN"), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.sets, 0);
	batch_free(&b);
}

static void range_of(const char *text, struct nftset_range *r)
{
	struct config_net net = { .family = AF_INET };
	char addr[32];
	unsigned prefix;

	assert_int_equal(sscanf(text, "%31[^/]/%u", addr, &prefix), 2);
	assert_int_equal(inet_pton(AF_INET, addr, net.addr), 1);
	net.prefix = (uint8_t)prefix;
	nftset_net_range(&net, r);
}

static void nftset_ranges_merge__overlapping_and_adjacent__one_range_each(void **state)
{
	struct nftset_range r[4];
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];

	range_of("198.51.100.128/25", &r[0]);
	range_of("192.0.2.0/24", &r[1]);
	range_of("198.51.100.0/25", &r[2]);	/* adjacent to r[0] */
	range_of("192.0.2.64/26", &r[3]);	/* inside r[1] */
	assert_int_equal(nftset_ranges_merge(r, 4, 4), 2);
	inet_ntop(AF_INET, r[0].lo, lo, sizeof(lo));
	inet_ntop(AF_INET, r[0].hi, hi, sizeof(hi));
	assert_string_equal(lo, "192.0.2.0");
	assert_string_equal(hi, "192.0.2.255");
	inet_ntop(AF_INET, r[1].lo, lo, sizeof(lo));
	inet_ntop(AF_INET, r[1].hi, hi, sizeof(hi));
	assert_string_equal(lo, "198.51.100.0");
	assert_string_equal(hi, "198.51.100.255");
}

static void nftset_elems_add_range__end_of_space__no_end_element(void **state)
{
	struct nftset_range whole, net;
	struct batch b;
	struct nftset_elems el;
	struct parsed p;

	range_of("0.0.0.0/0", &whole);
	range_of("203.0.113.0/24", &net);
	assert_int_equal(batch_init(&b, 1), 0);
	el = (struct nftset_elems){ .b = &b, .table = "t", .set = "lan_nets_v4" };
	assert_int_equal(nftset_elems_add_range(&el, &net, 4, "doc"), 0);
	assert_int_equal(nftset_elems_add_range(&el, &whole, 4, "all"), 0);
	assert_int_equal(nftset_elems_end(&el, 0), 0);
	parse_batch(&b, &p);
	assert_int_equal(p.elems, 3);
	assert_int_equal(p.ends, 1);
	/* the end of 203.0.113.0/24 is the address after it */
	assert_memory_equal(p.keys[1], ((uint8_t[]){ 203, 0, 114, 0 }), 4);
	batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nftset_elems__450_ports__three_messages_of_at_most_200),
		cmocka_unit_test(nftset_elems_end__earlier_error__error_kept),
		cmocka_unit_test(nftset_put_ifnames__two_names__padded_keys_in_host_order),
		cmocka_unit_test(nftset_put_ifnames__none__nothing_declared),
		cmocka_unit_test(nftset_ranges_merge__overlapping_and_adjacent__one_range_each),
		cmocka_unit_test(nftset_elems_add_range__end_of_space__no_end_element),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
