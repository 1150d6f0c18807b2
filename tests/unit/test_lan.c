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

static struct lan_host host;
static struct lan lan;
static struct config cfg;

static int reset(void **state)
{
	lanhost_free(&host);
	lan_free(&lan);
	config_defaults(&cfg);
	return 0;
}

static int teardown(void **state)
{
	lanhost_free(&host);
	lan_free(&lan);
	return 0;
}

static struct lan_link *link_add(uint32_t ifindex, const char *name, unsigned flags)
{
	struct lan_link *l = lanhost_add(&host, ifindex);

	assert_non_null(l);
	l->flags = flags;
	snprintf(l->name, sizeof(l->name), "%s", name);
	return l;
}

static void parse_addr(const char *cidr, struct lan_addr *a)
{
	char text[64];
	char *slash;

	snprintf(text, sizeof(text), "%s", cidr);
	slash = strchr(text, '/');
	*slash = '\0';
	memset(a, 0, sizeof(*a));
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a->family, text, a->addr), 1);
	a->prefix = (uint8_t)atoi(slash + 1);
}

static void addr_add(uint32_t ifindex, const char *cidr)
{
	struct lan_addr a;

	parse_addr(cidr, &a);
	assert_int_equal(lanhost_addr_add(&host, lanhost_add(&host, ifindex), &a), 0);
}

/* The interfaces as "name zone|why" lines, each followed by its subnets
 * ("  part|why"), then the networks */
static const char *lan_text(const struct lan *l)
{
	static char out[8192];
	size_t used = 0;
	unsigned i, j;

	out[0] = '\0';
	for (i = 0; i < l->nifaces; i++) {
		const struct lan_iface *e = &l->ifaces[i];

		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s %s%s|%s\n", e->name,
					 config_zone_name(e->z.zone), e->z.every_source ? "+" : "",
					 e->z.why);
		for (j = 0; j < e->nsubnets; j++) {
			char name[80];

			lan_part_name(&e->subnets[j], name, sizeof(name));
			used += (size_t)snprintf(out + used, sizeof(out) - used, "  %s|%s\n", name,
						 e->subnets[j].why);
		}
	}
	for (i = 0; i < l->nnets; i++) {
		char name[80];

		lan_part_name(&l->nets[i], name, sizeof(name));
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s|%s\n", name,
					 l->nets[i].why);
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
		{ "169.254.3.4/16", NULL, NULL },	/* link-local: a part of its own */
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
		struct lan_part p = { .kind = LAN_PART_NETWORK };
		struct lan_addr a;
		const char *range;
		char got[80];

		parse_addr(cases[i].cidr, &a);
		range = lan_private_subnet(&cfg, a.family, a.addr, a.prefix, &p.net);
		if (!cases[i].range) {
			if (range)
				fail_msg("%s: classified %s", cases[i].cidr, range);
			continue;
		}
		if (!range || strcmp(range, cases[i].range))
			fail_msg("%s: got %s, want %s", cases[i].cidr, range ? range : "none",
				 cases[i].range);
		lan_part_name(&p, got, sizeof(got));
		if (strcmp(got, cases[i].subnet))
			fail_msg("%s: subnet %s, want %s", cases[i].cidr, got, cases[i].subnet);
	}
}

static void lan_private_subnet__private_networks__replace_the_defaults(void **state)
{
	struct config_net net;
	struct lan_addr a;

	cfg.nprivate_nets = 0;
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.private_nets[cfg.nprivate_nets++]), 0);
	assert_int_equal(config_parse_net("2001:db8:200::/48", &cfg.private_nets[cfg.nprivate_nets++]), 0);
	parse_addr("192.0.2.1/24", &a);
	assert_string_equal(lan_private_subnet(&cfg, a.family, a.addr, a.prefix, &net),
			    "private_networks");
	parse_addr("2001:db8:200::1/32", &a);	/* wider than the entry */
	assert_non_null(lan_private_subnet(&cfg, a.family, a.addr, a.prefix, &net));
	assert_int_equal(net.prefix, 48);
	parse_addr("192.168.1.1/24", &a);
	assert_null(lan_private_subnet(&cfg, a.family, a.addr, a.prefix, &net));
}

