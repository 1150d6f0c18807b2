// SPDX-License-Identifier: GPL-2.0-or-later
/* The shipped database's policies, each decided under the rule at the top
 * of rules/ports.db: by port alone, and by port and listener together. */
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
#include "policy.h"
#include "policy_lint.h"

/* the listener tables are filled by hand: no walk over this machine's /proc */
unsigned __wrap_procfd_find(struct proc_owner *owners, unsigned n);
unsigned __wrap_procfd_find(struct proc_owner *owners, unsigned n)
{
	return 0;
}

static struct policy_db *db;

static int setup(void **state)
{
	char errs[2048] = "";
	FILE *err = fmemopen(errs, sizeof(errs), "w");
	unsigned n;

	db = policy_db_new();
	n = policy_db_load_file(db, SRCDIR "/rules/ports.db", err);
	fclose(err);
	if (n) {
		fprintf(stderr, "shipped database rejected: %s", errs);
		return -1;
	}
	policy_db_build_index(db);
	return 0;
}

static int teardown(void **state)
{
	policy_db_free(db);
	return 0;
}

static const struct policy_entry *at(int proto, uint16_t port)
{
	const struct policy_entry *e = policy_lookup(db, proto, port);

	if (!e)
		fail_msg("%u/%s: no entry", port, proto == IPPROTO_TCP ? "tcp" : "udp");
	return e;
}

/* Every policy the rows of the review settled, by port alone. */
static void shipped__settled_rows__policy_by_port(void **state)
{
	static const struct {
		int proto;
		uint16_t port;
		enum policy_kind kind;
	} want[] = {
		/* remote administration, embedded devices included */
		{ IPPROTO_TCP, 23, POLICY_LAN_ONLY }, { IPPROTO_TCP, 2323, POLICY_LAN_ONLY },
		/* VPN endpoint: IKE over TCP beside IKE over UDP */
		{ IPPROTO_TCP, 4500, POLICY_OPEN }, { IPPROTO_UDP, 4500, POLICY_OPEN },
		{ IPPROTO_UDP, 500, POLICY_OPEN },
		/* peer-to-peer ports joined on purpose; their control ports are not */
		{ IPPROTO_TCP, 8333, POLICY_OPEN }, { IPPROTO_TCP, 8332, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 4001, POLICY_OPEN }, { IPPROTO_UDP, 4001, POLICY_OPEN },
		{ IPPROTO_TCP, 5001, POLICY_LAN_ONLY },
		/* Plex's remote access publishes 32400; its other ports stay inside */
		{ IPPROTO_TCP, 32400, POLICY_OPEN }, { IPPROTO_TCP, 32469, POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 32410, POLICY_LAN_ONLY },
		/* shared ports: the default of the software that most often holds them */
		{ IPPROTO_TCP, 3000, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 8888, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 1025, POLICY_OPEN },
		/* management consoles, like 8080 */
		{ IPPROTO_TCP, 8443, POLICY_LAN_ONLY }, { IPPROTO_TCP, 8080, POLICY_LAN_ONLY },
		/* directories */
		{ IPPROTO_TCP, 88, POLICY_LAN_ONLY }, { IPPROTO_UDP, 88, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 464, POLICY_LAN_ONLY }, { IPPROTO_UDP, 464, POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 750, POLICY_LAN_ONLY }, { IPPROTO_TCP, 389, POLICY_LAN_ONLY },
		/* resolvers by default */
		{ IPPROTO_UDP, 53, POLICY_LAN_ONLY }, { IPPROTO_TCP, 53, POLICY_LAN_ONLY },
		/* the neighbours and gaps the review listed */
		{ IPPROTO_TCP, 1098, POLICY_LOOPBACK_ONLY }, { IPPROTO_TCP, 1434, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 5802, POLICY_LAN_ONLY }, { IPPROTO_UDP, 2967, POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 407, POLICY_LAN_ONLY }, { IPPROTO_UDP, 32770, POLICY_OPEN },
		{ IPPROTO_TCP, 2638, POLICY_LAN_ONLY }, { IPPROTO_UDP, 2638, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 1186, POLICY_LAN_ONLY }, { IPPROTO_TCP, 13722, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 5560, POLICY_LAN_ONLY }, { IPPROTO_TCP, 7676, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 2068, POLICY_LAN_ONLY }, { IPPROTO_TCP, 6547, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 1984, POLICY_LAN_ONLY }, { IPPROTO_TCP, 545, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 2106, POLICY_LAN_ONLY }, { IPPROTO_TCP, 1112, POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 1114, POLICY_LAN_ONLY }, { IPPROTO_TCP, 31337, POLICY_LOOPBACK_ONLY },
		{ IPPROTO_UDP, 31337, POLICY_LOOPBACK_ONLY }, { IPPROTO_UDP, 10080, POLICY_LAN_ONLY },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct policy_entry *e = at(want[i].proto, want[i].port);

		if (e->kind != want[i].kind)
			fail_msg("%u/%s: %s, want %s", want[i].port,
				 want[i].proto == IPPROTO_TCP ? "tcp" : "udp",
				 policy_kind_name((enum policy_kind)e->kind),
				 policy_kind_name(want[i].kind));
	}
}

