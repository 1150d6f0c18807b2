// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink link and address messages, built with libmnl, parsed back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "lanwatch.h"

static struct lan_host host;
static char buf[1024];

static struct nlmsghdr *link_msg(int ifindex, const char *name, unsigned flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static struct nlmsghdr *addr_msg(int family, const char *address, const char *local,
				 unsigned prefix, unsigned ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	uint8_t a[16];

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_index = ifindex;
	if (local && inet_pton(family, local, a) == 1)
		mnl_attr_put(nlh, IFA_LOCAL, family == AF_INET ? 4 : 16, a);
	if (address && inet_pton(family, address, a) == 1)
		mnl_attr_put(nlh, IFA_ADDRESS, family == AF_INET ? 4 : 16, a);
	return nlh;
}

static void lanwatch_parse__link__name_index_flags(void **state)
{
	memset(&host, 0, sizeof(host));
	lanwatch_parse(link_msg(7, "docker0", IFF_UP), &host);
	assert_int_equal(host.nlinks, 1);
	assert_int_equal(host.links[0].ifindex, 7);
	assert_int_equal(host.links[0].flags, IFF_UP);
	assert_string_equal(host.links[0].name, "docker0");
}

static void lanwatch_parse__bad_links__ignored(void **state)
{
	struct nlmsghdr *nlh;

	memset(&host, 0, sizeof(host));
	lanwatch_parse(link_msg(7, NULL, 0), &host);		/* no name */
	lanwatch_parse(link_msg(0, "eth0", 0), &host);		/* no index */
	lanwatch_parse(link_msg(7, "averyveryverylongname", 0), &host);
	nlh = link_msg(7, "eth0", 0);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;			/* cut in the header */
	lanwatch_parse(nlh, &host);
	nlh = link_msg(7, "eth0", 0);
	nlh->nlmsg_type = RTM_DELLINK;
	lanwatch_parse(nlh, &host);
	assert_int_equal(host.nlinks, 0);
}

static void lanwatch_parse__addresses__peer_first_then_local(void **state)
{
	memset(&host, 0, sizeof(host));
	lanwatch_parse(addr_msg(AF_INET, "192.168.1.23", "192.168.1.23", 24, 2), &host);
	/* point-to-point: IFA_ADDRESS is the peer, the connected route's */
	lanwatch_parse(addr_msg(AF_INET, "10.8.0.1", "10.8.0.2", 32, 3), &host);
	lanwatch_parse(addr_msg(AF_INET6, NULL, "fd00::1", 64, 4), &host);
	assert_int_equal(host.naddrs, 3);
	assert_memory_equal(host.addrs[0].addr, ((uint8_t[]){ 192, 168, 1, 23 }), 4);
	assert_int_equal(host.addrs[0].prefix, 24);
	assert_int_equal(host.addrs[0].ifindex, 2);
	assert_memory_equal(host.addrs[1].addr, ((uint8_t[]){ 10, 8, 0, 1 }), 4);
	assert_int_equal(host.addrs[2].family, AF_INET6);
	assert_int_equal(host.addrs[2].addr[0], 0xfd);
}

static void lanwatch_parse__bad_addresses__ignored(void **state)
{
	struct nlmsghdr *nlh;

	memset(&host, 0, sizeof(host));
	lanwatch_parse(addr_msg(AF_INET, "192.168.1.23", NULL, 33, 2), &host);
	lanwatch_parse(addr_msg(AF_INET6, "fd00::1", NULL, 129, 2), &host);
	lanwatch_parse(addr_msg(AF_INET, NULL, NULL, 24, 2), &host);
	/* an IPv6-sized address in an IPv4 message */
	nlh = addr_msg(AF_INET, NULL, NULL, 24, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, "0123456789abcdef");
	lanwatch_parse(nlh, &host);
	lanwatch_parse(addr_msg(AF_PACKET, NULL, NULL, 0, 2), &host);
	assert_int_equal(host.naddrs, 0);
}

static void lanwatch_parse__full_host__counted_not_overflowed(void **state)
{
	unsigned i;

	memset(&host, 0, sizeof(host));
	for (i = 0; i < LAN_LINKS_MAX + 3; i++)
		lanwatch_parse(link_msg((int)i + 1, "veth", 0), &host);
	assert_int_equal(host.nlinks, LAN_LINKS_MAX);
	assert_int_equal(host.dropped, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lanwatch_parse__link__name_index_flags),
		cmocka_unit_test(lanwatch_parse__bad_links__ignored),
		cmocka_unit_test(lanwatch_parse__addresses__peer_first_then_local),
		cmocka_unit_test(lanwatch_parse__bad_addresses__ignored),
		cmocka_unit_test(lanwatch_parse__full_host__counted_not_overflowed),
	};

	return cmocka_run_group_tests_name("lanwatch", tests, NULL, NULL);
}
