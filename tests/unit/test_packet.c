// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "packet.h"

static size_t ipv4(uint8_t *p, unsigned ihl_words, unsigned total, uint8_t proto, unsigned frag)
{
	memset(p, 0, ihl_words * 4);
	p[0] = (uint8_t)(0x40 | ihl_words);
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[9] = proto;
	inet_pton(AF_INET, "198.51.100.2", p + 12);
	inet_pton(AF_INET, "198.51.100.1", p + 16);
	return ihl_words * 4;
}

static size_t ipv6(uint8_t *p, unsigned payload, uint8_t next)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(payload >> 8);
	p[5] = (uint8_t)payload;
	p[6] = next;
	inet_pton(AF_INET6, "2001:db8:100::2", p + 8);
	inet_pton(AF_INET6, "2001:db8:100::1", p + 24);
	return 40;
}

static void l4(uint8_t *p, unsigned sport, unsigned dport, uint8_t flags)
{
	memset(p, 0, 20);
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	p[12] = 5 << 4;
	p[13] = flags;
}

static void packet_parse__ipv4_syn__ports_flags_addresses(void **state)
{
	uint8_t pkt[64];
	struct packet_info pi;
	uint8_t want[4];
	size_t h = ipv4(pkt, 5, 40, IPPROTO_TCP, 0);

	l4(pkt + h, 40000, 143, 0x02);
	assert_int_equal(packet_parse(pkt, 40, &pi), 0);
	assert_int_equal(pi.family, AF_INET);
	assert_int_equal(pi.proto, IPPROTO_TCP);
	assert_true(pi.has_ports);
	assert_int_equal(pi.sport, 40000);
	assert_int_equal(pi.dport, 143);
	assert_int_equal(pi.tcp_flags, 0x02);
	inet_pton(AF_INET, "198.51.100.2", want);
	assert_memory_equal(pi.saddr, want, 4);
}

static void packet_parse__ipv4_options__transport_found_after_them(void **state)
{
	uint8_t pkt[64];
	struct packet_info pi;
	size_t h = ipv4(pkt, 8, 52, IPPROTO_TCP, 0);

	memset(pkt + 20, 1, 12);	/* NOPs */
	l4(pkt + h, 1, 3306, 0x02);
	assert_int_equal(packet_parse(pkt, 52, &pi), 0);
	assert_int_equal(pi.dport, 3306);
}

static void packet_parse__ipv4_udp__ports(void **state)
{
	uint8_t pkt[64];
	struct packet_info pi;
	size_t h = ipv4(pkt, 5, 28, IPPROTO_UDP, 0);

	l4(pkt + h, 53, 11211, 0);
	assert_int_equal(packet_parse(pkt, 28, &pi), 0);
	assert_int_equal(pi.proto, IPPROTO_UDP);
	assert_int_equal(pi.dport, 11211);
}

static void packet_parse__ipv4_later_fragment__no_ports(void **state)
{
	uint8_t pkt[64];
	struct packet_info pi;
	size_t h = ipv4(pkt, 5, 40, IPPROTO_TCP, 185);

	l4(pkt + h, 1, 143, 0x02);
	assert_int_equal(packet_parse(pkt, 40, &pi), 0);
	assert_false(pi.has_ports);
}

static void packet_parse__ipv4_malformed__einval(void **state)
{
	static const struct {
		unsigned ihl, total, len;
		uint8_t proto;
	} cases[] = {
		{ 5, 28, 28, IPPROTO_TCP },	/* TCP cut after the ports */
		{ 15, 40, 40, IPPROTO_TCP },	/* ihl beyond the packet */
		{ 4, 40, 40, IPPROTO_TCP },	/* ihl below 20 bytes */
		{ 5, 10, 40, IPPROTO_TCP },	/* total below ihl */
		{ 5, 24, 24, IPPROTO_UDP },	/* UDP header of 4 bytes */
		{ 5, 1500, 24, IPPROTO_UDP },	/* claims more than was copied */
		{ 5, 20, 19, IPPROTO_TCP },	/* shorter than a header */
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t pkt[64];
		struct packet_info pi;

		memset(pkt, 0, sizeof(pkt));
		ipv4(pkt, cases[i].ihl, cases[i].total, cases[i].proto, 0);
		if (packet_parse(pkt, cases[i].len, &pi) != -EINVAL)
			fail_msg("case %u accepted", i);
	}
}

