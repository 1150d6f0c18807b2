// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listenpolicy.h"
#include "testdb.h"

/* the table is filled by hand: no walk over this machine's /proc */
unsigned __wrap_procfd_find(struct proc_owner *owners, unsigned n);
unsigned __wrap_procfd_find(struct proc_owner *owners, unsigned n)
{
	return 0;
}

static struct policy_db *db;

static int setup(void **state)
{
	char text[] =
		"143/tcp imap loopback-only\n"
		"\tserved-by /usr/sbin/dovecot /usr/lib/dovecot/*-login\n"
		"25/tcp smtp loopback-only\n"
		"\tserved-by /usr/lib/postfix/sbin/master\n"
		"9229/tcp node-inspector loopback-only\n"
		"\tprogram node nodejs\n"
		"\toption --inspect --inspect-brk --inspect-port\n"
		"8888/tcp jupyter loopback-only\n"
		"\tprogram jupyter jupyter-*\n"
		"3000/tcp app lan-only\n"
		"80/tcp http open\n";

	db = testdb_from("t", text);
	return db ? 0 : -1;
}

static int teardown(void **state)
{
	policy_db_free(db);
	return 0;
}

/* args given as "a b c": spaces become the NULs of /proc/PID/cmdline */
static struct proc_owner proc(int pid, const char *exe, const char *args)
{
	struct proc_owner o = { .pid = pid };
	size_t i;

