// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "testdb.h"

static struct policy_db *db;

static int setup(void **state)
{
	char text[] = "143/tcp imap loopback-only\n\tserved-by /usr/sbin/dovecot\n"
		      "445/tcp microsoft-ds lan-only\n"
		      "5353/udp mdns lan-only\n80/tcp http open\n"
		      "9229/tcp node-inspector loopback-only\n\tprogram node\n\toption --inspect\n"
		      "7860/tcp gradio lan-only\n\tprogram gradio\n";

	db = testdb_from("t", text);
	return db ? 0 : -1;
}

static int teardown(void **state)
{
	policy_db_free(db);
	return 0;
}

static struct packet_info pkt(int family, const char *src, uint8_t proto, uint16_t dport)
{
	struct packet_info p = { .family = family, .proto = proto, .has_ports = 1,
				 .sport = 40000, .dport = dport };

	inet_pton(family, src, p.saddr);
	inet_pton(family, family == AF_INET ? "192.168.1.23" : "fd00:1::23", p.daddr);
	return p;
}

static void decide__table__expected_verdicts(void **state)
{
	struct config cfg, mon;
	static const struct {
		int family;
		const char *src, *iif;
		uint8_t proto;
		uint16_t port;
		int monitor;
		enum verdict want;
	} cases[] = {
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_TCP, 143, 0, VERDICT_BLOCK },
		{ AF_INET6, "2001:db8::9", "eth0", IPPROTO_TCP, 143, 0, VERDICT_BLOCK },
		{ AF_INET, "127.0.0.1", "lo", IPPROTO_TCP, 143, 0, VERDICT_ACCEPT },
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_TCP, 80, 0, VERDICT_ACCEPT },
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_TCP, 8081, 0, VERDICT_ACCEPT },
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_UDP, 143, 0, VERDICT_ACCEPT },
		{ AF_INET, "192.168.1.20", "wlan0", IPPROTO_TCP, 143, 0, VERDICT_BLOCK },
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_TCP, 445, 0, VERDICT_BLOCK },
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_TCP, 143, 1, VERDICT_WOULD_BLOCK },
		{ AF_INET, "203.0.113.9", "eth0", IPPROTO_TCP, 445, 1, VERDICT_WOULD_BLOCK },
		{ AF_INET, "127.0.0.1", "lo", IPPROTO_TCP, 143, 1, VERDICT_ACCEPT },
	};
	unsigned i;

	config_defaults(&cfg);
	mon = cfg;
	mon.monitor = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct packet_info p = pkt(cases[i].family, cases[i].src, cases[i].proto, cases[i].port);
		struct decision d = decide(&p, cases[i].iif, db, cases[i].monitor ? &mon : &cfg, NULL);

		if (d.verdict != cases[i].want)
			fail_msg("case %u: %s -> %u: verdict %d, want %d", i, cases[i].src,
				 cases[i].port, d.verdict, cases[i].want);
	}
}

/* The table's chain lan accepted every LAN source of a lan-only port
 * before the queue: whatever reaches the worker failed it there, so no
 * source, interface or destination makes the worker accept it (it used to
 * take link-local sources and broadcast or multicast destinations for the
 * LAN, without the table's reverse-path and zone checks). */
static void decide__lan_only__blocked_whatever_the_source(void **state)
{
	static const struct {
		int family;
		const char *src, *dst, *iif;
	} cases[] = {
		{ AF_INET6, "fe80::9", NULL, "eth0" },
		{ AF_INET6, "fe80::9", NULL, "wlan0" },
		{ AF_INET, "169.254.1.1", NULL, "eth0" },
		{ AF_INET, "203.0.113.77", "255.255.255.255", "eth0" },
		{ AF_INET, "203.0.113.77", "224.0.0.251", "eth0" },
		{ AF_INET6, "2001:db8::77", "ff02::1", "eth0" },
		{ AF_INET, "192.168.1.20", NULL, "wlan0" },
		{ AF_INET, "203.0.113.9", NULL, "docker0" },
		{ AF_INET6, "fd00:1::5", NULL, "wlan0" },
	};
	struct config cfg;
	unsigned i;

	config_defaults(&cfg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct packet_info p = pkt(cases[i].family, cases[i].src, IPPROTO_UDP, 5353);
		struct decision d;

		if (cases[i].dst)
			inet_pton(cases[i].family, cases[i].dst, p.daddr);
		d = decide(&p, cases[i].iif, db, &cfg, NULL);
		if (d.verdict != VERDICT_BLOCK || d.kind != POLICY_LAN_ONLY)
			fail_msg("case %u: %s -> %s on %s: verdict %d, want blocked", i, cases[i].src,
				 cases[i].dst ? cases[i].dst : "this host", cases[i].iif, d.verdict);
		p.proto = IPPROTO_TCP;
		p.dport = 445;
		if (decide(&p, cases[i].iif, db, &cfg, NULL).verdict != VERDICT_BLOCK)
			fail_msg("case %u: tcp 445 not blocked", i);
	}
}