/* A typical desktop with Docker: a wired LAN on a private subnet, a WAN
 * uplink with a public address, a Docker bridge, a VPN with host routes, a
 * container's veth (a port of the bridge) and one standing alone. */
static void typical_host(void)
{
	link_add(1, "lo", IFF_LOOPBACK);
	link_add(2, "eth1", 0);
	link_add(3, "eth0", 0);
	link_add(4, "docker0", 0);
	link_add(5, "br-3f2a9c1d7e6b", 0);
	link_add(6, "tailscale0", 0);
	link_add(7, "veth12ab", 0)->port = 1;
	link_add(8, "veth99", 0);
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
	addr_add(7, "fe80::7/64");
}

static void lan_compute__auto__zones_and_their_subnets(void **state)
{
	typical_host();
	lan_compute(&host, &cfg, &lan);
	assert_string_equal(lan_text(&lan),
			    "eth1 lan|private subnet 192.168.1.0/24 (RFC 1918) connected\n"
			    "  192.168.1.0/24 on eth1|connected private subnet (RFC 1918)\n"
			    "  fd00:1:2:3::/64 on eth1|connected private subnet (ULA)\n"
			    "  fe80::/64 on eth1|link-local: a neighbour on a lan interface\n"
			    "eth0 public|only public addresses\n"
			    "docker0 lan+|container/VM bridge (docker*)\n"
			    "  172.17.0.0/16 on docker0|connected private subnet (RFC 1918)\n"
			    "br-3f2a9c1d7e6b lan+|container/VM bridge (br-*)\n"
			    "  172.18.0.0/16 on br-3f2a9c1d7e6b|connected private subnet (RFC 1918)\n"
			    "tailscale0 public|only public addresses\n"
			    "veth99 public|no private subnet connected\n");
	assert_true(lan.link_scope);
	assert_int_equal(lan_count_zone(&lan, ZONE_LAN), 3);
}

/* Wi-Fi and mobile broadband are public whatever they are numbered with;
 * NetworkManager's zone comes before that guess, the admin's before both */
static void lan_compute__wireless_nm_and_config__in_that_order(void **state)
{
	static struct zone_nm nm[2] = {
		{ "wlan1", "home", "802-11-wireless", "Home" },
		{ "eth1", "", "802-3-ethernet", "Wired connection 1" },
	};

	typical_host();
	link_add(9, "wlan0", 0)->wireless = 1;
	addr_add(9, "192.168.7.5/24");
	addr_add(9, "fe80::9/64");
	link_add(10, "wlan1", 0)->wireless = 1;
	addr_add(10, "10.0.0.5/24");
	link_add(11, "wwan0", 0)->wwan = 1;
	addr_add(11, "10.64.0.5/30");
	host.nm = nm;
	host.nnm = 2;
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan), "eth1 lan|private subnet 192.168.1.0/24"));
	assert_non_null(strstr(lan_text(&lan), "wlan0 public|Wi-Fi without a zone\n"
					       "wlan1 lan|NetworkManager: connection \"Home\" in zone home\n"
					       "  10.0.0.0/24 on wlan1|connected private subnet (RFC 1918)\n"
					       "wwan0 public|mobile broadband without a zone\n"));
	strcpy(nm[1].zone, "public");
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan),
			       "eth1 public|NetworkManager: connection \"Wired connection 1\" in zone public\n"
			       "eth0 public"));
	/* portwarden.conf over NetworkManager */
	strcpy(cfg.zones[0].name, "eth1");
	cfg.zones[0].zone = ZONE_LAN;
	strcpy(cfg.zones[1].name, "wlan*");
	cfg.zones[1].zone = ZONE_PUBLIC;
	cfg.nzones = 2;
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan), "eth1 lan|zone.eth1 in portwarden.conf\n"
					       "  192.168.1.0/24 on eth1|"));
	assert_non_null(strstr(lan_text(&lan), "wlan1 public|zone.wlan* in portwarden.conf\n"
					       "wwan0"));
	host.nm = NULL;
	host.nnm = 0;
}