	snprintf(o.exe, sizeof(o.exe), "%s", exe);
	snprintf(o.comm, sizeof(o.comm), "%s", strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
	snprintf(o.args, sizeof(o.args), "%s", args);
	o.args_len = strlen(args) + 1;
	for (i = 0; i < o.args_len; i++)
		if (o.args[i] == ' ')
			o.args[i] = '\0';
	return o;
}

static void option_port__forms__port_named(void **state)
{
	static const struct {
		const char *args;
		uint16_t want;
	} cases[] = {
		{ "node --inspect=0.0.0.0:9230 app.js", 9230 },
		{ "node --inspect=9230 app.js", 9230 },
		{ "node --inspect 9230 app.js", 9230 },
		{ "node --inspect app.js", 9229 },
		{ "node --inspect", 9229 },
		{ "node --inspect=[::]:9231", 9231 },
		{ "node --inspect=localhost", 9229 },
		{ "node --inspect-brk=127.0.0.1:9333 app.js", 9333 },
		{ "node --inspect --inspect-port=9444 app.js", 9444 },
		{ "node --inspect-port 9445 --inspect", 9445 },
		{ "node app.js", 0 },
		{ "node --inspector=9230", 0 },
		{ "node --inspect=0.0.0.0:99999", 9229 },
		{ "node --inspect=0.0.0.0:", 9229 },
		{ "node --inspect=0.0.0.0:12ab", 9229 },
		{ "", 0 },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc_owner o = proc(1, "/usr/bin/node", cases[i].args);
		uint16_t got = listenpolicy_option_port("--inspect --inspect-brk --inspect-port", &o, 9229);

		if (got != cases[i].want)
			fail_msg("case %u (%s): %u, want %u", i, cases[i].args, got, cases[i].want);
	}
}

static void option_port__cut_off_args__bounded(void **state)
{
	struct proc_owner o = proc(1, "/usr/bin/node", "node");

	/* a full buffer without a final NUL: the reader added one */
	memset(o.args, 'a', sizeof(o.args) - 1);
	memcpy(o.args, "--inspect=9", 11);
	o.args[sizeof(o.args) - 1] = '\0';
	o.args_len = sizeof(o.args);
	assert_int_equal(listenpolicy_option_port("--inspect", &o, 9229), 9229);
	o.args_len = 0;
	assert_int_equal(listenpolicy_option_port("--inspect", &o, 9229), 0);
}

static void served_by__patterns__path_match_only(void **state)
{
	const char *pat = "/usr/sbin/dovecot /usr/lib/dovecot/*-login";

	assert_true(listenpolicy_served_by(pat, "/usr/sbin/dovecot"));
	assert_true(listenpolicy_served_by(pat, "/usr/lib/dovecot/imap-login"));
	assert_false(listenpolicy_served_by(pat, "/usr/lib/dovecot/sub/imap-login"));
	assert_false(listenpolicy_served_by(pat, "/tmp/dovecot"));
	assert_false(listenpolicy_served_by(pat, "dovecot"));
	assert_false(listenpolicy_served_by(pat, ""));
	assert_false(listenpolicy_served_by(pat, NULL));
	assert_false(listenpolicy_served_by("", "/usr/sbin/dovecot"));
}

static void is_program__names__exe_or_first_args(void **state)
{
	struct proc_owner node = proc(1, "/usr/bin/node", "node --inspect app.js");
	struct proc_owner lab = proc(2, "/usr/bin/python3.11", "/usr/bin/python3 /usr/bin/jupyter-lab --port 8889");
	struct proc_owner late = proc(3, "/usr/bin/python3.11", "python3 -m x jupyter");
	struct proc_owner renamed = proc(4, "/usr/bin/socat", "node --inspect");

	assert_true(listenpolicy_is_program("node nodejs", &node));
	assert_true(listenpolicy_is_program("jupyter jupyter-*", &lab));
	assert_false(listenpolicy_is_program("jupyter jupyter-*", &late));
	assert_false(listenpolicy_is_program(NULL, &node));
	/* argv[0] is the process's own say: it counts for interpreters, and
	 * a process naming itself node is guarded, never let through */
	assert_true(listenpolicy_is_program("node", &renamed));
}

struct fake {
	struct sock_list socks;
	struct listener_table t;
};

static void add_sock(struct fake *f, int family, const char *addr, uint16_t port, uint32_t inode)
{
	struct sock_entry *e;

	f->socks.v = realloc(f->socks.v, (f->socks.n + 1) * sizeof(*e));
	assert_non_null(f->socks.v);
	e = &f->socks.v[f->socks.n++];
	memset(e, 0, sizeof(*e));
	e->family = (uint8_t)family;
	e->proto = IPPROTO_TCP;
	e->port = port;
	e->inode = inode;
	inet_pton(family, addr, e->addr);
}

static void own(struct fake *f, uint32_t inode, struct proc_owner o)
{
	unsigned i;

	for (i = 0; i < f->t.n; i++)
		if (f->t.v[i].sock.inode == inode) {
			o.inode = inode;
			f->t.v[i].owner = o;
		}
}

static void compute__mail_node_proxy__facts(void **state)
{
	struct fake f = { 0 };
	struct listenpolicy lp = { 0 };
	const struct listenpolicy_port *p;

	add_sock(&f, AF_INET, "0.0.0.0", 143, 1);
	add_sock(&f, AF_INET6, "::", 143, 2);
	add_sock(&f, AF_INET, "0.0.0.0", 25, 3);
	add_sock(&f, AF_INET6, "::", 25, 4);
	add_sock(&f, AF_INET, "0.0.0.0", 9230, 5);
	add_sock(&f, AF_INET, "0.0.0.0", 8123, 6);
	add_sock(&f, AF_INET, "127.0.0.1", 9240, 7);
	add_sock(&f, AF_INET, "0.0.0.0", 8889, 8);
	add_sock(&f, AF_INET, "0.0.0.0", 3000, 9);
	add_sock(&f, AF_INET, "0.0.0.0", 80, 10);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	own(&f, 1, proc(10, "/usr/sbin/dovecot", "/usr/sbin/dovecot -F"));
	own(&f, 2, proc(11, "/usr/lib/dovecot/imap-login", "dovecot/imap-login"));
	own(&f, 3, proc(20, "/usr/lib/postfix/sbin/master", "/usr/lib/postfix/sbin/master -w"));
	own(&f, 4, proc(21, "/usr/bin/socat", "socat TCP6-LISTEN:25"));
	own(&f, 5, proc(30, "/usr/bin/node", "node --inspect=0.0.0.0:9230 app.js"));
	own(&f, 6, proc(30, "/usr/bin/node", "node --inspect=0.0.0.0:9230 app.js"));
	own(&f, 7, proc(31, "/usr/bin/node", "node --inspect=9240 app.js"));
	own(&f, 8, proc(40, "/usr/bin/python3.11", "/usr/bin/python3 /usr/bin/jupyter-notebook"));
	own(&f, 9, proc(41, "/usr/bin/node", "node --inspect=3000"));
	own(&f, 10, proc(42, "/usr/bin/node", "node --inspect=80"));
	assert_int_equal(listenpolicy_compute(&lp, &f.t, db), 0);

	p = listenpolicy_get(&lp, IPPROTO_TCP, 143);
	assert_non_null(p);
	assert_non_null(p->served);
	assert_string_equal(p->served->service, "imap");
	assert_string_equal(p->who, "/usr/sbin/dovecot");
	/* one socket of 25 is held by something else: not served */
	p = listenpolicy_get(&lp, IPPROTO_TCP, 25);
	assert_true(!p || !p->served);
	p = listenpolicy_get(&lp, IPPROTO_TCP, 9230);
	assert_non_null(p);
	assert_non_null(p->guard);
	assert_string_equal(p->guard->service, "node-inspector");
	assert_string_equal(p->who, "node[30]");
	/* the app's own port, and an inspector bound to loopback, are not */
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 8123));
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 9240));
	p = listenpolicy_get(&lp, IPPROTO_TCP, 8889);
	assert_non_null(p);
	assert_string_equal(p->guard->service, "jupyter");
	/* a port with its own guarding entry keeps it; an open one is guarded */
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 3000));
	p = listenpolicy_get(&lp, IPPROTO_TCP, 80);
	assert_non_null(p);
	assert_string_equal(p->guard->service, "node-inspector");
	assert_null(listenpolicy_get(&lp, IPPROTO_UDP, 143));

	listenpolicy_free(&lp);
	listener_table_free(&f.t);
}

