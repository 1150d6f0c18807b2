// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static unsigned load(struct config *cfg, const char *text, char *errs, size_t cap)
{
	FILE *err = fmemopen(errs, cap, "w");
	size_t len = strlen(text);
	char *copy = strdup(text);
	unsigned n;

	assert_non_null(err);
	config_defaults(cfg);
	n = config_load_buf(cfg, "pw.conf", copy, len, err);
	fclose(err);
	free(copy);
	return n;
}

static void config_load__defaults__closed_enforce_queue0(void **state)
{
	struct config cfg;
	char errs[256] = "";

	assert_int_equal(load(&cfg, "", errs, sizeof(errs)), 0);
	assert_int_equal(cfg.queue_num, 0);
	assert_int_equal(cfg.fail_open, 0);
	assert_int_equal(cfg.monitor, 0);
	assert_string_equal(cfg.log_file, "/var/log/portwarden/blocked.log");
	assert_int_equal(cfg.log_rate, 10);
	assert_int_equal(cfg.lan_nets_mode, CONFIG_LAN_AUTO);
	assert_int_equal(cfg.lan_ifaces_mode, CONFIG_LAN_AUTO);
}

static void config_load__lan_modes__auto_list_none(void **state)
{
	struct config cfg;
	char errs[256] = "";

	assert_int_equal(load(&cfg, "lan_networks = none\nlan_interfaces = auto\n", errs,
			      sizeof(errs)), 0);
	assert_int_equal(cfg.lan_nets_mode, CONFIG_LAN_NONE);
	assert_int_equal(cfg.lan_ifaces_mode, CONFIG_LAN_AUTO);
	assert_int_equal(load(&cfg, "lan_interfaces = eth1, br-*\n", errs, sizeof(errs)), 0);
	assert_int_equal(cfg.lan_ifaces_mode, CONFIG_LAN_LIST);
	assert_int_equal(cfg.nlan_ifaces, 2);
	assert_string_equal(cfg.lan_ifaces[1], "br-*");
	/* a second line for the key would silently replace the first */
	assert_int_equal(load(&cfg, "lan_networks = 192.168.1.0/24\nlan_networks = none\n",
			      errs, sizeof(errs)), 1);
}

static void config_load__every_key__parsed(void **state)
{
	struct config cfg;
	char errs[512] = "";
	const char *text =
		"# comment\n"
		"queue = 7\n"
		"fail_mode=open\n"
		"  mode =   monitor  \r\n"
		"lan_interfaces = eth1, br-lan\n"
		"lan_networks = 192.168.1.0/24 fd00::/8, 10.1.2.3\n"
		"wan_interfaces = ppp0\n"
		"log_file = /tmp/x.log\n"
		"log_rate = 50\n"
		"syslog = yes\n";

	assert_int_equal(load(&cfg, text, errs, sizeof(errs)), 0);
	assert_int_equal(cfg.queue_num, 7);
	assert_int_equal(cfg.fail_open, 1);
	assert_int_equal(cfg.monitor, 1);
	assert_int_equal(cfg.nlan_ifaces, 2);
	assert_string_equal(cfg.lan_ifaces[1], "br-lan");
	assert_int_equal(cfg.nlan_nets, 3);
	assert_int_equal(cfg.lan_nets[1].family, AF_INET6);
	assert_int_equal(cfg.lan_nets[1].prefix, 8);
	assert_int_equal(cfg.lan_nets[2].prefix, 32);
	assert_int_equal(cfg.nwan_ifaces, 1);
	assert_string_equal(cfg.log_file, "/tmp/x.log");
	assert_int_equal(cfg.log_rate, 50);
	assert_int_equal(cfg.syslog, 1);
}

