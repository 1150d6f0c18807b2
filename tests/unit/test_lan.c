// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lan.h"

static struct lan_host *host;
static struct lan *lan;
static struct config cfg;

static int setup(void **state)
{
	host = calloc(1, sizeof(*host));
	lan = calloc(1, sizeof(*lan));
	config_defaults(&cfg);
	return host && lan ? 0 : -1;
}

static int reset(void **state)
{
	config_defaults(&cfg);
	memset(host, 0, sizeof(*host));
	return 0;
}

static int teardown(void **state)
{
	free(host);
	free(lan);
	return 0;
}

static void link_add(uint32_t ifindex, const char *name, unsigned flags)
{
	struct lan_link *l = &host->links[host->nlinks++];

	l->ifindex = ifindex;
	l->flags = flags;
	snprintf(l->name, sizeof(l->name), "%s", name);
}

static void addr_add(uint32_t ifindex, const char *cidr)
{
	struct lan_addr *a = &host->addrs[host->naddrs++];
	char text[64];
	char *slash;

	snprintf(text, sizeof(text), "%s", cidr);
	slash = strchr(text, '/');
	*slash = '\0';
	a->ifindex = ifindex;
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(a->family, text, a->addr);
	a->prefix = (uint8_t)atoi(slash + 1);
}

/* The parts as "name|why" lines, in order. */
static const char *parts_text(void)
{
	static char out[4096];
	size_t used = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < lan->nparts; i++) {
		char name[80];

		lan_part_name(&lan->parts[i], name, sizeof(name));
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s|%s\n", name,
					 lan->parts[i].why);
	}
	return out;
}

static void lan_private_subnet__ranges__classified(void **state)
{
	static const struct {
		const char *cidr, *range, *subnet;
	} cases[] = {
		{ "10.1.2.3/8", "RFC 1918", "10.0.0.0/8" },
		{ "10.200.7.9/24", "RFC 1918", "10.200.7.0/24" },
		{ "172.16.0.1/12", "RFC 1918", "172.16.0.0/12" },
		{ "172.31.255.1/16", "RFC 1918", "172.31.0.0/16" },
		{ "172.32.0.1/16", NULL, NULL },
		{ "172.15.255.1/24", NULL, NULL },
		{ "192.168.1.10/24", "RFC 1918", "192.168.1.0/24" },
		{ "192.169.1.10/24", NULL, NULL },
		/* wider than the range: only the private part counts */
		{ "192.168.1.10/8", "RFC 1918", "192.168.0.0/16" },
		{ "172.20.0.1/8", "RFC 1918", "172.16.0.0/12" },
		{ "100.64.0.1/10", NULL, NULL },	/* carrier-grade NAT: not a LAN */
		{ "169.254.3.4/16", NULL, NULL },	/* link-local: its own rule */
		{ "8.8.8.8/24", NULL, NULL },
		{ "192.0.2.1/24", NULL, NULL },
		{ "fd12:3456:789a:1::1/64", "ULA", "fd12:3456:789a:1::/64" },
		{ "fc00::1/64", "ULA", "fc00::/64" },
		{ "fd00::1/4", "ULA", "fc00::/7" },
		{ "fe80::1/64", NULL, NULL },
		{ "2001:db8::1/64", NULL, NULL },
		{ "fe00::1/64", NULL, NULL },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config_net net;
		struct lan_part p = { .kind = LAN_PART_NETWORK };
		const char *range;
		char got[80];

		host->naddrs = 0;
		addr_add(1, cases[i].cidr);
		range = lan_private_subnet(host->addrs[0].family, host->addrs[0].addr,
					   host->addrs[0].prefix, &net);
		if (!cases[i].range) {
			if (range)
				fail_msg("%s: classified %s", cases[i].cidr, range);
			continue;
		}
		if (!range || strcmp(range, cases[i].range))
			fail_msg("%s: got %s, want %s", cases[i].cidr, range ? range : "none",
				 cases[i].range);
		p.net = net;
		lan_part_name(&p, got, sizeof(got));
		if (strcmp(got, cases[i].subnet))
			fail_msg("%s: subnet %s, want %s", cases[i].cidr, got, cases[i].subnet);
	}
}

static void lan_bridge_prefix__names__container_and_vm_bridges(void **state)
{
	static const char *const yes[] = { "docker0", "docker_gwbridge", "br-3f2a9c1d7e6b",
					   "virbr0", "lxcbr0", "lxdbr0", "incusbr0", "podman0",
					   "podman1", "cni0", "cni-podman0" };
	static const char *const no[] = { "eth0", "enp3s0", "wlan0", "bridge0", "br0", "lo",
					  "veth1234", "tun0", "wg0", "vnet3" };
	unsigned i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!lan_bridge_prefix(yes[i]))
			fail_msg("%s is a container/VM bridge", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (lan_bridge_prefix(no[i]))
			fail_msg("%s is not a container/VM bridge", no[i]);
}