static void lan_compute__wan_interface__wan_zone_nothing_lan(void **state)
{
	typical_host();
	strcpy(cfg.wan_ifaces[0], "eth1");
	strcpy(cfg.wan_ifaces[1], "docker0");
	cfg.nwan_ifaces = 2;
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan), "eth1 wan|wan_interfaces (router mode)\n"
					       "eth0 public|only public addresses\n"
					       "docker0 wan|wan_interfaces (router mode)\n"
					       "br-3f2a9c1d7e6b lan+"));
}

/* An explicit zone lan trusts the interface's private subnets and link
 * scope, not its public addresses; a list of networks replaces the
 * connected private subnets, link scope stays */
static void lan_compute__explicit_lists__replace_auto(void **state)
{
	typical_host();
	strcpy(cfg.zones[0].name, "eth0");
	cfg.zones[0].zone = ZONE_LAN;
	cfg.nzones = 1;
	addr_add(3, "fe80::3/64");
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.lan_nets[0]), 0);
	cfg.nlan_nets = 1;
	cfg.lan_ifaces_mode = CONFIG_LAN_LIST;
	strcpy(cfg.lan_ifaces[0], "eth9");	/* not there: nothing for it */
	strcpy(cfg.lan_ifaces[1], "br-*");
	strcpy(cfg.lan_ifaces[2], "veth99");
	cfg.nlan_ifaces = 3;
	lan_compute(&host, &cfg, &lan);
	assert_string_equal(lan_text(&lan),
			    "eth1 lan|private subnet 192.168.1.0/24 (RFC 1918) connected\n"
			    "  fe80::/64 on eth1|link-local: a neighbour on a lan interface\n"
			    "eth0 lan|zone.eth0 in portwarden.conf\n"
			    "  fe80::/64 on eth0|link-local: a neighbour on a lan interface\n"
			    "docker0 lan|private subnet 172.17.0.0/16 (RFC 1918) connected\n"
			    "br-3f2a9c1d7e6b lan+|lan_interfaces br-*\n"
			    "tailscale0 public|only public addresses\n"
			    "veth99 lan+|lan_interfaces veth99\n"
			    "192.0.2.0/24|lan_networks, reverse-path checked, on lan interfaces\n");
	/* auto with a list: the subnets and the networks */
	cfg.lan_nets_mode = CONFIG_LAN_AUTO;
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan), "  192.168.1.0/24 on eth1|"));
	assert_int_equal(lan.nnets, 1);
}

static void lan_compute__none__only_bridges(void **state)
{
	typical_host();
	cfg.lan_nets_mode = CONFIG_LAN_NONE;
	lan_compute(&host, &cfg, &lan);
	assert_false(lan.link_scope);
	assert_non_null(strstr(lan_text(&lan), "eth1 lan|private subnet 192.168.1.0/24 (RFC 1918) "
					       "connected\neth0 public"));
	assert_non_null(strstr(lan_text(&lan), "docker0 lan+|container/VM bridge (docker*)\n"
					       "br-3f2a9c1d7e6b"));
	cfg.lan_ifaces_mode = CONFIG_LAN_NONE;
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan), "docker0 lan|private subnet 172.17.0.0/16"));
	assert_null(strstr(lan_text(&lan), "+|"));
	assert_null(strstr(lan_text(&lan), " on "));
}