static void compute__unknown_owner__never_served(void **state)
{
	struct fake f = { 0 };
	struct listenpolicy lp = { 0 };
	const struct listenpolicy_port *p;

	add_sock(&f, AF_INET, "0.0.0.0", 143, 1);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	assert_int_equal(listenpolicy_compute(&lp, &f.t, db), 0);
	p = listenpolicy_get(&lp, IPPROTO_TCP, 143);
	assert_true(!p || !p->served);
	listenpolicy_free(&lp);
	listener_table_free(&f.t);
}

static void listener_matches__forms__path_name_and_argument(void **state)
{
	struct proc_owner grafana = proc(1, "/usr/share/grafana/bin/grafana", "grafana server --homepath=/usr/share/grafana");
	struct proc_owner druid = proc(2, "/usr/lib/jvm/java-17/bin/java", "java -Xmx1g -cp conf:lib/* org.apache.druid.cli.Main server router");
	struct proc_owner next = proc(3, "/usr/bin/node", "node /app/node_modules/.bin/next start -p 3000");
	struct proc_owner nextdev = proc(4, "/usr/bin/node", "node /app/node_modules/.bin/next dev");
	struct proc_owner java = proc(5, "/usr/lib/jvm/java-17/bin/java", "java -jar app.jar");
	char m[64] = "";

	assert_true(listenpolicy_listener_matches("gitea grafana*", &grafana, m, sizeof(m)));
	assert_string_equal(m, "grafana*");
	assert_true(listenpolicy_listener_matches("/usr/share/grafana/bin/grafana", &grafana, NULL, 0));
	assert_false(listenpolicy_listener_matches("/usr/sbin/grafana", &grafana, NULL, 0));
	assert_true(listenpolicy_listener_matches("java:org.apache.druid.cli.Main", &druid, m, sizeof(m)));
	assert_string_equal(m, "java:org.apache.druid.cli.Main");
	assert_false(listenpolicy_listener_matches("java:org.apache.druid.cli.Main", &java, NULL, 0));
	/* the name through an interpreter's script, the argument after it */
	assert_true(listenpolicy_listener_matches("next:start", &next, NULL, 0));
	assert_false(listenpolicy_listener_matches("next:start", &nextdev, NULL, 0));
	assert_true(listenpolicy_listener_matches("next:dev", &nextdev, NULL, 0));
	/* an argument before the name does not count: "start" names nothing */
	assert_false(listenpolicy_listener_matches("node:next", &next, NULL, 0) &&
		     !listenpolicy_listener_matches("node:*next", &next, NULL, 0));
	assert_false(listenpolicy_listener_matches("", &next, NULL, 0));
	assert_false(listenpolicy_listener_matches(NULL, &next, NULL, 0));
}

