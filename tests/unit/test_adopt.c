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

#include "adopt.h"
#include "testdb.h"

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

static struct policy_db *db;
static struct lan lan;

static int setup(void **state)
{
	static struct lan_host host;
	struct config cfg;

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
	db = testdb_from("local.rules", "143/tcp imap loopback-only\n"
					"9100/tcp jetdirect lan-only\n"
					"161/udp snmp lan-only\n\tfrom 198.51.100.0/24\n"
					"80/tcp http open\n");
	return db ? 0 : -1;
}

static int teardown(void **state)
{
	policy_db_free(db);
	return 0;
}

static void add(struct adopt_clients *c, const char *src, uint8_t proto, uint16_t port,
		unsigned connected, unsigned long attempts)
{
	int family = strchr(src, ':') ? AF_INET6 : AF_INET;
	uint8_t addr[16] = { 0 };

	assert_int_equal(inet_pton(family, src, addr), 1);
	assert_int_equal(adopt_clients_add(c, family, addr, proto, port, connected, attempts), 0);
}

static const struct adopt_port *port_in(const struct adopt_port *p, unsigned n, uint8_t proto,
					uint16_t port)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (p[i].proto == proto && p[i].port == port)
			return &p[i];
	return NULL;
}

static const char *net(const struct adopt_port *p, unsigned i)
{
	static char text[8][64];

	assert_true(i < p->nnets);
	policy_net_text(&p->nets[i], text[i % 8], sizeof(text[0]));
	return text[i % 8];
}

/* Each client's /24 or /64, exactly the networks seen; the host itself,
 * the LAN of a lan-only port and listed sources need nothing. */
static void adopt_plan__clients__their_networks_and_nothing_more(void **state)
{
	struct adopt_clients c = { 0 };
	struct adopt_port *ports;
	const struct adopt_port *p;
	unsigned n;

	add(&c, "127.0.0.1", IPPROTO_TCP, 143, 1, 0);		/* the host itself */
	add(&c, "192.0.2.7", IPPROTO_TCP, 143, 1, 0);		/* LAN, loopback-only port */
	add(&c, "203.0.113.9", IPPROTO_TCP, 9100, 0, 5);	/* periodic, in the window */
	add(&c, "203.0.113.10", IPPROTO_TCP, 9100, 1, 0);	/* same /24 */
	add(&c, "2001:db8:5:1::9", IPPROTO_TCP, 9100, 1, 0);
	add(&c, "192.0.2.8", IPPROTO_TCP, 9100, 3, 0);		/* LAN, lan-only port */
	add(&c, "198.51.100.200", IPPROTO_TCP, 9100, 0, 1);	/* one probe */
	add(&c, "198.51.100.7", IPPROTO_UDP, 161, 0, 9);	/* listed already */
	add(&c, "203.0.113.50", IPPROTO_UDP, 161, 0, 1);	/* one datagram... */
	add(&c, "203.0.113.50", IPPROTO_UDP, 161, 0, 1);	/* ...and another */
	add(&c, "203.0.113.9", IPPROTO_TCP, 80, 1, 0);		/* open port */
	assert_int_equal(adopt_plan(&c, db, &lan, 0, &ports, &n), 0);
	assert_int_equal(n, 3);
	p = port_in(ports, n, IPPROTO_TCP, 143);
	assert_non_null(p);
	assert_int_equal(p->outcome, ADOPT_SOURCES);
	assert_int_equal(p->nnets, 1);
	assert_string_equal(net(p, 0), "192.0.2.0/24");
	p = port_in(ports, n, IPPROTO_TCP, 9100);
	assert_int_equal(p->outcome, ADOPT_SOURCES);
	assert_int_equal(p->kept, 3);
	assert_int_equal(p->once, 1);
	assert_int_equal(p->nnets, 2);
	assert_string_equal(net(p, 0), "203.0.113.0/24");
	assert_string_equal(net(p, 1), "2001:db8:5:1::/64");
	p = port_in(ports, n, IPPROTO_UDP, 161);
	assert_int_equal(p->outcome, ADOPT_SOURCES);
	assert_int_equal(p->nnets, 1);
	assert_string_equal(net(p, 0), "203.0.113.0/24");
	assert_null(port_in(ports, n, IPPROTO_TCP, 80));
	assert_int_equal(c.v[0].fate, ADOPT_IGNORED);
	assert_int_equal(c.v[5].fate, ADOPT_ADMITTED);
	assert_int_equal(c.v[6].fate, ADOPT_ONCE);
	assert_int_equal(c.v[7].fate, ADOPT_ADMITTED);
	free(ports);
	/* asked for: open instead */
	assert_int_equal(adopt_plan(&c, db, &lan, 1, &ports, &n), 0);
	assert_int_equal(port_in(ports, n, IPPROTO_TCP, 9100)->outcome, ADOPT_OPEN);
	free(ports);
	adopt_clients_free(&c);
}

/* A link-local client is the same address on every link: it is admitted
 * where a lan interface's own link-local subnet holds it, and never
 * becomes a from line (fe80::/64 would admit it on public links too) */