static void lan_compute__nested_subnets__widest_kept(void **state)
{
	link_add(2, "eth1", 0);
	link_add(3, "eth2", 0);
	addr_add(2, "10.1.2.3/16");
	addr_add(2, "10.1.200.1/24");
	addr_add(2, "10.9.0.1/8");
	addr_add(3, "10.1.2.4/24");	/* same addresses elsewhere: its own part */
	addr_add(9, "10.7.0.1/24");	/* no such link yet: no name */
	lan_compute(&host, &cfg, &lan);
	assert_string_equal(lan_text(&lan),
			    "eth1 lan|private subnet 10.0.0.0/8 (RFC 1918) connected\n"
			    "  10.0.0.0/8 on eth1|connected private subnet (RFC 1918)\n"
			    "eth2 lan|private subnet 10.1.2.0/24 (RFC 1918) connected\n"
			    "  10.1.2.0/24 on eth2|connected private subnet (RFC 1918)\n");
}

/* A LAN numbered from public space, named in lan_networks, is a LAN:
 * its interface is lan, and the networks count there; not on Wi-Fi */
static void lan_compute__lan_networks_connected__lan_zone(void **state)
{
	link_add(2, "eth1", 0);
	link_add(3, "wlan0", 0)->wireless = 1;
	addr_add(2, "192.0.2.1/24");
	addr_add(3, "192.0.2.77/24");
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.lan_nets[0]), 0);
	cfg.nlan_nets = 1;
	lan_compute(&host, &cfg, &lan);
	assert_string_equal(lan_text(&lan),
			    "eth1 lan|subnet 192.0.2.0/24 of lan_networks connected\n"
			    "wlan0 public|Wi-Fi without a zone\n"
			    "192.0.2.0/24|lan_networks, reverse-path checked, on lan interfaces\n");
	cfg.lan_nets_mode = CONFIG_LAN_NONE;
	lan_compute(&host, &cfg, &lan);
	assert_non_null(strstr(lan_text(&lan), "eth1 public|only public addresses\n"));
}

/* 169.254/16 counts only where this host has an address in it and so
 * answers such neighbours on the link */
static void lan_compute__ipv4_link_local__only_where_the_host_has_one(void **state)
{
	link_add(2, "eth1", 0);
	link_add(3, "eth2", 0);
	addr_add(2, "192.168.1.2/24");
	addr_add(3, "192.168.2.2/24");
	addr_add(3, "169.254.7.7/16");
	lan_compute(&host, &cfg, &lan);
	assert_null(strstr(lan_text(&lan), "169.254.0.0/16 on eth1"));
	assert_non_null(strstr(lan_text(&lan), "  169.254.0.0/16 on eth2|link-local"));
}

/* Many interfaces, no fixed limit */
static void lan_compute__thousands_of_interfaces__all_kept(void **state)
{
	unsigned i;

	for (i = 0; i < 5000; i++) {
		char name[IFNAMSIZ];

		snprintf(name, sizeof(name), "br-%u", i);
		link_add(i + 2, name, 0);
		addr_add(i + 2, "fe80::1/64");
	}
	lan_compute(&host, &cfg, &lan);
	assert_int_equal(lan.nifaces, 5000);
	assert_int_equal(lan.left_out, 0);
	assert_int_equal(lan_count_zone(&lan, ZONE_LAN), 5000);
	assert_non_null(lan_iface_find(&lan, 4000));
}

static const char *address(int family, const char *a)
{
	uint8_t b[16] = { 0 };

	assert_int_equal(inet_pton(family, a, b), 1);
	return lan_address_reason(&lan, family, b);
}

