// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "adopt.h"

/* A line as this machine's kernel would print it: each address as one
 * 32-bit word in host order. */
static void proc_line(char *buf, size_t cap, const char *local, unsigned lport, const char *remote,
		      unsigned rport, unsigned state)
{
	uint32_t l, r;

	inet_pton(AF_INET, local, &l);
	inet_pton(AF_INET, remote, &r);
	snprintf(buf, cap, "   3: %08X:%04X %08X:%04X %02X 00000000:00000000 00:00000000 00000000"
		 "     0        0 4242 1 0000000000000000 20 4 30 10 -1\n", l, lport, r, rport, state);
}

static void adopt_parse_proc_tcp__established_v4__addresses_in_network_order(void **state)
{
	struct adopt_conn c;
	char line[256], a[INET_ADDRSTRLEN];

	proc_line(line, sizeof(line), "198.51.100.1", 143, "203.0.113.9", 40000, 1);
	assert_int_equal(adopt_parse_proc_tcp(line, 0, &c), 1);
	assert_int_equal(c.lport, 143);
	assert_int_equal(c.rport, 40000);
	assert_string_equal(inet_ntop(AF_INET, c.local, a, sizeof(a)), "198.51.100.1");
	assert_string_equal(inet_ntop(AF_INET, c.remote, a, sizeof(a)), "203.0.113.9");
	proc_line(line, sizeof(line), "198.51.100.1", 143, "203.0.113.9", 40000, 6);
	assert_int_equal(adopt_parse_proc_tcp(line, 0, &c), 0);	/* TIME_WAIT */
}

static void adopt_parse_proc_tcp__v4_client_of_dual_stack_socket__read_as_ipv4(void **state)
{
	/* ::ffff:198.51.100.1 <- ::ffff:192.0.2.7, words in host order */
	uint8_t local[16] = { [10] = 0xff, [11] = 0xff, 198, 51, 100, 1 };
	uint8_t remote[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 7 };
	uint32_t lw[4], rw[4];
	struct adopt_conn c;
	char line[256], a[INET_ADDRSTRLEN];

	memcpy(lw, local, 16);
	memcpy(rw, remote, 16);
	snprintf(line, sizeof(line), "  0: %08X%08X%08X%08X:008F %08X%08X%08X%08X:C350 01 0\n",
		 lw[0], lw[1], lw[2], lw[3], rw[0], rw[1], rw[2], rw[3]);
	assert_int_equal(adopt_parse_proc_tcp(line, 1, &c), 1);
	assert_int_equal(c.family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, c.remote, a, sizeof(a)), "192.0.2.7");
	assert_string_equal(inet_ntop(AF_INET, c.local, a, sizeof(a)), "198.51.100.1");
}

static void adopt_parse_proc_tcp__heading_listen_and_garbage__not_counted(void **state)
{
	struct adopt_conn c;

	assert_int_equal(adopt_parse_proc_tcp("  sl  local_address rem_address   st\n", 0, &c), 0);
	assert_int_equal(adopt_parse_proc_tcp("   0: 00000000:07E8 00000000:0000 0A 0\n", 0, &c), 0);
	assert_int_equal(adopt_parse_proc_tcp("   0: 0000000G:07E8 00000000:0000 01 0\n", 0, &c), -1);
	assert_int_equal(adopt_parse_proc_tcp("   0: 00000000:07E8", 0, &c), -1);
	assert_int_equal(adopt_parse_proc_tcp("", 0, &c), -1);
	assert_int_equal(adopt_parse_proc_tcp("   0: 00000000:07E8 00000000:0000 01 0\n", 1, &c), -1);
}

static struct adopt_conn conn(const char *remote, uint16_t lport)
{
	struct adopt_conn c = { .lport = lport, .rport = 50000 };

	c.family = strchr(remote, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, remote, c.remote);
	return c;
}

static void adopt_decide__clients_by_origin__least_opening_that_keeps_them(void **state)
{
	static struct lan_host host;
	static struct lan lan;
	struct config cfg;
	struct adopt_conn conns[4];
	unsigned clients;
	int ex;

	config_defaults(&cfg);
	cfg.lan_nets_mode = CONFIG_LAN_LIST;
	assert_int_equal(config_parse_net("192.0.2.0/24", &cfg.lan_nets[0]), 0);
	cfg.nlan_nets = 1;
	/* lan_networks arrive on a lan interface */
	snprintf(lanhost_add(&host, 2)->name, IFNAMSIZ, "eth1");
	cfg.nzones = 1;
	snprintf(cfg.zones[0].name, IFNAMSIZ, "eth1");
	cfg.zones[0].zone = ZONE_LAN;
	lan_compute(&host, &cfg, &lan);
	conns[0] = conn("127.0.0.1", 143);	/* the host itself: never cut */
	conns[1] = conn("192.0.2.7", 143);	/* the LAN */
	assert_int_equal(adopt_decide(conns, 2, 143, POLICY_LOOPBACK_ONLY, &lan, &ex, &clients),
			 ADOPT_LAN);
	assert_int_equal(ex, 1);
	assert_int_equal(adopt_decide(conns, 2, 143, POLICY_LAN_ONLY, &lan, &ex, &clients), ADOPT_NONE);
	conns[2] = conn("2001:db8:300::5", 143);	/* outside the LAN */
	assert_int_equal(adopt_decide(conns, 3, 143, POLICY_LAN_ONLY, &lan, &ex, &clients), ADOPT_OPEN);
	assert_int_equal(ex, 2);
	assert_int_equal(clients, 1);
	conns[3] = conn("fe80::1", 143);		/* link-local: the LAN */
	assert_int_equal(adopt_decide(conns + 3, 1, 143, POLICY_LAN_ONLY, &lan, &ex, &clients),
			 ADOPT_NONE);
	/* other ports' clients do not count */
	assert_int_equal(adopt_decide(conns, 3, 110, POLICY_LOOPBACK_ONLY, &lan, &ex, &clients),
			 ADOPT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adopt_parse_proc_tcp__established_v4__addresses_in_network_order),
		cmocka_unit_test(adopt_parse_proc_tcp__v4_client_of_dual_stack_socket__read_as_ipv4),
		cmocka_unit_test(adopt_parse_proc_tcp__heading_listen_and_garbage__not_counted),
		cmocka_unit_test(adopt_decide__clients_by_origin__least_opening_that_keeps_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