static void adopt_plan__link_local_client__never_a_from_line(void **state)
{
	struct adopt_clients c = { 0 };
	struct adopt_port *ports;
	const struct adopt_port *p;
	unsigned n;

	add(&c, "fe80::5", IPPROTO_TCP, 9100, 2, 0);		/* lan-only port */
	add(&c, "169.254.7.7", IPPROTO_TCP, 143, 1, 0);		/* loopback-only port */
	add(&c, "203.0.113.9", IPPROTO_TCP, 9100, 1, 0);
	assert_int_equal(adopt_plan(&c, db, &lan, 0, &ports, &n), 0);
	assert_int_equal(c.v[0].fate, ADOPT_LINK_SCOPE);
	assert_int_equal(c.v[1].fate, ADOPT_LINK_SCOPE);
	p = port_in(ports, n, IPPROTO_TCP, 9100);
	assert_non_null(p);
	assert_int_equal(p->outcome, ADOPT_SOURCES);
	assert_int_equal(p->nnets, 1);
	assert_string_equal(net(p, 0), "203.0.113.0/24");
	assert_int_equal(p->linkscope, 1);
	p = port_in(ports, n, IPPROTO_TCP, 143);
	assert_non_null(p);
	assert_int_equal(p->outcome, ADOPT_NOTHING);
	assert_int_equal(p->linkscope, 1);
	free(ports);
	adopt_clients_free(&c);
}

/* One attempt each from many networks is a scan; a port used from more
 * networks than a site has is the Internet: nothing written. */
static void adopt_plan__the_internet__left_guarded(void **state)
{
	struct adopt_clients c = { 0 };
	struct adopt_port *ports;
	char src[32];
	unsigned i, n;

	for (i = 0; i <= ADOPT_NETS_MAX; i++) {
		snprintf(src, sizeof(src), "198.51.%u.9", i);
		add(&c, src, IPPROTO_TCP, 9100, 1, 0);
		snprintf(src, sizeof(src), "203.0.%u.9", i);
		add(&c, src, IPPROTO_TCP, 143, 0, 1);
	}
	assert_int_equal(adopt_plan(&c, db, &lan, 0, &ports, &n), 0);
	assert_int_equal(port_in(ports, n, IPPROTO_TCP, 9100)->outcome, ADOPT_TOO_MANY);
	assert_int_equal(port_in(ports, n, IPPROTO_TCP, 9100)->networks_seen, ADOPT_NETS_MAX + 1);
	assert_int_equal(port_in(ports, n, IPPROTO_TCP, 143)->outcome, ADOPT_NOTHING);
	assert_int_equal(port_in(ports, n, IPPROTO_TCP, 143)->once, ADOPT_NETS_MAX + 1);
	free(ports);
	adopt_clients_free(&c);
}

/* a port a public server holds is open while it does: nothing to keep */
static void adopt_plan__served_port__clients_ignored(void **state)
{
	struct adopt_clients c = { 0 };
	struct adopt_port *ports;
	unsigned n;

	add(&c, "203.0.113.9", IPPROTO_TCP, 143, 1, 0);
	c.v[0].served = 1;
	assert_int_equal(adopt_plan(&c, db, &lan, 0, &ports, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(c.v[0].fate, ADOPT_IGNORED);
	free(ports);
	adopt_clients_free(&c);
}

static void adopt_clients_add__same_client__merged_and_bounded(void **state)
{
	struct adopt_clients c = { 0 };
	uint8_t addr[16] = { 203, 0, 113 };
	unsigned i;

	for (i = 0; i < ADOPT_CLIENTS_MAX + 10; i++) {
		addr[3] = (uint8_t)i;
		addr[2] = (uint8_t)(i >> 8);
		addr[1] = (uint8_t)(i >> 16);
		assert_int_equal(adopt_clients_add(&c, AF_INET, addr, IPPROTO_UDP, 161, 0, 1), 0);
	}
	assert_int_equal(c.n, ADOPT_CLIENTS_MAX);
	assert_int_equal(c.dropped, 10);
	addr[1] = 0, addr[2] = 0, addr[3] = 5;
	assert_int_equal(adopt_clients_add(&c, AF_INET, addr, IPPROTO_UDP, 161, 2, 3), 0);
	assert_int_equal(c.n, ADOPT_CLIENTS_MAX);
	assert_int_equal(c.v[5].connected, 2);
	assert_int_equal(c.v[5].attempts, 4);
	adopt_clients_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adopt_parse_proc_tcp__established_v4__addresses_in_network_order),
		cmocka_unit_test(adopt_parse_proc_tcp__v4_client_of_dual_stack_socket__read_as_ipv4),
		cmocka_unit_test(adopt_parse_proc_tcp__heading_listen_and_garbage__not_counted),
		cmocka_unit_test(adopt_plan__clients__their_networks_and_nothing_more),
		cmocka_unit_test(adopt_plan__link_local_client__never_a_from_line),
		cmocka_unit_test(adopt_plan__the_internet__left_guarded),
		cmocka_unit_test(adopt_plan__served_port__clients_ignored),
		cmocka_unit_test(adopt_clients_add__same_client__merged_and_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
