// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static char *format(const struct metrics *m, const struct kstate *ks)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(metrics_format(f, m, ks, NULL), 0);
	fclose(f);
	return buf;
}

static void metrics_format__queue_and_kernel_counts__one_sample_each(void **state)
{
	static struct metrics m;
	struct kstate_port blocked = { .proto = IPPROTO_TCP, .port = 143, .packets = 12 };
	struct kstate ks = { .installed = 1, .worker = 1, .blocked = &blocked, .nblocked = 1,
			     .queue_total = 40, .queue_dropped = 2, .guarded = 300 };
	char *out;

	metrics_count_queue(&m, IPPROTO_TCP, 143, 1);
	metrics_count_queue(&m, IPPROTO_UDP, 143, 1);
	metrics_count_queue(&m, IPPROTO_TCP, 143, 2);
	out = format(&m, &ks);
	assert_non_null(strstr(out, "portwarden_blocked_total{proto=\"tcp\",port=\"143\",service=\"\",path=\"queue\"} 3\n"));
	assert_non_null(strstr(out, "portwarden_blocked_total{proto=\"udp\",port=\"143\",service=\"\",path=\"queue\"} 1\n"));
	assert_non_null(strstr(out, "portwarden_blocked_total{proto=\"tcp\",port=\"143\",service=\"\",path=\"kernel\"} 12\n"));
	assert_non_null(strstr(out, "portwarden_queue_dropped_total 2\n"));
	assert_non_null(strstr(out, "portwarden_enforcing 1\n"));
	assert_non_null(strstr(out, "# TYPE portwarden_blocked_total counter\n"));
	free(out);
	ks.monitor = 1;
	out = format(&m, &ks);
	assert_non_null(strstr(out, "portwarden_enforcing 0\n"));
	free(out);
}

static void metrics_count_queue__more_ports_than_slots__rest_counted_as_other(void **state)
{
	static struct metrics m;
	unsigned p;
	char *out;

	for (p = 1; p <= METRICS_PORTS + 10; p++)
		metrics_count_queue(&m, IPPROTO_TCP, (uint16_t)p, 1);
	assert_int_equal(m.nqueued, METRICS_PORTS);
	assert_int_equal(m.queued_other, 10);
	out = format(&m, NULL);
	assert_non_null(strstr(out, "port=\"other\",service=\"\",path=\"queue\"} 10\n"));
	free(out);
}

/* An alert names the host, port, service and process; two sockets of one
 * port are one sample; a process name cannot break the format. */
static void metrics_format_audit_ports__labels_escaped_and_one_sample_a_port(void **state)
{
	struct metrics_audit_port v[] = {
		{ "exposed", "tcp", "postgresql", "postgres", 5432 },
		{ "protected", "tcp", "redis", "ev\"il\\\n", 6379 },
		{ "exposed", "tcp", "postgresql", "postgres", 5432 },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(metrics_format_audit_ports(f, "db1", v, 3), 0);
	fclose(f);
	assert_non_null(strstr(buf, "# TYPE portwarden_audit_listener gauge\n"));
	assert_non_null(strstr(buf, "portwarden_audit_listener{host=\"db1\",status=\"exposed\","
				    "proto=\"tcp\",port=\"5432\",service=\"postgresql\","
				    "process=\"postgres\"} 1\n"));
	assert_non_null(strstr(buf, "process=\"ev\\\"il\\\\\\\\x0a\"} 1\n"));
	assert_int_equal(strstr(strstr(buf, "5432") + 1, "5432"), NULL);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_format__queue_and_kernel_counts__one_sample_each),
		cmocka_unit_test(metrics_count_queue__more_ports_than_slots__rest_counted_as_other),
		cmocka_unit_test(metrics_format_audit_ports__labels_escaped_and_one_sample_a_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