/* Flaws reached through another port say so; 4566's bind is loopback. */
static void shipped__evidence__tied_to_its_port(void **state)
{
	const struct policy_entry *e;

	e = at(IPPROTO_TCP, 9000);
	assert_true(!e->cves || !strstr(e->cves, "CVE-2019-11043"));
	assert_non_null(e->cves_via);
	assert_non_null(strstr(e->cves_via, "CVE-2019-11043 via 80/tcp 443/tcp"));
	e = at(IPPROTO_TCP, 8181);
	assert_true(!e->cves || !strstr(e->cves, "CVE-2021-22205"));
	assert_non_null(strstr(e->cves_via, "CVE-2021-22205 via 80/tcp 443/tcp"));
	e = at(IPPROTO_TCP, 9180);
	assert_true(!e->cves || !strstr(e->cves, "CVE-2022-24112"));
	assert_non_null(strstr(e->cves_via, "CVE-2022-24112 via 9080/tcp"));
	e = at(IPPROTO_TCP, 4566);
	assert_non_null(e->default_bind);
	assert_non_null(strstr(e->default_bind, "127.0.0.1"));
	/* the repeated program line of 7860 is gone */
	e = at(IPPROTO_TCP, 7860);
	assert_string_equal(e->programs, "gradio");
}

static void shipped__lint__clean(void **state)
{
	char out[4096] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");
	unsigned n = policy_lint(db, f);

	fclose(f);
	if (n)
		fail_msg("%u findings:\n%s", n, out);
}

/* ---- by port and listener together -------------------------------------- */

struct fake {
	struct sock_list socks;
	struct listener_table t;
};

static void sock(struct fake *f, uint8_t proto, const char *addr, uint16_t port, uint32_t inode)
{
	struct sock_entry *e;

	f->socks.v = realloc(f->socks.v, (f->socks.n + 1) * sizeof(*e));
	assert_non_null(f->socks.v);
	e = &f->socks.v[f->socks.n++];
	memset(e, 0, sizeof(*e));
	e->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	e->proto = proto;
	e->port = port;
	e->inode = inode;
	inet_pton(e->family, addr, e->addr);
}

/* args given as "a b c": spaces become the NULs of /proc/PID/cmdline */
static struct proc_owner proc(int pid, const char *exe, const char *args)
{
	struct proc_owner o = { .pid = pid };
	size_t i;