static const char listener_rules[] =
	"3000/tcp dev-http loopback-only\n"
	"\tlistener lan-only grafana* gitea\n"
	"4001/tcp ipfs open\n"
	"\tlistener lan-only etcd\n"
	"53/both domain lan-only\n"
	"\tlistener open /usr/sbin/nsd\n"
	"8080/tcp http-alt lan-only\n"
	"\tlistener loopback-only next:dev\n"
	"9229/tcp node-inspector loopback-only\n"
	"\tprogram node\n"
	"\toption --inspect\n";

static void compute__listener_lines__policy_by_who_listens(void **state)
{
	struct policy_db *rules = testdb_from("t", listener_rules);
	struct fake f = { 0 };
	struct listenpolicy lp = { 0 };
	const struct listenpolicy_port *p;

	assert_non_null(rules);
	add_sock(&f, AF_INET, "0.0.0.0", 3000, 1);
	add_sock(&f, AF_INET6, "::", 3000, 2);
	add_sock(&f, AF_INET, "0.0.0.0", 4001, 3);
	add_sock(&f, AF_INET, "0.0.0.0", 53, 4);
	add_sock(&f, AF_INET, "127.0.0.1", 53, 5);
	add_sock(&f, AF_INET, "0.0.0.0", 8080, 6);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	own(&f, 1, proc(10, "/usr/sbin/grafana-server", "grafana-server"));
	own(&f, 2, proc(10, "/usr/sbin/grafana-server", "grafana-server"));
	/* etcd on IPFS's port: no program entry would guard it, its own line does */
	own(&f, 3, proc(11, "/usr/local/bin/etcd", "etcd --listen-client-urls http://0.0.0.0:4001 --inspect"));
	own(&f, 4, proc(12, "/usr/sbin/nsd", "nsd -d"));
	/* a resolver on loopback beside it: nobody outside reaches that one */
	own(&f, 5, proc(13, "/usr/lib/systemd/systemd-resolved", "systemd-resolved"));
	own(&f, 6, proc(14, "/usr/bin/node", "node node_modules/.bin/next dev -p 8080"));
	assert_int_equal(listenpolicy_compute(&lp, &f.t, rules), 0);

	p = listenpolicy_get(&lp, IPPROTO_TCP, 3000);
	assert_non_null(p);
	assert_ptr_equal(p->ruled, policy_lookup(rules, IPPROTO_TCP, 3000));
	assert_int_equal(p->kind, POLICY_LAN_ONLY);
	assert_string_equal(p->who, "grafana-server[10]");
	assert_string_equal(p->rule, "listener lan-only grafana*");
	assert_int_equal(listenpolicy_kind(p, rules), POLICY_LAN_ONLY);
	assert_int_equal(listenpolicy_sets(p, rules), LISTENPOLICY_SET_RELABEL | LISTENPOLICY_SET_LAN);

	p = listenpolicy_get(&lp, IPPROTO_TCP, 4001);
	assert_non_null(p);
	assert_int_equal(p->kind, POLICY_LAN_ONLY);
	assert_null(p->guard);
	assert_int_equal(listenpolicy_sets(p, rules), LISTENPOLICY_SET_GUARDED | LISTENPOLICY_SET_LAN);

	p = listenpolicy_get(&lp, IPPROTO_TCP, 53);
	assert_non_null(p);
	assert_non_null(p->served);
	assert_null(p->ruled);
	assert_string_equal(p->who, "/usr/sbin/nsd");
	assert_int_equal(listenpolicy_sets(p, rules), LISTENPOLICY_SET_SERVED);

	p = listenpolicy_get(&lp, IPPROTO_TCP, 8080);
	assert_non_null(p);
	assert_int_equal(p->kind, POLICY_LOOPBACK_ONLY);
	assert_int_equal(listenpolicy_sets(p, rules), LISTENPOLICY_SET_RELABEL | LISTENPOLICY_SET_UNLAN);
	listenpolicy_free(&lp);
	listener_table_free(&f.t);
	policy_db_free(rules);
}