static void packet_parse__ipv6_extension_chain__transport_found(void **state)
{
	uint8_t pkt[128];
	struct packet_info pi;
	size_t off = ipv6(pkt, 8 + 8 + 20, IPPROTO_HOPOPTS);

	memset(pkt + off, 0, 16);
	pkt[off] = IPPROTO_DSTOPTS;	/* hop-by-hop, then destination options */
	pkt[off + 8] = IPPROTO_TCP;
	l4(pkt + off + 16, 5, 9222, 0x02);
	assert_int_equal(packet_parse(pkt, off + 36, &pi), 0);
	assert_int_equal(pi.family, AF_INET6);
	assert_int_equal(pi.dport, 9222);
}

static void packet_parse__ipv6_first_fragment__ports_later_fragment__none(void **state)
{
	uint8_t pkt[128];
	struct packet_info pi;
	size_t off = ipv6(pkt, 8 + 20, IPPROTO_FRAGMENT);

	memset(pkt + off, 0, 8);
	pkt[off] = IPPROTO_UDP;
	pkt[off + 3] = 1;	/* offset 0, more fragments */
	l4(pkt + off + 8, 5, 5353, 0);
	assert_int_equal(packet_parse(pkt, off + 28, &pi), 0);
	assert_true(pi.has_ports);
	assert_int_equal(pi.dport, 5353);
	pkt[off + 2] = 0x01;	/* offset 32 */
	assert_int_equal(packet_parse(pkt, off + 28, &pi), 0);
	assert_false(pi.has_ports);
	assert_int_equal(pi.proto, IPPROTO_UDP);
}

static void packet_parse__ipv6_malformed__einval(void **state)
{
	uint8_t pkt[512];
	struct packet_info pi;
	size_t off;
	int i;

	/* extension header length runs past the packet */
	off = ipv6(pkt, 16, IPPROTO_HOPOPTS);
	memset(pkt + off, 0, 16);
	pkt[off] = IPPROTO_TCP;
	pkt[off + 1] = 200;
	assert_int_equal(packet_parse(pkt, off + 16, &pi), -EINVAL);
	/* more than 16 extension headers */
	off = ipv6(pkt, 20 * 8 + 20, IPPROTO_DSTOPTS);
	for (i = 0; i < 20; i++, off += 8) {
		memset(pkt + off, 0, 8);
		pkt[off] = i == 19 ? IPPROTO_TCP : IPPROTO_DSTOPTS;
	}
	l4(pkt + off, 1, 143, 2);
	assert_int_equal(packet_parse(pkt, off + 20, &pi), -EINVAL);
	/* payload length cuts the TCP header */
	off = ipv6(pkt, 6, IPPROTO_TCP);
	l4(pkt + off, 1, 143, 2);
	assert_int_equal(packet_parse(pkt, off + 20, &pi), -EINVAL);
	/* extension header cut in the middle */
	off = ipv6(pkt, 4, IPPROTO_ROUTING);
	assert_int_equal(packet_parse(pkt, off + 4, &pi), -EINVAL);
	/* shorter than the fixed header */
	assert_int_equal(packet_parse(pkt, 39, &pi), -EINVAL);
}

