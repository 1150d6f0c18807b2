// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "policydiff.h"
#include "reload.h"

/* The daemon's reload without a kernel: the table's transaction is the
 * test's (it sees the spec, and says ok or not), and so are the listener
 * facts (8765/tcp served by a public server when served_8765 is set). */
static int apply_result;
static unsigned applies;
static int carried_8765, blocked_elem_8765, served_elem_8765;
static int served_8765;

int __wrap_firewall_apply(struct firewall *fw, const struct ruleset_spec *spec, char *err,
			  size_t cap)
{
	unsigned i;

	applies++;
	carried_8765 = blocked_elem_8765 = served_elem_8765 = 0;
	for (i = 0; i < spec->nblocked; i++)
		carried_8765 |= spec->blocked[i].proto == IPPROTO_TCP && spec->blocked[i].port == 8765;
	for (i = 0; i < spec->nextra; i++) {
		const struct ruleset_elem *e = &spec->extra[i];

		if (e->proto != IPPROTO_TCP || e->port != 8765)
			continue;
		blocked_elem_8765 |= !strcmp(e->set, RULESET_SET_BLOCKED);
		served_elem_8765 |= !strcmp(e->set, RULESET_SET_SERVED);
	}
	if (apply_result < 0)
		snprintf(err, cap, "table inet portwarden");
	return apply_result;
}

int __wrap_listenpolicy_compute(struct listenpolicy *lp, const struct listener_table *t,
				const struct policy_db *db)
{
	struct listenpolicy next = { 0 };

	if (served_8765) {
		next.v = calloc(1, sizeof(*next.v));
		next.index = calloc(2 * 65536, sizeof(*next.index));
		if (!next.v || !next.index)
			return -ENOMEM;
		next.v[0] = (struct listenpolicy_port){ .proto = IPPROTO_TCP, .port = 8765,
							.served = policy_lookup(db, IPPROTO_TCP, 8765) };
		snprintf(next.v[0].who, sizeof(next.v[0].who), "/usr/bin/socat");
		next.n = next.cap = 1;
		next.index[8765] = 1;
	}
	listenpolicy_free(lp);
	*lp = next;
	return 0;
}