/* A typical desktop with Docker: Wi-Fi on a private subnet, a WAN uplink
 * with a public address, a Docker bridge, a VPN with a host route. */
static void typical_host(void)
{
	host->nlinks = host->naddrs = 0;
	link_add(1, "lo", IFF_LOOPBACK);
	link_add(2, "wlan0", 0);
	link_add(3, "eth0", 0);
	link_add(4, "docker0", 0);
	link_add(5, "br-3f2a9c1d7e6b", 0);
	link_add(6, "tailscale0", 0);
	link_add(7, "veth12ab", 0);
	addr_add(1, "127.0.0.1/8");
	addr_add(1, "::1/128");
	addr_add(2, "192.168.1.23/24");
	addr_add(2, "192.168.1.99/24");	/* second address, same subnet */
	addr_add(2, "fd00:1:2:3::23/64");
	addr_add(2, "fe80::1/64");
	addr_add(3, "203.0.113.5/24");
	addr_add(3, "2001:db8:5::5/64");
	addr_add(4, "172.17.0.1/16");
	addr_add(5, "172.18.0.1/16");
	addr_add(6, "100.101.102.103/32");
	addr_add(6, "fd7a:115c:a1e0::1/128");
}

static void lan_compute__auto__private_subnets_bound_and_bridges(void **state)
{
	typical_host();
	lan_compute(host, &cfg, lan);
	assert_string_equal(parts_text(),
			    "172.18.0.0/16 on br-3f2a9c1d7e6b|connected private subnet (RFC 1918)\n"
			    "172.17.0.0/16 on docker0|connected private subnet (RFC 1918)\n"
			    "192.168.1.0/24 on wlan0|connected private subnet (RFC 1918)\n"
			    "fd00:1:2:3::/64 on wlan0|connected private subnet (ULA)\n"
			    "br-3f2a9c1d7e6b|container/VM bridge (br-*)\n"
			    "docker0|container/VM bridge (docker*)\n");
	assert_true(lan->link_scope);
}

static void lan_compute__wan_interface__never_lan(void **state)
{
	typical_host();
	strcpy(cfg.wan_ifaces[0], "wlan0");
	strcpy(cfg.wan_ifaces[1], "docker0");
	cfg.nwan_ifaces = 2;
	lan_compute(host, &cfg, lan);
	assert_string_equal(parts_text(),
			    "172.18.0.0/16 on br-3f2a9c1d7e6b|connected private subnet (RFC 1918)\n"
			    "br-3f2a9c1d7e6b|container/VM bridge (br-*)\n");
}

static void lan_compute__explicit_lists__replace_auto(void **state)
{
	typical_host();
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.lan_nets[0]), 0);
	cfg.nlan_nets = 1;
	cfg.lan_ifaces_mode = CONFIG_LAN_LIST;
	strcpy(cfg.lan_ifaces[0], "eth9");	/* not there yet: matched by name */
	strcpy(cfg.lan_ifaces[1], "br-*");
	strcpy(cfg.lan_ifaces[2], "wlan0");
	cfg.nlan_ifaces = 3;
	lan_compute(host, &cfg, lan);
	assert_string_equal(parts_text(),
			    "br-3f2a9c1d7e6b|lan_interfaces br-*\n"
			    "eth9|lan_interfaces eth9\n"
			    "wlan0|lan_interfaces wlan0\n"
			    "192.0.2.0/24|lan_networks, reverse-path checked\n");
	assert_true(lan->link_scope);
}

static void lan_compute__none__nothing(void **state)
{
	typical_host();
	cfg.lan_nets_mode = CONFIG_LAN_NONE;
	cfg.lan_ifaces_mode = CONFIG_LAN_NONE;
	lan_compute(host, &cfg, lan);
	assert_int_equal(lan->nparts, 0);
	assert_false(lan->link_scope);
	/* laptop on untrusted Wi-Fi: no LAN addresses, containers still count */
	cfg.lan_ifaces_mode = CONFIG_LAN_AUTO;
	lan_compute(host, &cfg, lan);
	assert_string_equal(parts_text(), "br-3f2a9c1d7e6b|container/VM bridge (br-*)\n"
					  "docker0|container/VM bridge (docker*)\n");
}

static void lan_compute__nested_subnets__widest_kept(void **state)
{
	host->nlinks = host->naddrs = 0;
	link_add(2, "eth1", 0);
	link_add(3, "eth2", 0);
	addr_add(2, "10.1.2.3/16");
	addr_add(2, "10.1.200.1/24");
	addr_add(2, "10.9.0.1/8");
	addr_add(3, "10.1.2.4/24");	/* same addresses elsewhere: its own part */
	addr_add(9, "10.7.0.1/24");	/* no such link */
	lan_compute(host, &cfg, lan);
	assert_string_equal(parts_text(), "10.0.0.0/8 on eth1|connected private subnet (RFC 1918)\n"
					  "10.1.2.0/24 on eth2|connected private subnet (RFC 1918)\n");
}

