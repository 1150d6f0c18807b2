// SPDX-License-Identifier: GPL-2.0-or-later
/* Conntrack dump messages, built as the kernel sends them, read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>

#include "ctdump.h"

static uint32_t buf[1024];

struct flow_spec {
	int family;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t status;
	int no_dport;		/* leave the destination port out */
	int short_addr;		/* an IPv4 address of 3 bytes */
	int tcp_state;		/* CTA_PROTOINFO_TCP_STATE + 1, 0: none */
};

static struct nlmsghdr *build(const struct flow_spec *f, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *tuple, *ip, *proto;
	uint8_t s[16], d[16];

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)f->family;
	inet_pton(f->family, f->src, s);
	inet_pton(f->family, f->dst, d);
	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (f->family == AF_INET) {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, f->short_addr ? 3 : 4, s);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, d);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, s);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, d);
	}
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, f->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(f->sport));
	if (!f->no_dport)
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(f->dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(f->status));
	if (f->tcp_state) {
		struct nlattr *info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, (uint8_t)(f->tcp_state - 1));
		mnl_attr_nest_end(nlh, tcp);
		mnl_attr_nest_end(nlh, info);
	}
	return nlh;
}

static void ctdump_msg__tcp_and_udp_flows__read(void **state)
{
	const struct flow_spec tcp = { AF_INET, "203.0.113.2", "198.51.100.1", IPPROTO_TCP, 40000,
				       9100, IPS_SEEN_REPLY | IPS_ASSURED, 0, 0, 0 };
	const struct flow_spec udp = { AF_INET6, "2001:db8:113::2", "2001:db8:100::1", IPPROTO_UDP,
				       50000, 161, 0, 0, 0, 0 };
	struct ctdump_flow f;
	char a[INET6_ADDRSTRLEN];

	assert_int_equal(ctdump_msg(build(&tcp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.proto, IPPROTO_TCP);
	assert_int_equal(f.sport, 40000);
	assert_int_equal(f.dport, 9100);
	assert_string_equal(inet_ntop(AF_INET, f.src, a, sizeof(a)), "203.0.113.2");
	assert_string_equal(inet_ntop(AF_INET, f.dst, a, sizeof(a)), "198.51.100.1");
	assert_true(f.answered);
	assert_false(f.live);	/* no protocol info: not known established */
	assert_int_equal(ctdump_msg(build(&udp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_int_equal(f.family, AF_INET6);
	assert_int_equal(f.dport, 161);
	assert_string_equal(inet_ntop(AF_INET6, f.src, a, sizeof(a)), "2001:db8:113::2");
	assert_false(f.answered);
	assert_false(f.live);
}

/* in use now: an established TCP connection, a UDP stream; a closing
 * connection or a single answered datagram is not */
static void ctdump_msg__live__established_tcp_and_assured_udp(void **state)
{
	struct flow_spec tcp = { AF_INET, "203.0.113.2", "198.51.100.1", IPPROTO_TCP, 40000, 9100,
				 IPS_SEEN_REPLY | IPS_ASSURED, 0, 0, TCP_CONNTRACK_ESTABLISHED + 1 };
	struct flow_spec udp = { AF_INET, "203.0.113.2", "198.51.100.1", IPPROTO_UDP, 40000, 161,
				 IPS_SEEN_REPLY | IPS_ASSURED, 0, 0, 0 };
	struct ctdump_flow f;

	assert_int_equal(ctdump_msg(build(&tcp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_true(f.live);
	tcp.tcp_state = TCP_CONNTRACK_TIME_WAIT + 1;
	assert_int_equal(ctdump_msg(build(&tcp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_false(f.live);
	assert_int_equal(ctdump_msg(build(&udp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_true(f.live);
	udp.status = IPS_SEEN_REPLY;
	assert_int_equal(ctdump_msg(build(&udp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_true(f.answered);
	assert_false(f.live);
	udp.status = IPS_ASSURED;	/* never answered: not a stream */
	assert_int_equal(ctdump_msg(build(&udp, IPCTNL_MSG_CT_NEW), &f), 1);
	assert_false(f.live);
}

static void ctdump_msg__other_or_malformed__not_a_flow(void **state)
{
	struct flow_spec icmp = { AF_INET, "203.0.113.2", "198.51.100.1", IPPROTO_ICMP, 0, 0, 0, 0, 0, 0 };
	struct flow_spec bad = { AF_INET, "203.0.113.2", "198.51.100.1", IPPROTO_TCP, 1, 2, 0, 0, 0, 0 };
	struct ctdump_flow f;
	struct nlmsghdr *nlh;

	assert_int_equal(ctdump_msg(build(&icmp, IPCTNL_MSG_CT_NEW), &f), 0);
	bad.no_dport = 1;
	assert_int_equal(ctdump_msg(build(&bad, IPCTNL_MSG_CT_NEW), &f), 0);
	bad.no_dport = 0;
	bad.short_addr = 1;
	assert_int_equal(ctdump_msg(build(&bad, IPCTNL_MSG_CT_NEW), &f), 0);
	bad.short_addr = 0;
	assert_int_equal(ctdump_msg(build(&bad, IPCTNL_MSG_CT_DELETE), &f), 0);
	/* a length past the message's end */
	nlh = build(&bad, IPCTNL_MSG_CT_NEW);
	nlh->nlmsg_len -= 12;	/* the status, and into the tuple */
	assert_int_equal(ctdump_msg(nlh, &f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctdump_msg__tcp_and_udp_flows__read),
		cmocka_unit_test(ctdump_msg__live__established_tcp_and_assured_udp),
		cmocka_unit_test(ctdump_msg__other_or_malformed__not_a_flow),
	};

	return cmocka_run_group_tests_name("ctdump", tests, NULL, NULL);
}