static char dir[64], shipped[96], local[96], logfile[96], conf[96], statefile[96];
static struct settings s;

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct daemon *d = calloc(1, sizeof(*d));

	snprintf(dir, sizeof(dir), "/tmp/pw-reload.XXXXXX");
	if (!d || !mkdtemp(dir))
		return -1;
	snprintf(shipped, sizeof(shipped), "%s/ports.db", dir);
	snprintf(local, sizeof(local), "%s/local.rules", dir);
	snprintf(logfile, sizeof(logfile), "%s/blocked.log", dir);
	snprintf(conf, sizeof(conf), "%s/portwarden.conf", dir);
	snprintf(statefile, sizeof(statefile), "%s/adopt.state", dir);
	put_file(shipped, "8765/tcp  agent  loopback-only\n\tserved-by /usr/bin/socat\n"
			  "143/tcp  imap  loopback-only\n");
	put_file(local, "");
	/* the adoption window is this test's: open while its file exists */
	{
		FILE *f = fopen(conf, "w");

		assert_non_null(f);
		fprintf(f, "adopt_state = %s\n", statefile);
		fclose(f);
	}
	settings_defaults(&s);
	s.config_path = conf;
	s.config_explicit = 1;
	s.log_path = logfile;
	settings_add_db(&s, shipped);
	settings_add_db(&s, local);
	d->settings = &s;
	d->ctl_fd = -1;
	d->host = calloc(1, sizeof(*d->host));
	d->lan = calloc(1, sizeof(*d->lan));
	d->lan_next = calloc(1, sizeof(*d->lan_next));
	d->db = settings_load(&s, &d->cfg, stderr);
	if (!d->host || !d->lan || !d->lan_next || !d->db || pipeline_init(&d->pipe) < 0 ||
	    blocklog_open(&d->log, logfile) < 0)
		return -1;
	settings_db_stamp(&s, &d->db_stamp);
	d->fw.table_flags = 1;	/* owned: no ruleset events to watch */
	apply_result = 0;
	applies = 0;
	served_8765 = 0;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct daemon *d = *state;
	char cmd[96];

	blocklog_close(&d->log);
	listenwatch_close(&d->listen);
	pipeline_free(&d->pipe);
	policy_db_free(d->db);
	free(d->host);
	free(d->lan);
	free(d->lan_next);
	free(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int reload(struct daemon *d, char **answer)
{
	struct timespec now;
	size_t len;
	FILE *out = open_memstream(answer, &len);
	int ret;

	assert_non_null(out);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ret = reload_config(d, &now, 1, out);
	fclose(out);
	return ret;
}

static void block_8765(struct daemon *d)
{
	portmap_set(d->pipe.blocked, IPPROTO_TCP, 8765, 1);
	d->pipe.nblocked = 1;
}

/* Issue 22 item 1: blocked by the worker, then a public server's port:
 * the next table carries no @blocked element for it (@blocked is matched
 * before @served), and the daemon no longer counts it blocked. */
static void reload_config__blocked_port_now_served__block_dropped(void **state)
{
	struct daemon *d = *state;
	char *answer;

	block_8765(d);
	served_8765 = 1;
	assert_int_equal(reload(d, &answer), RELOAD_APPLIED);
	assert_false(carried_8765);
	assert_false(blocked_elem_8765);
	assert_true(served_elem_8765);
	assert_false(portmap_has(d->pipe.blocked, IPPROTO_TCP, 8765));
	assert_int_equal(d->pipe.nblocked, 0);
	assert_true(portmap_has(d->listen.served, IPPROTO_TCP, 8765));
	free(answer);
}

static void reload_config__still_guarded__block_carried(void **state)
{
	struct daemon *d = *state;
	char *answer;

	block_8765(d);
	assert_int_equal(reload(d, &answer), RELOAD_APPLIED);
	assert_true(carried_8765);
	assert_true(portmap_has(d->pipe.blocked, IPPROTO_TCP, 8765));
	free(answer);
}

/* Issue 22 item 7: the kernel refused the table: nothing of it is
 * believed, and the listener facts are the old database's again */
static void reload_config__kernel_refuses__nothing_believed(void **state)
{
	struct daemon *d = *state;
	const struct policy_db *before = d->db;
	char *answer;

	block_8765(d);
	served_8765 = 1;
	apply_result = -EPERM;
	assert_int_equal(reload(d, &answer), RELOAD_FAILED);
	assert_true(!strncmp(answer, "failed\n", 7));
	assert_non_null(strstr(answer, "Operation not permitted"));
	assert_ptr_equal(d->db, before);
	assert_true(portmap_has(d->pipe.blocked, IPPROTO_TCP, 8765));	/* as the kernel has it */
	assert_false(portmap_has(d->listen.served, IPPROTO_TCP, 8765));	/* never acked */
	assert_true(d->listen.out_of_step);	/* the next look installs the whole table */
	assert_null(d->listen.lp.v);	/* the facts in use before the reload */
	free(answer);
}

static void reload_config__broken_file__refused_with_file_line(void **state)
{
	struct daemon *d = *state;
	char *answer, want[160];

	put_file(local, "8765/tcp  agent  opne\n");
	assert_int_equal(reload(d, &answer), RELOAD_REFUSED);
	snprintf(want, sizeof(want), "refused\n%s:1: unknown policy \"opne\"", local);
	assert_true(!strncmp(answer, want, strlen(want)));
	assert_int_equal(applies, 0);
	free(answer);
}

static void reload_config__applied__every_change_listed(void **state)
{
	struct daemon *d = *state;
	char *answer;

	put_file(local, "8765/tcp  agent  open\n9000-9010/tcp  x  lan-only\n");
	assert_int_equal(reload(d, &answer), RELOAD_APPLIED);
	assert_string_equal(answer, "applied 4\n"
				    "change tcp 8765 8765 loopback-only open\n"
				    "change tcp 9000 9010 open lan-only\n");
	free(answer);
}

/* what a command's request gets: the outcome and, port range by port
 * range, how many ports have the policy it expects */
static void control_handle__expectations__counted_after_the_ack(void **state)
{
	struct daemon *d = *state;
	char *answer;
	size_t len;
	FILE *out = open_memstream(&answer, &len);

	put_file(local, "9000-9010/tcp  x  lan-only\n");
	control_handle(d, "reload\nexpect tcp 9000 9010 lan-only\nexpect tcp 143 143 open\n", out);
	fclose(out);
	assert_non_null(strstr(answer, "\nexpect tcp 9000 9010 lan-only 11 11\n"));
	assert_non_null(strstr(answer, "\nexpect tcp 143 143 open 0 1\n"));
	free(answer);
	out = open_memstream(&answer, &len);
	control_handle(d, "reload\nexpect tcp 9 8 open\n", out);
	control_handle(d, "stop\n", out);
	fclose(out);
	assert_string_equal(answer, "error line 2 of the request is not \"expect PROTO LO HI POLICY\"\n"
				    "error unknown request (this daemon answers \"reload\")\n");
	free(answer);
}

static void open_window(void)
{
	put_file(statefile, "started = 2026-12-01T10:00:00Z\nuntil = 2026-12-02T10:00:00Z\n");
}

/* the digest a command sends for the from networks of text's port */
static uint64_t sources_of(const char *text, uint16_t port)
{
	struct policy_db *db = policy_db_new();
	char *copy = strdup(text);
	uint64_t digest;

	assert_non_null(copy);
	assert_int_equal(policy_db_load_buf(db, "t", copy, strlen(copy), stderr), 0);
	policy_db_build_index(db);
	digest = policydiff_sources(db, IPPROTO_TCP, port);
	policy_db_free(db);
	free(copy);
	return digest;
}

/* what a command that wrote from lines (allow --from, adopt) or changed
 * the adoption window gets: the ports agree only with the networks it
 * wrote, and the window as the daemon runs it after the ack */
static void control_handle__sources_and_window__confirmed_after_the_ack(void **state)
{
	static const char site[] = "9100/tcp  x  lan-only\n\tfrom 203.0.113.0/24 2001:db8:5::/48\n";
	/* the same networks in another order, one given twice: the same sources */
	static const char same[] = "9100/tcp  x  lan-only\n\tfrom 2001:db8:5::/48\n"
				   "\tfrom 203.0.113.0/24 2001:db8:5::/48\n";
	static const char other[] = "9100/tcp  x  lan-only\n\tfrom 198.51.100.0/24\n";
	struct daemon *d = *state;
	char *answer, request[160], want[160];
	uint64_t digest = sources_of(site, 9100);
	size_t len;
	FILE *out;

	assert_true(digest != 0);
	assert_true(digest == sources_of(same, 9100));
	assert_true(digest != sources_of(other, 9100));
	put_file(local, site);
	snprintf(request, sizeof(request), "reload\nexpect tcp 9100 9100 lan-only from %016llx\n"
		 "expect tcp 9100 9100 lan-only\n", (unsigned long long)digest);
	out = open_memstream(&answer, &len);
	control_handle(d, request, out);
	fclose(out);
	assert_non_null(strstr(answer, "\nchange tcp 9100 9100 open lan-only from\n"));
	assert_non_null(strstr(answer, "\nwindow closed\n"));
	snprintf(want, sizeof(want), "\nexpect tcp 9100 9100 lan-only 1 1 from %016llx\n",
		 (unsigned long long)digest);
	assert_non_null(strstr(answer, want));
	/* a command that wrote no from line: this port is not what it wrote */
	assert_non_null(strstr(answer, "\nexpect tcp 9100 9100 lan-only 0 1\n"));
	free(answer);
	/* other networks, the same policy: a change all the same; the
	 * window the daemon read at the reload */
	put_file(local, other);
	open_window();
	out = open_memstream(&answer, &len);
	control_handle(d, request, out);
	fclose(out);
	assert_non_null(strstr(answer, "\nchange tcp 9100 9100 lan-only lan-only from\n"));
	assert_non_null(strstr(answer, "\nwindow open\n"));
	snprintf(want, sizeof(want), "\nexpect tcp 9100 9100 lan-only 0 1 from %016llx\n",
		 (unsigned long long)digest);
	assert_non_null(strstr(answer, want));
	free(answer);
}

/* an adoption window logs lan-only ports' outside clients instead of
 * dropping them: a block of such a port is not carried into the table,
 * and the daemon no longer counts it */
static void reload_config__window_open__lan_only_block_dropped(void **state)
{
	struct daemon *d = *state;
	char *answer;

	put_file(local, "8765/tcp  agent  lan-only\n");
	block_8765(d);
	assert_int_equal(reload(d, &answer), RELOAD_APPLIED);
	free(answer);
	assert_true(carried_8765);	/* no window yet: the block stays */
	open_window();
	assert_int_equal(reload(d, &answer), RELOAD_APPLIED);
	free(answer);
	assert_int_equal(d->cfg.learning, 1);
	assert_false(carried_8765);
	assert_false(portmap_has(d->pipe.blocked, IPPROTO_TCP, 8765));
	assert_int_equal(d->pipe.nblocked, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(reload_config__blocked_port_now_served__block_dropped),
		T(reload_config__still_guarded__block_carried),
		T(reload_config__kernel_refuses__nothing_believed),
		T(reload_config__broken_file__refused_with_file_line),
		T(reload_config__applied__every_change_listed),
		T(control_handle__expectations__counted_after_the_ack),
		T(control_handle__sources_and_window__confirmed_after_the_ack),
		T(reload_config__window_open__lan_only_block_dropped),
	};

	log_init("test", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