static void config_load__bad_values__reported_with_line(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "queue = 70000\n", "pw.conf:1: queue must be a number from 0 to 65535" },
		{ "queue = -1\n", "queue must be" },
		{ "\nfail_mode = maybe\n", "pw.conf:2: fail_mode must be closed or open, not \"maybe\"" },
		{ "mode = enforcing\n", "mode must be enforce or monitor" },
		{ "lan_networks = 192.168.1.0/33\n", "bad network \"192.168.1.0/33\"" },
		{ "lan_networks = example.com\n", "bad network" },
		{ "lan_interfaces = averyveryverylongname\n", "bad interface name" },
		{ "lan_interfaces = b*r\n", "bad interface name \"b*r\"" },
		{ "lan_interfaces = *\n", "bad interface name" },
		{ "wan_interfaces = ppp*\n", "bad interface name" },
		{ "lan_networks = none, 192.168.1.0/24\n", "\"none\" cannot be combined with a list" },
		{ "zone.eth0 = home\n", "pw.conf:1: zone.eth0 must be lan, public, wan or auto, not \"home\"" },
		{ "zone.e*h = lan\n", "bad interface name \"e*h\" in zone.NAME" },
		{ "zone. = lan\n", "bad interface name \"\" in zone.NAME" },
		{ "zone.averyveryverylongname = lan\n", "bad interface name" },
		{ "zone.ppp* = wan\n", "zone.ppp* = wan: name the interface itself" },
		{ "wan_interfaces = eth0\nzone.eth0 = lan\n",
		  "pw.conf:2: zone.eth0 = lan, but wan_interfaces (line 1) names eth0" },
		{ "zone.eth1 = public\nlan_interfaces = eth1\n",
		  "pw.conf:1: zone.eth1 = public, but lan_interfaces (line 2) names eth1" },
		{ "private_networks = 10.0.0.0/33\n", "bad network \"10.0.0.0/33\"" },
		{ "private_networks =\n", "private_networks is empty" },
		{ "lan_interfaces = eth0 none\n", "\"none\" cannot be combined" },
		{ "lan_networks =\n", "lan_networks is empty" },
		{ "log_file = relative.log\n", "log_file must be an absolute path" },
		{ "log_rate = 0\n", "log_rate must be" },
		{ "syslog = perhaps\n", "syslog must be yes or no" },
		{ "colour = blue\n", "pw.conf:1: unknown key \"colour\"" },
		{ "just words\n", "expected \"key = value\"" },
		{ " = 3\n", "missing key" },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		char errs[512] = "";

		if (!load(&cfg, cases[i].text, errs, sizeof(errs)) || !strstr(errs, cases[i].message))
			fail_msg("case %u: want \"%s\", got \"%s\"", i, cases[i].message, errs);
	}
}

static void config_load__auto_with_a_list__adds_to_auto(void **state)
{
	struct config cfg;
	char errs[256] = "";

	assert_int_equal(load(&cfg, "lan_networks = auto, 192.0.2.0/24 2001:db8::/32\n"
			      "lan_interfaces = auto, eth7\n", errs, sizeof(errs)), 0);
	assert_int_equal(cfg.lan_nets_mode, CONFIG_LAN_AUTO);
	assert_int_equal(cfg.nlan_nets, 2);
	assert_int_equal(cfg.lan_nets[1].family, AF_INET6);
	assert_int_equal(cfg.lan_ifaces_mode, CONFIG_LAN_AUTO);
	assert_int_equal(cfg.nlan_ifaces, 1);
	assert_string_equal(cfg.lan_ifaces[0], "eth7");
}

static void config_load__zones_and_private_networks__parsed(void **state)
{
	struct config cfg;
	char errs[256] = "";
	const struct config_zone *z;

	/* the defaults: RFC 1918 and fc00::/7 */
	assert_int_equal(load(&cfg, "", errs, sizeof(errs)), 0);
	assert_int_equal(cfg.nprivate_nets, 4);
	assert_int_equal(config_private_index(&cfg, AF_INET, (const uint8_t[]){ 172, 20, 1, 1 }), 1);
	assert_int_equal(config_private_index(&cfg, AF_INET, (const uint8_t[]){ 192, 0, 2, 1 }), -1);
	assert_int_equal(load(&cfg, "private_networks = 192.0.2.0/24, 2001:db8::/32\n"
			      "zone.wlan* = public\nzone.eth1 = public\n"
			      "zone.* = lan\nzone.ppp0 = wan\nzone.gone = auto\n",
			      errs, sizeof(errs)), 0);
	assert_int_equal(cfg.nprivate_nets, 2);
	assert_int_equal(config_private_index(&cfg, AF_INET, (const uint8_t[]){ 192, 0, 2, 1 }), 0);
	assert_int_equal(config_private_index(&cfg, AF_INET, (const uint8_t[]){ 10, 0, 0, 1 }), -1);
	assert_int_equal(cfg.nzones, 4);
	z = config_zone_of(&cfg, "eth1");
	assert_int_equal(z->zone, ZONE_PUBLIC);
	assert_int_equal(z->line, 3);
	assert_string_equal(config_zone_of(&cfg, "wlan0")->name, "wlan*");
	assert_string_equal(config_zone_of(&cfg, "wl")->name, "*");
	/* zone.gone = auto is no line of its own: "*" applies */
	assert_string_equal(config_zone_of(&cfg, "gone")->name, "*");
	/* zone.ppp0 = wan: router mode */
	assert_int_equal(cfg.nwan_ifaces, 1);
	assert_string_equal(cfg.wan_ifaces[0], "ppp0");
	assert_int_equal(load(&cfg, "private_networks = none\n", errs, sizeof(errs)), 0);
	assert_int_equal(cfg.nprivate_nets, 0);
}