static void packet_parse__ipv4_malformed__partial_facts_kept(void **state)
{
	uint8_t pkt[64];
	struct packet_info pi;
	uint8_t src[4];
	size_t h = ipv4(pkt, 5, 28, IPPROTO_TCP, 0);

	/* TCP cut after the ports: the port is known */
	l4(pkt + h, 40000, 143, 0x02);
	assert_int_equal(packet_parse(pkt, 28, &pi), -EINVAL);
	inet_pton(AF_INET, "198.51.100.2", src);
	assert_int_equal(pi.family, AF_INET);
	assert_memory_equal(pi.saddr, src, 4);
	assert_true(pi.has_ports);
	assert_int_equal(pi.proto, IPPROTO_TCP);
	assert_int_equal(pi.dport, 143);
	/* header length past the packet: addresses known, no port */
	ipv4(pkt, 15, 40, IPPROTO_TCP, 0);
	assert_int_equal(packet_parse(pkt, 40, &pi), -EINVAL);
	assert_int_equal(pi.family, AF_INET);
	assert_memory_equal(pi.saddr, src, 4);
	assert_false(pi.has_ports);
	/* too short for addresses: nothing known */
	assert_int_equal(packet_parse(pkt, 12, &pi), -EINVAL);
	assert_int_equal(pi.family, 0);
}

static void packet_parse__ipv6_long_chain__malformed_with_port(void **state)
{
	uint8_t pkt[512];
	struct packet_info pi;
	size_t off = ipv6(pkt, 20 * 8 + 20, IPPROTO_DSTOPTS);
	int i;

	for (i = 0; i < 20; i++, off += 8) {
		memset(pkt + off, 0, 8);
		pkt[off] = i == 19 ? IPPROTO_TCP : IPPROTO_DSTOPTS;
	}
	l4(pkt + off, 1, 143, 2);
	assert_int_equal(packet_parse(pkt, off + 20, &pi), -EINVAL);
	assert_int_equal(pi.family, AF_INET6);
	assert_true(pi.has_ports);
	assert_int_equal(pi.proto, IPPROTO_TCP);
	assert_int_equal(pi.dport, 143);
	assert_int_equal(pi.tcp_flags, 2);
}

static void packet_parse__ipv6_transport_past_copy__addresses_only(void **state)
{
	uint8_t pkt[300];
	struct packet_info pi;
	uint8_t src[16];
	size_t off = ipv6(pkt, 256 + 20, IPPROTO_DSTOPTS);

	/* one 256-byte destination options header; the copy ends inside it */
	memset(pkt + off, 0, sizeof(pkt) - off);
	pkt[off] = IPPROTO_TCP;
	pkt[off + 1] = 31;
	assert_int_equal(packet_parse(pkt, 290, &pi), -EINVAL);
	inet_pton(AF_INET6, "2001:db8:100::2", src);
	assert_int_equal(pi.family, AF_INET6);
	assert_memory_equal(pi.saddr, src, 16);
	assert_false(pi.has_ports);
}

static void packet_parse__other_protocols__no_ports_or_refused(void **state)
{
	uint8_t pkt[64];
	struct packet_info pi;

	ipv4(pkt, 5, 28, IPPROTO_ICMP, 0);
	assert_int_equal(packet_parse(pkt, 28, &pi), 0);
	assert_false(pi.has_ports);
	ipv6(pkt, 0, 59);	/* no next header */
	assert_int_equal(packet_parse(pkt, 40, &pi), 0);
	assert_false(pi.has_ports);
	pkt[0] = 0x50;
	assert_int_equal(packet_parse(pkt, 40, &pi), -EPROTONOSUPPORT);
	assert_int_equal(packet_parse(pkt, 0, &pi), -EINVAL);
}