static void decide__blocked__carries_entry_and_kind(void **state)
{
	struct config cfg;
	struct packet_info p = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 143);
	struct decision d;

	config_defaults(&cfg);
	d = decide(&p, "eth0", db, &cfg, NULL);
	assert_int_equal(d.kind, POLICY_LOOPBACK_ONLY);
	assert_non_null(d.entry);
	assert_string_equal(d.entry->service, "imap");
}

static void decide__no_ports__accepted(void **state)
{
	struct config cfg;
	struct packet_info p = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 143);
	struct decision d;

	config_defaults(&cfg);
	p.has_ports = 0;
	d = decide(&p, "eth0", db, &cfg, NULL);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	p = pkt(AF_INET, "203.0.113.9", IPPROTO_ICMP, 143);
	d = decide(&p, "eth0", db, &cfg, NULL);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
}

static const struct policy_entry *entry_of(uint16_t port)
{
	return policy_lookup(db, IPPROTO_TCP, port);
}

static void decide__served_port__accepted_in_both_modes(void **state)
{
	struct listenpolicy_port served = { .proto = IPPROTO_TCP, .port = 143, .who = "/usr/sbin/dovecot" };
	struct packet_info p = pkt(AF_INET6, "2001:db8::9", IPPROTO_TCP, 143);
	struct config cfg;
	struct decision d;

	config_defaults(&cfg);
	served.served = entry_of(143);
	d = decide(&p, "eth0", db, &cfg, &served);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	assert_true(d.served);
	cfg.monitor = 1;
	d = decide(&p, "eth0", db, &cfg, &served);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	assert_true(d.served);
}

static void decide__listener_not_served__blocked(void **state)
{
	/* facts of the port exist, but nothing says served (a proxy holds it) */
	struct listenpolicy_port other = { .proto = IPPROTO_TCP, .port = 143, .who = "socat[12]" };
	struct packet_info p = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 143);
	struct config cfg;
	struct decision d;

	config_defaults(&cfg);
	d = decide(&p, "eth0", db, &cfg, &other);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_false(d.served);
	/* served facts of another entry do not open this one */
	other.served = entry_of(445);
	d = decide(&p, "eth0", db, &cfg, &other);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
}

static void decide__dangerous_software__guarded_on_its_port(void **state)
{
	struct listenpolicy_port node = { .proto = IPPROTO_TCP, .port = 9230, .who = "node[7]" };
	struct packet_info p = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 9230);
	struct config cfg;
	struct decision d;

	config_defaults(&cfg);
	d = decide(&p, "eth0", db, &cfg, NULL);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	node.guard = entry_of(9229);
	d = decide(&p, "eth0", db, &cfg, &node);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_string_equal(d.entry->service, "node-inspector");
	d = decide(&p, "lo", db, &cfg, &node);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	/* a lan-only program's entry: the table lets the LAN in before the
	 * queue, the rest is blocked */
	node.port = 9231;
	node.guard = entry_of(7860);
	p.dport = 9231;
	d = decide(&p, "eth0", db, &cfg, &node);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_int_equal(d.kind, POLICY_LAN_ONLY);
}

