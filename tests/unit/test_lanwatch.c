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
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lanwatch.h"

static struct lan_host host;
static char buf[1024];

static int reset(void **state)
{
	lanhost_free(&host);
	return 0;
}

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

/* a port: IFLA_MASTER and the master's kind in IFLA_LINKINFO */
static struct nlmsghdr *port_msg(int ifindex, const char *name, uint32_t master, const char *kind)
{
	struct nlmsghdr *nlh = link_msg(ifindex, name, IFF_UP);
	struct nlattr *info;

	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	if (kind)
		mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, kind);
	mnl_attr_nest_end(nlh, info);
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

static struct nlmsghdr *as(struct nlmsghdr *nlh, uint16_t type)
{
	nlh->nlmsg_type = type;
	return nlh;
}

static void lanwatch_apply__link__name_index_flags(void **state)
{
	assert_int_equal(lanwatch_apply(link_msg(7, "docker0", IFF_UP), &host), 7);
	assert_int_equal(host.nlinks, 1);
	assert_int_equal(host.links[0].ifindex, 7);
	assert_int_equal(host.links[0].flags, IFF_UP);
	assert_string_equal(host.links[0].name, "docker0");
	assert_false(host.links[0].port);
}

static void lanwatch_apply__bad_links__ignored(void **state)
{
	struct nlmsghdr *nlh;

	assert_int_equal(lanwatch_apply(link_msg(7, NULL, 0), &host), 0);	/* no name */
	assert_int_equal(lanwatch_apply(link_msg(0, "eth0", 0), &host), 0);	/* no index */
	assert_int_equal(lanwatch_apply(link_msg(-3, "eth0", 0), &host), 0);
	assert_int_equal(lanwatch_apply(link_msg(7, "averyveryverylongname", 0), &host), 0);
	assert_int_equal(lanwatch_apply(link_msg(7, "", 0), &host), 0);
	nlh = link_msg(7, "eth0", 0);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;			/* cut in the header */
	assert_int_equal(lanwatch_apply(nlh, &host), 0);
	assert_int_equal(lanwatch_apply(as(link_msg(7, "eth0", 0), RTM_GETLINK), &host), 0);
	assert_int_equal(host.nlinks, 0);
}

/* Each event is the whole state of its link: names change, links go */
static void lanwatch_apply__events__rename_and_removal(void **state)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	lanwatch_apply(link_msg(7, "eth0", 0), &host);
	host.links[0].facts_read = 1;
	lanwatch_apply(link_msg(8, "eth1", 0), &host);
	lanwatch_apply(link_msg(7, "eth0", IFF_UP), &host);
	assert_int_equal(host.links[0].facts_read, 1);	/* same name: facts stay */
	assert_int_equal(lanwatch_apply(link_msg(7, "lan0", IFF_UP), &host), 7);
	assert_string_equal(lanhost_find(&host, 7)->name, "lan0");
	assert_int_equal(lanhost_find(&host, 7)->facts_read, 0);	/* read it again */
	/* a bridge port's AF_BRIDGE messages say nothing of the link */
	nlh = as(link_msg(8, "eth1", 0), RTM_DELLINK);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_BRIDGE;
	assert_int_equal(lanwatch_apply(nlh, &host), 0);
	assert_non_null(lanhost_find(&host, 8));
	assert_int_equal(lanwatch_apply(as(link_msg(8, NULL, 0), RTM_DELLINK), &host), 8);
	assert_null(lanhost_find(&host, 8));
	assert_int_equal(host.nlinks, 1);
	/* gone already: nothing to remove, still announced */
	assert_int_equal(lanwatch_apply(as(link_msg(8, NULL, 0), RTM_DELLINK), &host), 8);
}

static void lanwatch_apply__ports__of_bridges_not_vrfs(void **state)
{
	lanwatch_apply(port_msg(9, "veth1", 3, "bridge"), &host);
	lanwatch_apply(port_msg(10, "eth2", 4, "bond"), &host);
	lanwatch_apply(port_msg(11, "eth3", 5, "vrf"), &host);
	lanwatch_apply(port_msg(12, "eth4", 6, NULL), &host);
	assert_true(lanhost_find(&host, 9)->port);
	assert_string_equal(lanhost_find(&host, 9)->kind, "veth");
	assert_true(lanhost_find(&host, 10)->port);
	assert_false(lanhost_find(&host, 11)->port);
	assert_true(lanhost_find(&host, 12)->port);
	/* released from its bridge: an interface again */
	lanwatch_apply(link_msg(9, "veth1", IFF_UP), &host);
	assert_false(lanhost_find(&host, 9)->port);
	assert_string_equal(lanhost_find(&host, 9)->kind, "");
}

static void lanwatch_apply__addresses__added_and_removed(void **state)
{
	struct lan_link *l;

	assert_int_equal(lanwatch_apply(addr_msg(AF_INET, "192.168.1.23", "192.168.1.23", 24, 2),
					&host), 2);
	/* point-to-point: IFA_ADDRESS is the peer, the connected route's */
	lanwatch_apply(addr_msg(AF_INET, "10.8.0.1", "10.8.0.2", 32, 3), &host);
	lanwatch_apply(addr_msg(AF_INET6, NULL, "fd00::1", 64, 3), &host);
	/* the same again: no second copy */
	lanwatch_apply(addr_msg(AF_INET6, NULL, "fd00::1", 64, 3), &host);
	l = lanhost_find(&host, 2);
	assert_int_equal(l->naddrs, 1);
	assert_memory_equal(l->addrs[0].addr, ((uint8_t[]){ 192, 168, 1, 23 }), 4);
	assert_int_equal(l->addrs[0].prefix, 24);
	assert_string_equal(l->name, "");	/* its RTM_NEWLINK names it */
	l = lanhost_find(&host, 3);
	assert_int_equal(l->naddrs, 2);
	assert_memory_equal(l->addrs[0].addr, ((uint8_t[]){ 10, 8, 0, 1 }), 4);
	assert_int_equal(l->addrs[1].family, AF_INET6);
	assert_int_equal(lanwatch_apply(as(addr_msg(AF_INET, "10.8.0.1", "10.8.0.2", 32, 3),
					   RTM_DELADDR), &host), 3);
	l = lanhost_find(&host, 3);
	assert_int_equal(l->naddrs, 1);
	assert_int_equal(l->addrs[0].addr[0], 0xfd);
	/* another prefix length is another address */
	lanwatch_apply(as(addr_msg(AF_INET6, NULL, "fd00::1", 48, 3), RTM_DELADDR), &host);
	assert_int_equal(lanhost_find(&host, 3)->naddrs, 1);
}