static void packet_l4_name__both_ways__one_spelling(void **state)
{
	char num[4];

	assert_string_equal(packet_l4_name(IPPROTO_TCP), "tcp");
	assert_string_equal(packet_l4_name(IPPROTO_UDP), "udp");
	assert_null(packet_l4_name(IPPROTO_ICMP));
	assert_int_equal(packet_l4_parse("tcp"), IPPROTO_TCP);
	assert_int_equal(packet_l4_parse("udp"), IPPROTO_UDP);
	assert_int_equal(packet_l4_parse("TCP"), 0);
	assert_int_equal(packet_l4_parse("both"), 0);
	assert_string_equal(packet_proto_name(IPPROTO_GRE, num, sizeof(num)), "47");
	assert_string_equal(packet_proto_name(IPPROTO_UDP, num, sizeof(num)), "udp");
	assert_string_equal(packet_l4_name(IPPROTO_UDPLITE), "udplite");
	assert_string_equal(packet_l4_name(IPPROTO_SCTP), "sctp");
	assert_string_equal(packet_l4_name(IPPROTO_DCCP), "dccp");
	/* the policy names tcp and udp only */
	assert_int_equal(packet_l4_parse("sctp"), 0);
}

/* UDP-Lite, SCTP, DCCP: their ports are read, their policy is UDP's or
 * TCP's; a header cut after the ports still names the port */
static void packet_parse__other_transports__ports_and_policy_protocol(void **state)
{
	static const uint8_t proto[] = { IPPROTO_UDPLITE, IPPROTO_SCTP, IPPROTO_DCCP },
			     policy[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_TCP };
	static const unsigned min[] = { 8, 12, 12 };
	uint8_t pkt[64];
	struct packet_info pi;
	unsigned i;

	for (i = 0; i < 3; i++) {
		size_t h = ipv4(pkt, 5, 20 + min[i], proto[i], 0);

		l4(pkt + h, 40000, 5432, 0);
		assert_int_equal(packet_parse(pkt, 20 + min[i], &pi), 0);
		assert_int_equal(pi.proto, proto[i]);
		assert_true(pi.has_ports);
		assert_int_equal(pi.dport, 5432);
		assert_int_equal(packet_policy_proto(pi.proto), policy[i]);
		ipv4(pkt, 5, 20 + min[i] - 1, proto[i], 0);
		assert_int_equal(packet_parse(pkt, 20 + min[i] - 1, &pi), -EINVAL);
		assert_true(pi.has_ports);
		assert_int_equal(pi.dport, 5432);
		h = ipv6(pkt, min[i], proto[i]);
		l4(pkt + h, 40000, 11211, 0);
		assert_int_equal(packet_parse(pkt, 40 + min[i], &pi), 0);
		assert_int_equal(pi.dport, 11211);
	}
	assert_int_equal(packet_policy_proto(IPPROTO_TCP), IPPROTO_TCP);
	assert_int_equal(packet_policy_proto(IPPROTO_ICMP), IPPROTO_ICMP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(packet_parse__ipv4_syn__ports_flags_addresses),
		cmocka_unit_test(packet_l4_name__both_ways__one_spelling),
		cmocka_unit_test(packet_parse__ipv4_options__transport_found_after_them),
		cmocka_unit_test(packet_parse__ipv4_udp__ports),
		cmocka_unit_test(packet_parse__ipv4_later_fragment__no_ports),
		cmocka_unit_test(packet_parse__ipv4_malformed__einval),
		cmocka_unit_test(packet_parse__ipv6_extension_chain__transport_found),
		cmocka_unit_test(packet_parse__ipv6_first_fragment__ports_later_fragment__none),
		cmocka_unit_test(packet_parse__ipv6_malformed__einval),
		cmocka_unit_test(packet_parse__ipv4_malformed__partial_facts_kept),
		cmocka_unit_test(packet_parse__ipv6_long_chain__malformed_with_port),
		cmocka_unit_test(packet_parse__ipv6_transport_past_copy__addresses_only),
		cmocka_unit_test(packet_parse__other_protocols__no_ports_or_refused),
		cmocka_unit_test(packet_parse__other_transports__ports_and_policy_protocol),
	};

	return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