static void lan_address_reason__lan_subnets_and_networks_only(void **state)
{
	typical_host();
	lan_compute(&host, &cfg, &lan);
	assert_string_equal(address(AF_INET, "192.168.1.50"), "connected private subnet (RFC 1918)");
	assert_string_equal(address(AF_INET6, "fd00:1:2:3::7"), "connected private subnet (ULA)");
	assert_string_equal(address(AF_INET6, "fe80::7"), "link-local: a neighbour on a lan interface");
	assert_null(address(AF_INET, "203.0.113.9"));	/* eth0's subnet: public */
	assert_null(address(AF_INET, "169.254.1.1"));	/* no lan interface has one */
	assert_null(address(AF_INET, "10.1.1.1"));
	cfg.lan_nets_mode = CONFIG_LAN_AUTO;
	assert_int_equal(config_parse_net("198.51.100.0/24", &cfg.lan_nets[0]), 0);
	cfg.nlan_nets = 1;
	lan_compute(&host, &cfg, &lan);
	assert_string_equal(address(AF_INET, "198.51.100.7"),
			    "lan_networks, reverse-path checked, on lan interfaces");
	/* without a lan interface, lan_networks has nowhere to arrive */
	cfg.nzones = 1;
	strcpy(cfg.zones[0].name, "*");
	cfg.zones[0].zone = ZONE_PUBLIC;
	lan_compute(&host, &cfg, &lan);
	assert_null(address(AF_INET, "198.51.100.7"));
	assert_null(address(AF_INET, "192.168.1.50"));
}

/* Interface by interface, the LAN ends where computing it whole ends,
 * whatever the order of the changes */
static void lan_iface_set__changes_one_at_a_time__same_as_whole(void **state)
{
	static struct lan whole;
	unsigned round, i;

	srand(7);
	for (round = 0; round < 400; round++) {
		uint32_t ifindex = (uint32_t)(rand() % 40) + 1;
		char name[IFNAMSIZ], cidr[64];
		struct lan_iface e;
		int ret;

		switch (rand() % 5) {
		case 0:
			snprintf(name, sizeof(name), "%s%u", rand() % 3 ? "eth" : "docker", ifindex);
			link_add(ifindex, name, 0);
			break;
		case 1:
			lanhost_del(&host, ifindex);
			break;
		case 2:
			snprintf(cidr, sizeof(cidr), "10.%u.%u.1/%u", ifindex, rand() % 4,
				 16 + rand() % 9);
			addr_add(ifindex, cidr);
			break;
		case 3:
			snprintf(cidr, sizeof(cidr), "203.0.113.%u/24", ifindex);
			addr_add(ifindex, cidr);
			break;
		default: {
			struct lan_link *l = lanhost_find(&host, ifindex);
			struct lan_addr a;

			if (l && l->naddrs) {
				a = l->addrs[(unsigned)rand() % l->naddrs];
				lanhost_addr_del(l, &a);
			}
		}
		}
		ret = lan_iface_compute(&host, &cfg, ifindex, &e);
		assert_true(ret >= 0);
		if (ret)
			assert_int_equal(lan_iface_set(&lan, &e), 0);
		else
			lan_iface_remove(&lan, ifindex);
		lan_compute(&host, &cfg, &whole);
		assert_int_equal(lan.nifaces, whole.nifaces);
		for (i = 0; i < whole.nifaces; i++)
			if (!lan_iface_equal(&lan.ifaces[i], &whole.ifaces[i]))
				fail_msg("round %u: %s differs", round, whole.ifaces[i].name);
	}
	lan_free(&whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lan_private_subnet__ranges__classified, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_private_subnet__private_networks__replace_the_defaults, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__auto__zones_and_their_subnets, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__wireless_nm_and_config__in_that_order, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__wan_interface__wan_zone_nothing_lan, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__explicit_lists__replace_auto, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__none__only_bridges, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__nested_subnets__widest_kept, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__lan_networks_connected__lan_zone, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__ipv4_link_local__only_where_the_host_has_one, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_compute__thousands_of_interfaces__all_kept, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_address_reason__lan_subnets_and_networks_only, reset, NULL),
		cmocka_unit_test_setup_teardown(lan_iface_set__changes_one_at_a_time__same_as_whole, reset, NULL),
	};

	return cmocka_run_group_tests_name("lan", tests, NULL, teardown);
}
