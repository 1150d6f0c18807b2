// SPDX-License-Identifier: GPL-2.0-or-later
/* The status of a published port: what an outsider reaches through a DNAT
 * rule, judged by the port the client connects to. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "auditnat.h"
#include "testdb.h"

static const char db_text[] =
	"6379/tcp redis loopback-only\n"
	"11211/both memcached loopback-only\n"
	"32400/tcp plex lan-only\n"
	"80/tcp http open\n";

static struct policy_db *make_db(void)
{
	struct policy_db *db = testdb_from("ports.db", db_text);

	assert_non_null(db);
	return db;
}

/* the kernel stops outside connections to every guarded port but these */
struct holes {
	uint8_t proto;
	uint16_t port;
};

static int enforced(const void *ctx, uint8_t proto, uint16_t port)
{
	const struct holes *h = ctx;

	return !(h && h->proto == proto && h->port == port);
}

/* the host's one address: 198.51.100.1 */
static int host_has(const void *ctx, int family, const uint8_t *addr)
{
	static const uint8_t mine[4] = { 198, 51, 100, 1 };

	return family == AF_INET && !memcmp(addr, mine, 4);
}

static void classify(const struct natscan_entry *e, const struct policy_db *db,
		     const struct holes *h, struct auditnat_row *r)
{
	const struct auditnat_facts f = { enforced, h, host_has, NULL, 0 };

	auditnat_classify(e, db, &f, r);
}

/* the same with a table that has chain routed */
static void classify_routed(const struct natscan_entry *e, const struct policy_db *db,
			    const struct holes *h, struct auditnat_row *r)
{
	const struct auditnat_facts f = { enforced, h, host_has, NULL, 1 };

	auditnat_classify(e, db, &f, r);
}

static struct natscan_entry published(uint8_t proto, uint16_t lo, uint16_t hi)
{
	struct natscan_entry e = { .family = AF_INET, .proto = proto, .port_lo = lo, .port_hi = hi,
				   .to_addr = { 203, 0, 113, 2 } };

	return e;
}

static void auditnat_classify__guarded_and_enforced__protected(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 6379, 6379);
	struct auditnat_row r;

	classify(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	assert_int_equal(r.kind, POLICY_LOOPBACK_ONLY);
	assert_string_equal(r.entry->service, "redis");
	policy_db_free(db);
}

static void auditnat_classify__guarded_not_enforced__exposed(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 6379, 6379);
	const struct holes h = { IPPROTO_TCP, 6379 };
	struct auditnat_row r;

	classify(&e, db, &h, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_true(r.why[0] != '\0');
	policy_db_free(db);
}

static void auditnat_classify__open_port__open(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 80, 80);
	struct auditnat_row r;

	classify(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_OPEN);
	assert_int_equal(r.kind, POLICY_OPEN);
	policy_db_free(db);
}

static void auditnat_classify__loopback_address__local_only(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 6379, 6379);
	const struct holes h = { IPPROTO_TCP, 6379 };
	struct auditnat_row r;

	e.daddr_prefix = 32;
	e.daddr[0] = 127;
	e.daddr[3] = 1;
	classify(&e, db, &h, &r);
	assert_int_equal(r.status, AUDIT_LOCAL_ONLY);
	policy_db_free(db);
}