static void lanwatch_apply__bad_addresses__ignored(void **state)
{
	struct nlmsghdr *nlh;

	assert_int_equal(lanwatch_apply(addr_msg(AF_INET, "192.168.1.23", NULL, 33, 2), &host), 0);
	lanwatch_apply(addr_msg(AF_INET6, "fd00::1", NULL, 129, 2), &host);
	lanwatch_apply(addr_msg(AF_INET, NULL, NULL, 24, 2), &host);
	lanwatch_apply(addr_msg(AF_INET, "192.168.1.23", NULL, 24, 0), &host);
	/* an IPv6-sized address in an IPv4 message */
	nlh = addr_msg(AF_INET, NULL, NULL, 24, 2);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, "0123456789abcdef");
	lanwatch_apply(nlh, &host);
	lanwatch_apply(addr_msg(AF_PACKET, NULL, NULL, 0, 2), &host);
	assert_int_equal(host.nlinks, 0);
}

/* Events queued while a dump ran are applied after it: a link that the
 * dump no longer shows comes and goes again, and the end is the kernel's */
static void lanwatch_apply__queued_events_after_a_dump__converge(void **state)
{
	lanwatch_apply(link_msg(2, "eth0", 0), &host);		/* the dump */
	lanwatch_apply(link_msg(5, "docker0", 0), &host);	/* queued before it */
	lanwatch_apply(addr_msg(AF_INET, "172.17.0.1", NULL, 16, 5), &host);
	lanwatch_apply(as(addr_msg(AF_INET, "172.17.0.1", NULL, 16, 5), RTM_DELADDR), &host);
	lanwatch_apply(as(link_msg(5, "docker0", 0), RTM_DELLINK), &host);
	assert_int_equal(host.nlinks, 1);
	assert_string_equal(host.links[0].name, "eth0");
}

/* No fixed limit: a node with thousands of interfaces */
static void lanwatch_apply__many_links__all_kept(void **state)
{
	unsigned i;

	for (i = 0; i < 5000; i++) {
		char name[IFNAMSIZ];

		snprintf(name, sizeof(name), "veth%u", i);
		lanwatch_apply(link_msg((int)(5000 - i), name, 0), &host);	/* falling ifindex */
		lanwatch_apply(addr_msg(AF_INET6, NULL, "fe80::1", 64, 5000 - i), &host);
	}
	assert_int_equal(host.nlinks, 5000);
	assert_int_equal(host.left_out, 0);
	for (i = 1; i < host.nlinks; i++)
		assert_true(host.links[i - 1].ifindex < host.links[i].ifindex);
	assert_string_equal(lanhost_find(&host, 1)->name, "veth4999");
	assert_int_equal(lanhost_find(&host, 1)->naddrs, 1);
}

/* The kernel's dumps, wrapped: each hands cb one link or address, and
 * the first `interrupted` dumps are marked interrupted */
static unsigned dumps, interrupted;

int __wrap_nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb, void *data);
int __wrap_nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb, void *data)
{
	const struct nlmsghdr *req = msg;

	(void)s;
	(void)len;
	dumps++;
	if (req->nlmsg_type == RTM_GETLINK)
		cb(link_msg(7, dumps <= interrupted ? "eth-old" : "eth0", IFF_UP), data);
	else
		cb(addr_msg(AF_INET, "192.0.2.7", NULL, 24, 7), data);
	return dumps <= interrupted ? -EINTR : 0;
}

static void lanwatch_read__interrupted_dump__read_whole_again(void **state)
{
	struct lanwatch w;

	memset(&w, 0, sizeof(w));
	dumps = 0;
	interrupted = 2;
	assert_int_equal(lanwatch_read(&w, &host), 0);
	assert_int_equal(dumps, 4);	/* two links dumps cut, then links and addresses */
	assert_int_equal(host.nlinks, 1);
	assert_string_equal(lanhost_find(&host, 7)->name, "eth0");
	assert_int_equal(lanhost_find(&host, 7)->naddrs, 1);
	/* a host that never stops changing: said, not looped on */
	dumps = 0;
	interrupted = 100;
	assert_int_equal(lanwatch_read(&w, &host), -EINTR);
	assert_int_equal(dumps, LANWATCH_DUMP_TRIES);
	free(w.dirty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lanwatch_apply__link__name_index_flags, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__bad_links__ignored, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__events__rename_and_removal, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__ports__of_bridges_not_vrfs, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__addresses__added_and_removed, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__bad_addresses__ignored, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__queued_events_after_a_dump__converge, reset, NULL),
		cmocka_unit_test_setup_teardown(lanwatch_apply__many_links__all_kept, reset, reset),
		cmocka_unit_test_setup_teardown(lanwatch_read__interrupted_dump__read_whole_again, reset,
						reset),
	};

	return cmocka_run_group_tests_name("lanwatch", tests, NULL, NULL);
}