static void compute__listener_lines__strictest_socket_or_default(void **state)
{
	struct policy_db *rules = testdb_from("t", listener_rules);
	struct fake f = { 0 };
	struct listenpolicy lp = { 0 };

	assert_non_null(rules);
	add_sock(&f, AF_INET, "0.0.0.0", 3000, 1);
	add_sock(&f, AF_INET6, "::", 3000, 2);
	add_sock(&f, AF_INET, "0.0.0.0", 53, 3);
	add_sock(&f, AF_INET, "0.0.0.0", 4001, 4);
	add_sock(&f, AF_INET, "0.0.0.0", 8080, 5);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	/* Grafana on one socket, a dev server on the other: the default */
	own(&f, 1, proc(10, "/usr/sbin/grafana-server", "grafana-server"));
	own(&f, 2, proc(20, "/usr/bin/node", "node server.js"));
	/* a resolver on 53, an IPFS node on 4001, a production server on 8080 */
	own(&f, 3, proc(21, "/usr/sbin/dnsmasq", "dnsmasq -k"));
	own(&f, 4, proc(22, "/usr/local/bin/ipfs", "ipfs daemon"));
	own(&f, 5, proc(23, "/usr/bin/node", "node node_modules/.bin/next start -p 8080"));
	assert_int_equal(listenpolicy_compute(&lp, &f.t, rules), 0);
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 3000));
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 53));
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 4001));
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 8080));
	listenpolicy_free(&lp);
	listener_table_free(&f.t);

	/* an owner nobody could name yet decides nothing */
	memset(&f, 0, sizeof(f));
	add_sock(&f, AF_INET, "0.0.0.0", 3000, 1);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	assert_int_equal(listenpolicy_compute(&lp, &f.t, rules), 0);
	assert_null(listenpolicy_get(&lp, IPPROTO_TCP, 3000));
	listenpolicy_free(&lp);
	listener_table_free(&f.t);
	policy_db_free(rules);
}

static void listener_update__same_inode__owner_kept(void **state)
{
	struct fake f = { 0 };
	char buf[64];

	add_sock(&f, AF_INET, "0.0.0.0", 143, 1);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	own(&f, 1, proc(10, "/usr/sbin/dovecot", "dovecot"));
	add_sock(&f, AF_INET, "0.0.0.0", 143, 1);
	assert_int_equal(listener_update(&f.t, &f.socks, 1), 0);
	assert_string_equal(listener_describe(&f.t, IPPROTO_TCP, 143, buf, sizeof(buf)), "dovecot[10]");
	/* another inode on the port: a change, looked up afresh */
	add_sock(&f, AF_INET, "0.0.0.0", 143, 2);
	assert_int_equal(listener_update(&f.t, &f.socks, 2), 1);
	assert_string_equal(listener_describe(&f.t, IPPROTO_TCP, 143, buf, sizeof(buf)), "");
	listener_table_free(&f.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(option_port__forms__port_named),
		cmocka_unit_test(option_port__cut_off_args__bounded),
		cmocka_unit_test(served_by__patterns__path_match_only),
		cmocka_unit_test(is_program__names__exe_or_first_args),
		cmocka_unit_test(compute__mail_node_proxy__facts),
		cmocka_unit_test(compute__unknown_owner__never_served),
		cmocka_unit_test(listener_matches__forms__path_name_and_argument),
		cmocka_unit_test(compute__listener_lines__policy_by_who_listens),
		cmocka_unit_test(compute__listener_lines__strictest_socket_or_default),
		cmocka_unit_test(listener_update__same_inode__owner_kept),
	};

	return cmocka_run_group_tests_name("listenpolicy", tests, setup, teardown);
}