static void decide__listener_line__its_policy_decides(void **state)
{
	struct listenpolicy_port facts = { .proto = IPPROTO_TCP, .who = "grafana[7]" };
	struct packet_info out = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 143);
	struct packet_info in = pkt(AF_INET, "192.168.1.20", IPPROTO_TCP, 143);
	struct config cfg;
	struct decision d;

	config_defaults(&cfg);
	/* a loopback-only port its listener makes lan-only: the table's
	 * chain lan lets the LAN in before the queue, the worker blocks the
	 * rest whatever the source */
	facts.port = 143;
	facts.ruled = entry_of(143);
	facts.kind = POLICY_LAN_ONLY;
	d = decide(&in, "wlan0", db, &cfg, &facts);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_int_equal(d.kind, POLICY_LAN_ONLY);
	d = decide(&out, "eth0", db, &cfg, &facts);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_int_equal(d.kind, POLICY_LAN_ONLY);
	/* without the facts the entry's own policy: the LAN is refused too */
	d = decide(&in, "wlan0", db, &cfg, NULL);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_int_equal(d.kind, POLICY_LOOPBACK_ONLY);
	/* a lan-only port its listener makes loopback-only */
	facts.port = 445;
	facts.ruled = entry_of(445);
	facts.kind = POLICY_LOOPBACK_ONLY;
	in.dport = 445;
	d = decide(&in, "wlan0", db, &cfg, &facts);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_int_equal(d.kind, POLICY_LOOPBACK_ONLY);
	d = decide(&in, "lo", db, &cfg, &facts);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	/* an open port its listener guards */
	facts.port = 80;
	facts.ruled = entry_of(80);
	facts.kind = POLICY_LAN_ONLY;
	out.dport = 80;
	d = decide(&out, "eth0", db, &cfg, &facts);
	assert_int_equal(d.verdict, VERDICT_BLOCK);
	assert_string_equal(d.entry->service, "http");
	/* facts of another entry change nothing */
	facts.ruled = entry_of(445);
	d = decide(&out, "eth0", db, &cfg, &facts);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
}

static void decide__guard_never_loosens_an_entry(void **state)
{
	/* 445 is lan-only by its own entry; a loopback-only program on it
	 * does not replace the port's own entry */
	struct listenpolicy_port node = { .proto = IPPROTO_TCP, .port = 445, .who = "node[7]" };
	struct packet_info p = pkt(AF_INET, "192.168.1.20", IPPROTO_TCP, 445);
	struct config cfg;
	struct decision d;

	config_defaults(&cfg);
	node.guard = entry_of(9229);
	d = decide(&p, "wlan0", db, &cfg, &node);
	assert_string_equal(d.entry->service, "microsoft-ds");
	assert_int_equal(d.kind, POLICY_LAN_ONLY);
}

/* An adoption window: lan-only ports log their outside clients, let them
 * through; loopback-only ports are enforced all the same. */
static void decide__adoption_window__lan_only_would_block_loopback_only_blocked(void **state)
{
	struct packet_info lan_only = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 445);
	struct packet_info loopback_only = pkt(AF_INET, "203.0.113.9", IPPROTO_TCP, 143);
	struct config cfg;

	config_defaults(&cfg);
	cfg.learning = 1;
	assert_int_equal(decide(&lan_only, "eth0", db, &cfg, NULL).verdict,
			 VERDICT_WOULD_BLOCK);
	assert_int_equal(decide(&loopback_only, "eth0", db, &cfg, NULL).verdict,
			 VERDICT_BLOCK);
	cfg.learning = 0;
	assert_int_equal(decide(&lan_only, "eth0", db, &cfg, NULL).verdict, VERDICT_BLOCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decide__adoption_window__lan_only_would_block_loopback_only_blocked),
		cmocka_unit_test(decide__table__expected_verdicts),
		cmocka_unit_test(decide__lan_only__blocked_whatever_the_source),
		cmocka_unit_test(decide__blocked__carries_entry_and_kind),
		cmocka_unit_test(decide__no_ports__accepted),
		cmocka_unit_test(decide__served_port__accepted_in_both_modes),
		cmocka_unit_test(decide__listener_not_served__blocked),
		cmocka_unit_test(decide__dangerous_software__guarded_on_its_port),
		cmocka_unit_test(decide__listener_line__its_policy_decides),
		cmocka_unit_test(decide__guard_never_loosens_an_entry),
	};

	return cmocka_run_group_tests_name("decide", tests, setup, teardown);
}
