// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

static struct config cfg;

static int reset(void **state)
{
	config_defaults(&cfg);
	return 0;
}

static unsigned load(const char *text)
{
	char *copy = strdup(text);
	FILE *err = fopen("/dev/null", "w");
	unsigned n;

	assert_non_null(copy);
	assert_non_null(err);
	config_defaults(&cfg);
	n = config_load_buf(&cfg, "pw.conf", copy, strlen(copy), err);
	fclose(err);
	free(copy);
	return n;
}

/* "zone|why" of an interface with these facts */
static const char *decide(const char *name, int wireless, const char *private_subnet, int global,
			  const struct zone_nm *nm)
{
	static char out[160];
	struct zone_facts f = { .name = name, .wireless = wireless, .private_subnet = private_subnet,
				.global = global, .nm = nm };
	struct zone_result r;

	zone_decide(&cfg, &f, &r);
	snprintf(out, sizeof(out), "%s%s|%s", config_zone_name(r.zone), r.every_source ? "+" : "",
		 r.why);
	return out;
}

static void zone_bridge_prefix__names__container_and_vm_bridges(void **state)
{
	static const char *const yes[] = { "docker0", "docker_gwbridge", "br-3f2a9c1d7e6b",
					   "virbr0", "lxcbr0", "lxdbr0", "incusbr0", "podman0",
					   "podman1", "cni0", "cni-podman0" };
	static const char *const no[] = { "eth0", "enp3s0", "wlan0", "bridge0", "br0", "lo",
					  "veth1234", "tun0", "wg0", "vnet3" };
	unsigned i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!zone_bridge_prefix(yes[i]))
			fail_msg("%s is a container/VM bridge", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (zone_bridge_prefix(no[i]))
			fail_msg("%s is not a container/VM bridge", no[i]);
}

static void zone_of_firewalld__zones__lan_or_public(void **state)
{
	static const char *const lan[] = { "trusted", "home", "work", "internal", "nm-shared" };
	static const char *const pub[] = { "public", "external", "dmz", "block", "drop", "mine",
					   "", "Home" };
	unsigned i;

	for (i = 0; i < sizeof(lan) / sizeof(lan[0]); i++)
		assert_int_equal(zone_of_firewalld(lan[i]), ZONE_LAN);
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		assert_int_equal(zone_of_firewalld(pub[i]), ZONE_PUBLIC);
}

static void zone_decide__auto__from_the_facts(void **state)
{
	assert_string_equal(decide("eth1", 0, "192.168.1.0/24 (RFC 1918)", 1, NULL),
			    "lan|private subnet 192.168.1.0/24 (RFC 1918) connected");
	assert_string_equal(decide("eth0", 0, NULL, 1, NULL), "public|only public addresses");
	assert_string_equal(decide("veth1", 0, NULL, 0, NULL), "public|no private subnet connected");
	assert_string_equal(decide("wlan0", 1, "192.168.1.0/24 (RFC 1918)", 0, NULL),
			    "public|Wi-Fi without a zone");
	assert_string_equal(decide("virbr0", 0, NULL, 0, NULL), "lan+|container/VM bridge (virbr*)");
	cfg.lan_ifaces_mode = CONFIG_LAN_NONE;
	assert_string_equal(decide("virbr0", 0, NULL, 0, NULL), "public|no private subnet connected");
}

static void zone_decide__network_manager__zone_then_type(void **state)
{
	struct zone_nm nm = { "wlan0", "home", "802-11-wireless", "Home" };

	assert_string_equal(decide("wlan0", 1, NULL, 1, &nm),
			    "lan|NetworkManager: connection \"Home\" in zone home");
	strcpy(nm.zone, "public");
	assert_string_equal(decide("wlan0", 1, "10.0.0.0/24 (RFC 1918)", 0, &nm),
			    "public|NetworkManager: connection \"Home\" in zone public");
	strcpy(nm.zone, "");
	assert_string_equal(decide("wlan0", 1, NULL, 1, &nm),
			    "public|NetworkManager: Wi-Fi connection \"Home\" without a zone");
	strcpy(nm.type, "gsm");
	assert_string_equal(decide("wwan0", 0, "10.0.0.0/24 (RFC 1918)", 0, &nm),
			    "public|NetworkManager: mobile broadband connection \"Home\" without a zone");
	/* a wired connection without a zone: the facts decide */
	strcpy(nm.type, "802-3-ethernet");
	assert_string_equal(decide("eth1", 0, "10.0.0.0/24 (RFC 1918)", 0, &nm),
			    "lan|private subnet 10.0.0.0/24 (RFC 1918) connected");
	strcpy(nm.zone, "libvirt-routed");
	assert_string_equal(decide("eth1", 0, "10.0.0.0/24 (RFC 1918)", 0, &nm),
			    "public|NetworkManager: connection \"Home\" in unknown zone libvirt-routed");
}

static void zone_decide__config__name_lists_pattern_in_that_order(void **state)
{
	struct zone_nm nm = { "eth1", "home", "802-3-ethernet", "Home" };

	assert_int_equal(load("zone.eth1 = public\nzone.eth* = lan\nzone.* = public\n"
			      "wan_interfaces = ppp0\nlan_interfaces = auto, eth7, en*\n"), 0);
	assert_string_equal(decide("eth1", 0, NULL, 0, &nm), "public|zone.eth1 in portwarden.conf");
	assert_string_equal(decide("eth2", 0, NULL, 0, &nm), "lan|zone.eth* in portwarden.conf");
	assert_string_equal(decide("ppp0", 0, NULL, 0, NULL), "wan|wan_interfaces (router mode)");
	assert_string_equal(decide("eth7", 0, NULL, 0, NULL), "lan+|lan_interfaces eth7");
	assert_string_equal(decide("enp3s0", 0, NULL, 0, NULL), "lan+|lan_interfaces en*");
	assert_string_equal(decide("docker0", 0, NULL, 0, NULL), "public|zone.* in portwarden.conf");
	assert_string_equal(decide("wlan0", 1, NULL, 0, &nm), "public|zone.* in portwarden.conf");
	/* auto is no line of its own (a second line for eth1 would be
	 * refused: see test_config) */
	assert_int_equal(load("zone.eth1 = auto\nzone.eth* = auto\n"), 0);
	assert_string_equal(decide("eth1", 0, NULL, 0, &nm),
			    "lan|NetworkManager: connection \"Home\" in zone home");
	/* a WAN by zone line is router mode */
	assert_int_equal(load("zone.eth0 = wan\n"), 0);
	assert_int_equal(cfg.nwan_ifaces, 1);
	assert_string_equal(cfg.wan_ifaces[0], "eth0");
	assert_string_equal(decide("eth0", 0, NULL, 0, NULL), "wan|zone.eth0 in portwarden.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zone_bridge_prefix__names__container_and_vm_bridges),
		cmocka_unit_test(zone_of_firewalld__zones__lan_or_public),
		cmocka_unit_test_setup_teardown(zone_decide__auto__from_the_facts, reset, NULL),
		cmocka_unit_test_setup_teardown(zone_decide__network_manager__zone_then_type, reset, NULL),
		cmocka_unit_test_setup_teardown(zone_decide__config__name_lists_pattern_in_that_order, reset, NULL),
	};

	return cmocka_run_group_tests_name("zone", tests, NULL, NULL);
}