static void lan_compute__too_many_parts__counted_not_overflowed(void **state)
{
	unsigned i;

	host->nlinks = host->naddrs = 0;
	for (i = 0; i < LAN_PARTS_MAX + 5; i++) {
		char name[IFNAMSIZ];

		snprintf(name, sizeof(name), "br-%u", i);
		link_add(i + 1, name, 0);
	}
	lan_compute(host, &cfg, lan);
	assert_int_equal(lan->nparts, LAN_PARTS_MAX);
	assert_int_equal(lan->dropped, 5);
}

static void lan_equal__same_host__equal_until_a_part_changes(void **state)
{
	static struct lan other;

	typical_host();
	lan_compute(host, &cfg, lan);
	lan_compute(host, &cfg, &other);
	assert_true(lan_equal(lan, &other));
	host->addrs[host->naddrs - 3].prefix = 20;	/* br-...: 172.18.0.0/20 */
	lan_compute(host, &cfg, &other);
	assert_false(lan_equal(lan, &other));
	cfg.lan_nets_mode = CONFIG_LAN_NONE;
	lan_compute(host, &cfg, &other);
	assert_false(lan_equal(lan, &other));
}

static const char *reason(int family, const char *src, const char *dst, const char *iif)
{
	uint8_t s[16] = { 0 }, d[16] = { 0 };

	inet_pton(family, src, s);
	inet_pton(family, dst, d);
	return lan_source_reason(lan, family, s, d, iif);
}

static void lan_source_reason__bound_parts__only_on_their_interface(void **state)
{
	typical_host();
	strcpy(cfg.wan_ifaces[0], "eth0");
	cfg.nwan_ifaces = 1;
	lan_compute(host, &cfg, lan);
	assert_string_equal(reason(AF_INET, "192.168.1.50", "192.168.1.23", "wlan0"),
			    "connected private subnet (RFC 1918)");
	/* the same source spoofed from elsewhere */
	assert_null(reason(AF_INET, "192.168.1.50", "203.0.113.5", "eth0"));
	assert_null(reason(AF_INET, "192.168.1.50", "192.168.1.23", "tailscale0"));
	assert_string_equal(reason(AF_INET6, "fd00:1:2:3::7", "fd00:1:2:3::23", "wlan0"),
			    "connected private subnet (ULA)");
	assert_string_equal(reason(AF_INET, "198.51.100.7", "172.17.0.1", "docker0"),
			    "container/VM bridge (docker*)");
	assert_string_equal(reason(AF_INET6, "fe80::7", "fe80::1", "wlan0"), "link-local source");
	assert_string_equal(reason(AF_INET, "169.254.1.1", "169.254.1.2", "wlan0"),
			    "link-local source");
	assert_string_equal(reason(AF_INET, "0.0.0.0", "255.255.255.255", "wlan0"),
			    "broadcast or multicast destination");
	assert_string_equal(reason(AF_INET, "198.51.100.9", "224.0.0.251", "wlan0"),
			    "broadcast or multicast destination");
	assert_string_equal(reason(AF_INET6, "2001:db8::9", "ff02::1:2", "wlan0"),
			    "broadcast or multicast destination");
	/* nothing on the WAN is LAN, link-scoped or not */
	assert_null(reason(AF_INET6, "fe80::7", "fe80::1", "eth0"));
	assert_null(reason(AF_INET, "0.0.0.0", "255.255.255.255", "eth0"));
	assert_null(reason(AF_INET, "192.168.1.50", "192.168.1.23", ""));
	assert_null(reason(AF_INET, "203.0.113.77", "192.168.1.23", "wlan0"));
}

static void lan_source_reason__configured_network__left_to_the_kernel(void **state)
{
	typical_host();
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.lan_nets[0]), 0);
	cfg.nlan_nets = 1;
	lan_compute(host, &cfg, lan);
	/* a packet from it reaches user space only after failing the table's
	 * reverse-path check */
	assert_null(reason(AF_INET, "192.0.2.7", "192.168.1.23", "wlan0"));
	cfg.lan_nets_mode = CONFIG_LAN_NONE;
	lan_compute(host, &cfg, lan);
	assert_null(reason(AF_INET6, "fe80::7", "fe80::1", "wlan0"));
	assert_null(reason(AF_INET, "0.0.0.0", "255.255.255.255", "wlan0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lan_private_subnet__ranges__classified, reset, NULL),
		cmocka_unit_test(lan_bridge_prefix__names__container_and_vm_bridges),
		cmocka_unit_test_setup_teardown(lan_compute__auto__private_subnets_bound_and_bridges, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__wan_interface__never_lan, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__explicit_lists__replace_auto, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__none__nothing, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__nested_subnets__widest_kept, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__too_many_parts__counted_not_overflowed, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_equal__same_host__equal_until_a_part_changes, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_source_reason__bound_parts__only_on_their_interface, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_source_reason__configured_network__left_to_the_kernel, reset, NULL),
	};

	return cmocka_run_group_tests_name("lan", tests, setup, teardown);
}