static void config_load__key_twice__refused_naming_both_lines(void **state)
{
	struct config cfg;
	char errs[256] = "";

	assert_int_equal(load(&cfg, "queue = 1\n# a comment\nqueue = 2\nmode = monitor\n", errs,
			      sizeof(errs)), 1);
	assert_string_equal(errs, "pw.conf:3: queue is given twice (first on line 1); keep one\n");
	assert_int_equal(cfg.queue_num, 1);	/* the first stays; the file is refused anyway */
	/* an interface's zone too: which of the two was meant cannot be told */
	errs[0] = '\0';
	assert_int_equal(load(&cfg, "zone.eth1 = lan\nzone.eth1 = public\n", errs, sizeof(errs)), 1);
	assert_string_equal(errs, "pw.conf:2: zone.eth1 is given twice (first on line 1); keep one\n");
}

static void config_net_contains__prefixes__match_exactly(void **state)
{
	struct config_net net;
	uint8_t a[16];

	assert_int_equal(config_parse_net("192.168.1.77/25", &net), 0);
	inet_pton(AF_INET, "192.168.1.5", a);
	assert_true(config_net_contains(&net, AF_INET, a));
	inet_pton(AF_INET, "192.168.1.200", a);
	assert_false(config_net_contains(&net, AF_INET, a));
	assert_int_equal(config_parse_net("fd00::/8", &net), 0);
	inet_pton(AF_INET6, "fdab::1", a);
	assert_true(config_net_contains(&net, AF_INET6, a));
	inet_pton(AF_INET6, "fe80::1", a);
	assert_false(config_net_contains(&net, AF_INET6, a));
	assert_false(config_net_contains(&net, AF_INET, a));
	assert_int_equal(config_parse_net("0.0.0.0/0", &net), 0);
	inet_pton(AF_INET, "8.8.8.8", a);
	assert_true(config_net_contains(&net, AF_INET, a));
	assert_int_not_equal(config_parse_net("1.2.3.4/", &net), 0);
	assert_int_not_equal(config_parse_net("/24", &net), 0);
}

static void config_load_file__missing_optional__no_error(void **state)
{
	struct config cfg;
	char errs[256] = "";
	FILE *err = fmemopen(errs, sizeof(errs), "w");

	config_defaults(&cfg);
	assert_int_equal(config_load_file(&cfg, "/nonexistent/pw.conf", 1, err), 0);
	assert_int_equal(config_load_file(&cfg, "/nonexistent/pw.conf", 0, err), 1);
	fclose(err);
	assert_non_null(strstr(errs, "/nonexistent/pw.conf: cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_load__defaults__closed_enforce_queue0),
		cmocka_unit_test(config_load__every_key__parsed),
		cmocka_unit_test(config_load__lan_modes__auto_list_none),
		cmocka_unit_test(config_load__bad_values__reported_with_line),
		cmocka_unit_test(config_load__auto_with_a_list__adds_to_auto),
		cmocka_unit_test(config_load__zones_and_private_networks__parsed),
		cmocka_unit_test(config_load__key_twice__refused_naming_both_lines),
		cmocka_unit_test(config_net_contains__prefixes__match_exactly),
		cmocka_unit_test(config_load_file__missing_optional__no_error),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