static void auditnat_classify__range_and_both_protocols__worst_port_decides(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(0, 11000, 11300);
	const struct holes h = { IPPROTO_UDP, 11211 };
	struct auditnat_row r;

	/* tcp 11211 is enforced, udp 11211 is not */
	classify(&e, db, &h, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_string_equal(r.entry->service, "memcached");
	classify(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	/* the same range of TCP only, with a hole on UDP: protected */
	e.proto = IPPROTO_TCP;
	classify(&e, db, &h, &r);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	policy_db_free(db);
}

/* kube-proxy: KUBE-NODEPORTS leads NodePort 30432 to Postgres pods; the
 * table decides 30432, which no entry guards: the Internet reaches 5432 */
static void auditnat_classify__nodeport_to_guarded_service__exposed(void **state)
{
	struct policy_db *db = testdb_from("ports.db", "5432/tcp postgresql lan-only\n");
	struct natscan_entry e = published(IPPROTO_TCP, 30432, 30432);
	struct auditnat_row r;

	assert_non_null(db);
	e.local = 1;
	e.to_lo = e.to_hi = 5432;
	e.endpoints = 3;
	snprintf(e.table, sizeof(e.table), "ip nat");
	snprintf(e.via[0], sizeof(e.via[0]), "KUBE-SERVICES");
	snprintf(e.via[1], sizeof(e.via[1]), "KUBE-NODEPORTS");
	classify(&e, db, NULL, &r);
	assert_int_equal(r.by, AUDITNAT_NODEPORT);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_non_null(r.target);
	assert_string_equal(r.target->service, "postgresql");
	assert_non_null(strstr(r.why, "portwarden guard 30432"));
	/* the same Service's cluster address is not the host's: open, and
	 * not counted as an exposure of the host */
	e = published(IPPROTO_TCP, 5432, 5432);
	e.daddr_prefix = 32;
	memcpy(e.daddr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	snprintf(e.via[0], sizeof(e.via[0]), "KUBE-SERVICES");
	snprintf(e.via[1], sizeof(e.via[1]), "KUBE-SVC-X");
	classify(&e, db, NULL, &r);
	assert_int_equal(r.by, AUDITNAT_CLUSTERIP);
	assert_int_equal(r.status, AUDIT_OPEN);
	policy_db_free(db);
}

/* "tcp dport 8143 redirect to :143": the Internet gets the loopback-only
 * IMAP service through an open port */
static void auditnat_classify__redirect_to_guarded_port__exposed(void **state)
{
	struct policy_db *db = testdb_from("ports.db", "143/tcp imap loopback-only\n");
	struct natscan_entry e = published(IPPROTO_TCP, 8143, 8143);
	struct auditnat_row r;
	char text[64];

	assert_non_null(db);
	e.action = NATSCAN_REDIRECT;
	memset(e.to_addr, 0, sizeof(e.to_addr));
	e.to_lo = e.to_hi = 143;
	classify(&e, db, NULL, &r);
	assert_int_equal(r.by, AUDITNAT_REDIRECT);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_string_equal(r.target->service, "imap");
	assert_non_null(strstr(r.why, "8143 leads to 143"));
	assert_non_null(strstr(r.why, "portwarden guard 8143"));
	natscan_target_text(&e, text, sizeof(text));
	assert_string_equal(text, ":143");
	/* the table decides it by 8143 whatever it has for routed addresses */
	classify_routed(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	policy_db_free(db);
}

/* once 8143 is guarded, the redirect is decided by it: protected while the
 * kernel enforces 8143, exposed while it does not (monitor mode) */
static void auditnat_classify__redirect_from_guarded_port__decided_by_it(void **state)
{
	struct policy_db *db = testdb_from("ports.db", "143/tcp imap loopback-only\n"
					   "8143/tcp imap-proxy lan-only\n");
	struct natscan_entry e = published(IPPROTO_TCP, 8143, 8143);
	const struct holes h = { IPPROTO_TCP, 8143 };
	struct auditnat_row r;

	assert_non_null(db);
	e.action = NATSCAN_REDIRECT;
	memset(e.to_addr, 0, sizeof(e.to_addr));
	e.to_lo = e.to_hi = 143;
	classify_routed(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	assert_string_equal(r.entry->service, "imap-proxy");
	classify_routed(&e, db, &h, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	policy_db_free(db);
}

/* A failover address routed to the host but not assigned to it: a table
 * without chain routed decides only the host's own addresses, so a
 * guarded port DNATed there is exposed even while the same port of the
 * host is protected */
static void auditnat_classify__dnat_on_address_not_the_hosts__exposed(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 6379, 6379);
	struct auditnat_row r;

	e.daddr_prefix = 32;
	memcpy(e.daddr, (uint8_t[]){ 203, 0, 113, 50 }, 4);
	classify(&e, db, NULL, &r);
	assert_true(r.elsewhere);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_non_null(strstr(r.why, "203.0.113.50"));
	/* on the host's own address it is decided, and protected */
	memcpy(e.daddr, (uint8_t[]){ 198, 51, 100, 1 }, 4);
	classify(&e, db, NULL, &r);
	assert_false(r.elsewhere);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	policy_db_free(db);
}

/* With chain routed the table decides the failover address by the port
 * the client connected to: protected while that port is enforced,
 * exposed while it is not; an open port there that leads to a guarded
 * one is exposed; a Service's cluster address stays open */
static void auditnat_classify__dnat_on_routed_address__decided_by_published_port(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 6379, 6379);
	const struct holes h = { IPPROTO_TCP, 6379 };
	struct auditnat_row r;

	e.daddr_prefix = 32;
	memcpy(e.daddr, (uint8_t[]){ 203, 0, 113, 50 }, 4);
	classify_routed(&e, db, NULL, &r);
	assert_true(r.elsewhere);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	assert_non_null(strstr(r.why, "203.0.113.50"));
	assert_non_null(strstr(r.why, "chain routed"));
	classify_routed(&e, db, &h, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	/* 80 (open) on the failover address to a loopback-only 6379 */
	e.port_lo = e.port_hi = 80;
	e.to_lo = e.to_hi = 6379;
	classify_routed(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_non_null(strstr(r.why, "portwarden guard 80"));
	/* and 80 to 80: open */
	e.to_lo = e.to_hi = 80;
	classify_routed(&e, db, NULL, &r);
	assert_int_equal(r.status, AUDIT_OPEN);
	/* a ClusterIP is not the host's and stays out of the exposures */
	e = published(IPPROTO_TCP, 6379, 6379);
	e.daddr_prefix = 32;
	memcpy(e.daddr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	snprintf(e.via[0], sizeof(e.via[0]), "KUBE-SERVICES");
	snprintf(e.via[1], sizeof(e.via[1]), "KUBE-SVC-X");
	classify_routed(&e, db, &h, &r);
	assert_int_equal(r.by, AUDITNAT_CLUSTERIP);
	assert_int_equal(r.status, AUDIT_OPEN);
	policy_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(auditnat_classify__guarded_and_enforced__protected),
		cmocka_unit_test(auditnat_classify__guarded_not_enforced__exposed),
		cmocka_unit_test(auditnat_classify__open_port__open),
		cmocka_unit_test(auditnat_classify__loopback_address__local_only),
		cmocka_unit_test(auditnat_classify__range_and_both_protocols__worst_port_decides),
		cmocka_unit_test(auditnat_classify__nodeport_to_guarded_service__exposed),
		cmocka_unit_test(auditnat_classify__redirect_to_guarded_port__exposed),
		cmocka_unit_test(auditnat_classify__redirect_from_guarded_port__decided_by_it),
		cmocka_unit_test(auditnat_classify__dnat_on_address_not_the_hosts__exposed),
		cmocka_unit_test(auditnat_classify__dnat_on_routed_address__decided_by_published_port),
	};

	return cmocka_run_group_tests_name("auditnat", tests, NULL, NULL);
}
