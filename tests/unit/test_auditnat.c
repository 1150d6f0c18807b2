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

	auditnat_classify(&e, db, enforced, NULL, &r);
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

	auditnat_classify(&e, db, enforced, &h, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_non_null(r.why);
	policy_db_free(db);
}

static void auditnat_classify__open_port__open(void **state)
{
	struct policy_db *db = make_db();
	struct natscan_entry e = published(IPPROTO_TCP, 80, 80);
	struct auditnat_row r;

	auditnat_classify(&e, db, enforced, NULL, &r);
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
	auditnat_classify(&e, db, enforced, &h, &r);
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
	auditnat_classify(&e, db, enforced, &h, &r);
	assert_int_equal(r.status, AUDIT_EXPOSED);
	assert_string_equal(r.entry->service, "memcached");
	auditnat_classify(&e, db, enforced, NULL, &r);
	assert_int_equal(r.status, AUDIT_PROTECTED);
	/* the same range of TCP only, with a hole on UDP: protected */
	e.proto = IPPROTO_TCP;
	auditnat_classify(&e, db, enforced, &h, &r);
	assert_int_equal(r.status, AUDIT_PROTECTED);
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
	};

	return cmocka_run_group_tests_name("auditnat", tests, NULL, NULL);
}