	snprintf(o.exe, sizeof(o.exe), "%s", exe);
	snprintf(o.comm, sizeof(o.comm), "%.15s", strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
	snprintf(o.args, sizeof(o.args), "%s", args);
	o.args_len = strlen(args) + 1;
	for (i = 0; i < o.args_len; i++)
		if (o.args[i] == ' ')
			o.args[i] = '\0';
	return o;
}

/* The policy port/proto has when exe (args) alone listens on every address. */
static enum policy_kind with_listener(uint8_t proto, uint16_t port, const char *exe,
				      const char *args)
{
	struct fake f = { 0 };
	struct listenpolicy lp = { 0 };
	const struct listenpolicy_port *p;
	enum policy_kind kind;

	sock(&f, proto, "0.0.0.0", port, 1);
	sock(&f, proto, "::", port, 2);
	assert_int_equal(listener_update(&f.t, &f.socks, 0), 1);
	f.t.v[0].owner = proc(100, exe, args);
	f.t.v[0].owner.inode = f.t.v[0].sock.inode;
	f.t.v[1].owner = proc(100, exe, args);
	f.t.v[1].owner.inode = f.t.v[1].sock.inode;
	assert_int_equal(listenpolicy_compute(&lp, &f.t, db), 0);
	p = listenpolicy_get(&lp, proto, port);
	kind = p ? listenpolicy_kind(p, db) : policy_kind_of(db, proto, port);
	listenpolicy_free(&lp);
	listener_table_free(&f.t);
	return kind;
}

static void shipped__listeners__decide_shared_ports(void **state)
{
	static const struct {
		uint8_t proto;
		uint16_t port;
		const char *exe, *args;
		enum policy_kind want;
	} cases[] = {
		/* 3000: dashboards, forges and production servers serve the site;
		 * development servers stay local */
		{ IPPROTO_TCP, 3000, "/usr/share/grafana/bin/grafana", "grafana server --config /etc/grafana/grafana.ini", POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 3000, "/usr/sbin/grafana-server", "/usr/sbin/grafana-server --config=/etc/grafana/grafana.ini", POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 3000, "/usr/local/bin/gitea", "/usr/local/bin/gitea web", POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 3000, "/usr/bin/node", "node /srv/app/node_modules/.bin/next start", POLICY_LAN_ONLY },
		{ IPPROTO_TCP, 3000, "/usr/bin/node", "node /srv/app/node_modules/.bin/next dev", POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 3000, "/usr/bin/node", "node server.js", POLICY_LOOPBACK_ONLY },
		/* 53: resolvers lan-only, authoritative-only servers open, BIND a resolver */
		{ IPPROTO_UDP, 53, "/usr/sbin/dnsmasq", "/usr/sbin/dnsmasq -k", POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 53, "/usr/sbin/unbound", "/usr/sbin/unbound -d", POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 53, "/usr/bin/pihole-FTL", "/usr/bin/pihole-FTL -f", POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 53, "/usr/sbin/named", "/usr/sbin/named -f -u bind", POLICY_LAN_ONLY },
		{ IPPROTO_UDP, 53, "/usr/sbin/nsd", "/usr/sbin/nsd -d", POLICY_OPEN },
		{ IPPROTO_TCP, 53, "/usr/sbin/knotd", "/usr/sbin/knotd -m 512", POLICY_OPEN },
		{ IPPROTO_UDP, 53, "/usr/sbin/pdns_server", "/usr/sbin/pdns_server --guardian=no", POLICY_OPEN },
		/* a resolver naming itself like an authoritative server is not one */
		{ IPPROTO_UDP, 53, "/usr/sbin/dnsmasq", "nsd", POLICY_LAN_ONLY },
		/* 4001: IPFS open, etcd lan-only */
		{ IPPROTO_TCP, 4001, "/usr/local/bin/ipfs", "ipfs daemon", POLICY_OPEN },
		{ IPPROTO_TCP, 4001, "/usr/local/bin/etcd", "etcd --listen-client-urls http://0.0.0.0:4001", POLICY_LAN_ONLY },
		/* 4500/tcp: IKE open, FoundationDB lan-only */
		{ IPPROTO_TCP, 4500, "/usr/libexec/ipsec/pluto", "/usr/libexec/ipsec/pluto --leak-detective", POLICY_OPEN },
		{ IPPROTO_TCP, 4500, "/usr/sbin/fdbserver", "/usr/sbin/fdbserver --cluster-file /etc/foundationdb/fdb.cluster", POLICY_LAN_ONLY },
		/* 8333: Bitcoin open, SeaweedFS lan-only */
		{ IPPROTO_TCP, 8333, "/usr/local/bin/bitcoind", "bitcoind -daemon", POLICY_OPEN },
		{ IPPROTO_TCP, 8333, "/usr/local/bin/weed", "weed s3 -port=8333", POLICY_LAN_ONLY },
		/* 8888: Jupyter loopback-only, Druid's router lan-only */
		{ IPPROTO_TCP, 8888, "/usr/bin/python3.11", "/usr/bin/python3 /usr/local/bin/jupyter-lab --ip=0.0.0.0", POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 8888, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java -server -Xms512m -cp conf/druid/_common:lib/* org.apache.druid.cli.Main server router", POLICY_LAN_ONLY },
		/* 1025: the mail catchers are development tools */
		{ IPPROTO_TCP, 1025, "/usr/local/bin/mailpit", "mailpit", POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 1025, "/usr/local/bin/MailHog_linux_amd64", "MailHog_linux_amd64", POLICY_LOOPBACK_ONLY },
		{ IPPROTO_TCP, 1025, "/usr/sbin/rpc.statd", "rpc.statd", POLICY_OPEN },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum policy_kind got = with_listener(cases[i].proto, cases[i].port, cases[i].exe,
						     cases[i].args);

		if (got != cases[i].want)
			fail_msg("%u/%s held by %s (%s): %s, want %s", cases[i].port,
				 cases[i].proto == IPPROTO_TCP ? "tcp" : "udp", cases[i].exe,
				 cases[i].args, policy_kind_name(got), policy_kind_name(cases[i].want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped__settled_rows__policy_by_port),
		cmocka_unit_test(shipped__evidence__tied_to_its_port),
		cmocka_unit_test(shipped__lint__clean),
		cmocka_unit_test(shipped__listeners__decide_shared_ports),
	};

	return cmocka_run_group_tests_name("kb", tests, setup, teardown);
}
