// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden audit`: what listens here, and is it reachable against the
 * policy right now? */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "safetext.h"
#include "audit.h"
#include "auditnat.h"
#include "commands.h"
#include "json.h"
#include "kstate.h"
#include "metrics.h"
#include "packet.h"
#include "listener.h"
#include "listenscan.h"
#include "listenpolicy.h"
#include "report.h"
#include "otherfw.h"

struct row {
	const struct sock_entry *sock;
	const struct proc_owner *owner;
	const struct policy_entry *entry;
	enum policy_kind kind;
	enum audit_status status;
	int monitor;
	char why[192];
};

/* The first non-loopback interface with route_localnet set, if any. */
static const char *find_route_localnet(char *name, size_t cap)
{
	DIR *d = opendir("/proc/sys/net/ipv4/conf");
	const char *found = NULL;
	struct dirent *de;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d))) {
		char path[320], v = '0';
		FILE *f;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo") || !strcmp(de->d_name, "default"))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fread(&v, 1, 1, f) == 1 && v == '1') {
			snprintf(name, cap, "%.*s", IF_NAMESIZE - 1, de->d_name);
			found = name;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static int worst_first(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->status != y->status)
		return (int)x->status - (int)y->status;
	if (x->sock->port != y->sock->port)
		return (int)x->sock->port - (int)y->sock->port;
	return (int)x->sock->proto - (int)y->sock->proto;
}

static void bind_text(const struct sock_entry *s, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN] = "?", dev[IF_NAMESIZE] = "";

	inet_ntop(s->family, s->addr, addr, sizeof(addr));
	if (s->ifindex && if_indextoname(s->ifindex, dev))
		snprintf(out, cap, "%s%%%s", addr, dev);
	else
		snprintf(out, cap, "%s", addr);
}

static const char *status_text(const struct row *r)
{
	/* what an outsider can reach, and why: nothing is stopped */
	if (r->status == AUDIT_EXPOSED && r->monitor)
		return "exposed (monitor mode)";
	return audit_status_name(r->status);
}

/* A port whose entry is in local.rules is a local change: against the
 * policy the other files (the shipped database) give it. */
struct local_view {
	const char *path;		/* local.rules, or NULL */
	struct policy_db *shipped;	/* the set without it */
};

static int is_local(const struct local_view *lv, const struct row *r)
{
	return lv->path && lv->shipped && r->entry && !strcmp(r->entry->file, lv->path);
}

static const char *shipped_kind(const struct local_view *lv, const struct row *r)
{
	return policy_kind_name(policy_kind_of(lv->shipped, r->sock->proto, r->sock->port));
}

static void print_local(const struct local_view *lv, const struct row *r)
{
	if (is_local(lv, r)) {
		char file[512];

		printf("%12slocal change: %s:%u, shipped %s (portwarden changes)\n", "",
		       safetext(file, sizeof(file), lv->path), r->entry->line, shipped_kind(lv, r));
	}
}

static void print_table(const struct row *rows, unsigned n, const struct local_view *lv)
{
	/* by enum audit_status: exposed red, protected and lan green */
	static const char *colour[] = { "\033[1;31m", "", "", "\033[32m", "\033[32m", "\033[33m", "" };
	int tty = isatty(STDOUT_FILENO);
	unsigned i;

	printf("%-10s  %-11s  %-28s  %-24s  %-18s  %s\n", "STATUS", "PORT", "BIND", "PROCESS",
	       "SERVICE", "POLICY");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char port[16], bind[64], proc[160], raw[48], service[128];

		snprintf(port, sizeof(port), "%u/%s", r->sock->port, packet_l4_name(r->sock->proto));
		bind_text(r->sock, raw, sizeof(raw));
		safetext(bind, sizeof(bind), raw);
		/* a process names itself: its comm is untrusted text */
		if (r->owner->pid)
			snprintf(raw, sizeof(raw), "%.30s[%d]", r->owner->comm, r->owner->pid);
		else
			snprintf(raw, sizeof(raw), "?");
		safetext(proc, sizeof(proc), raw);
		safetext(service, sizeof(service), r->entry ? r->entry->service : "-");
		printf("%s%-10s%s  %-11s  %-28s  %-24s  %-18s  %s\n",
		       tty ? colour[r->status] : "", status_text(r),
		       tty && colour[r->status][0] ? "\033[0m" : "", port, bind, proc,
		       service, policy_kind_name(r->kind));
		/* and why a policy other than the entry's applies */
		if (r->status == AUDIT_EXPOSED || r->status == AUDIT_SERVED ||
		    r->status == AUDIT_DROPPED || r->why[0]) {
			char why[512];

			printf("%12s%s\n", "", safetext(why, sizeof(why), r->why[0] ? r->why :
			       (r->entry && r->entry->title ? r->entry->title : "")));
		}
		print_local(lv, r);
	}
}

static void print_json(const struct row *rows, unsigned n, const struct local_view *lv)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char bind[64], buf[1024];
		struct json j;

		bind_text(r->sock, bind, sizeof(bind));
		json_begin(&j, buf, sizeof(buf));
		json_uint(&j, "port", r->sock->port);
		json_str(&j, "proto", packet_l4_name(r->sock->proto));
		json_str(&j, "bind", bind);
		json_str(&j, "process", r->owner->comm);
		json_uint(&j, "pid", (unsigned)(r->owner->pid > 0 ? r->owner->pid : 0));
		json_str(&j, "exe", r->owner->exe);
		json_str(&j, "service", r->entry ? r->entry->service : "");
		json_str(&j, "policy", policy_kind_name(r->kind));
		json_str(&j, "status", audit_status_name(r->status));
		json_str(&j, "reason", r->why);
		if (is_local(lv, r)) {
			json_str(&j, "local_file", lv->path);
			json_uint(&j, "local_line", r->entry->line);
			json_str(&j, "shipped", shipped_kind(lv, r));
		}
		if (json_end(&j) > 0)
			fputs(buf, stdout);
	}
}

/* Reads the table; 0, or 2 after saying why the audit cannot be trusted. */
static int read_kernel(struct kstate *ks)
{
	int ret = kstate_read(ks);

	if (ret == -EPERM || ret == -EACCES) {
		fprintf(stderr, "portwarden: audit: cannot read table inet %s: %s; run it as root "
			"(it needs CAP_NET_ADMIN)\n", RULESET_TABLE, strerror(-ret));
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "portwarden: audit: cannot read table inet %s: %s\n", RULESET_TABLE,
			strerror(-ret));
		return 2;
	}
	return 0;
}

/* Every socket's process, or 2 after saying which could not be looked at. */
static int read_listeners(struct listener_table *t)
{
	struct sock_list socks = { 0 };
	unsigned i, unknown = 0;
	int ret = sockdiag_list_all(&socks);

	if (ret == 0)
		ret = listener_update(t, &socks);
	if (ret >= 0)
		ret = listenscan_name(t, time(NULL));
	if (ret < 0) {
		sockdiag_free(&socks);
		fprintf(stderr, "portwarden: audit: cannot list sockets (sock_diag): %s\n",
			strerror(-ret));
		return 2;
	}
	for (i = 0; i < t->n; i++)
		unknown += !t->v[i].owner.pid;
	if (unknown && t->denied) {
		fprintf(stderr, "portwarden: audit: cannot tell which process holds %u listening "
			"socket%s: no permission to look into %u other users' processes; run it as "
			"root (it needs CAP_SYS_PTRACE)\n", unknown, unknown == 1 ? "" : "s", t->denied);
		return 2;
	}
	return 0;
}

#define LOCALS_MAX 256

/* Other tables: the host's addresses of both families, and their rules. */
struct others {
	struct otherfw fw;
	int read;
	uint8_t locals[2][LOCALS_MAX][16];
	unsigned nlocals[2];
};

/* The families a socket is reached over, and the address each is sent to
 * (NULL: any of the host's) */
static unsigned reached_over(const struct sock_entry *s, int *family, const uint8_t **daddr)
{
	static const uint8_t any6[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (s->family == AF_INET) {
		family[0] = AF_INET;
		daddr[0] = s->addr[0] || s->addr[1] || s->addr[2] || s->addr[3] ? s->addr : NULL;
		return 1;
	}
	if (!memcmp(s->addr, mapped, 12)) {
		family[0] = AF_INET;
		daddr[0] = s->addr + 12;
		return 1;
	}
	family[0] = AF_INET6;
	daddr[0] = memcmp(s->addr, any6, 16) ? s->addr : NULL;
	if (daddr[0])
		return 1;
	family[1] = AF_INET;	/* "::" takes IPv4 too, unless IPV6_V6ONLY */
	daddr[1] = NULL;
	return 2;
}

/* A port every other table drops for every client, whatever portwarden
 * does: "dropped", with the table and chain that drop it. */
static void other_tables(struct row *r, const struct others *o)
{
	const uint8_t *daddr[2];
	struct otherfw_verdict v;
	int family[2];
	unsigned i, n = reached_over(r->sock, family, daddr);

	if (!o->read || r->status == AUDIT_LOCAL_ONLY)
		return;
	for (i = 0; i < n; i++) {
		int k = family[i] == AF_INET6;
		struct otherfw_query q = { family[i], r->sock->proto, r->sock->port, NULL, daddr[i],
					   (const uint8_t (*)[16])o->locals[k], o->nlocals[k] };

		otherfw_judge(&o->fw, &q, &v);
		if (v.result != OTHERFW_DROPPED)
			return;
	}
	otherfw_text(&v, r->why, sizeof(r->why));
	r->status = AUDIT_DROPPED;
}

/* One row per listening socket, classified. */
static unsigned classify_listeners(struct row *rows, const struct listener_table *t,
				   const struct listenpolicy *lp, const struct policy_db *db,
				   const struct kstate *ks, struct audit_facts *facts,
				   const struct others *others)
{
	unsigned i, exposed = 0;

	for (i = 0; i < t->n; i++) {
		struct row *r = &rows[i];
		const struct sock_entry *sk = &t->v[i].sock;

		r->sock = sk;
		r->owner = &t->v[i].owner;
		const struct listenpolicy_port *listen = listenpolicy_get(lp, sk->proto, sk->port);

		facts->enforced = kstate_enforces(ks, sk->proto, sk->port);
		r->status = audit_classify(sk, policy_lookup(db, sk->proto, sk->port), listen, facts,
					   &r->entry, r->why, sizeof(r->why));
		r->kind = audit_kind(r->entry, listen);
		r->monitor = facts->monitor;
		other_tables(r, others);
		exposed += r->status == AUDIT_EXPOSED;
	}
	return exposed;
}

#define AUDIT_NSTATUS (AUDIT_LOCAL_ONLY + 1)

struct audit_counts {
	unsigned by_status[AUDIT_NSTATUS];
	const char *names[AUDIT_NSTATUS];
	struct metrics_audit_port *ports;
	unsigned nports;
	char host[256];
};

static int format_counts(FILE *out, const void *arg)
{
	const struct audit_counts *c = arg;
	int ret = metrics_format_audit(out, c->by_status, c->names, AUDIT_NSTATUS);

	return ret ? ret : metrics_format_audit_ports(out, c->host, c->ports, c->nports);
}

/* The per-port samples: process names as "comm", without the pid that
 * would make a new series at each restart. */
static void audit_ports(struct audit_counts *c, const struct row *rows, unsigned n)
{
	unsigned i;

	c->ports = calloc(n + 1, sizeof(*c->ports));
	if (!c->ports)
		return;
	if (gethostname(c->host, sizeof(c->host) - 1) < 0)
		c->host[0] = '\0';
	for (i = 0; i < n; i++) {
		struct metrics_audit_port *p = &c->ports[c->nports++];

		p->status = audit_status_name(rows[i].status);
		p->proto = packet_l4_name(rows[i].sock->proto);
		p->port = rows[i].sock->port;
		p->service = rows[i].entry ? rows[i].entry->service : "";
		p->process = rows[i].owner->pid ? rows[i].owner->comm : "";
	}
}

/* With metrics_file set, the counts go beside it for the same collector. */
static void write_metrics(const struct row *rows, unsigned n, const struct config *cfg)
{
	struct audit_counts c = { { 0 }, { NULL }, NULL, 0, "" };
	char path[sizeof(cfg->metrics_file) + 32];
	const char *slash = strrchr(cfg->metrics_file, '/');
	unsigned i;
	int ret;

	if (!cfg->metrics_file[0] || !slash)
		return;
	for (i = 0; i < AUDIT_NSTATUS; i++)
		c.names[i] = audit_status_name((enum audit_status)i);
	for (i = 0; i < n; i++)
		c.by_status[rows[i].status]++;
	audit_ports(&c, rows, n);
	snprintf(path, sizeof(path), "%.*s/portwarden_audit.prom",
		 (int)(slash - cfg->metrics_file), cfg->metrics_file);
	ret = metrics_write_file(path, format_counts, &c);
	free(c.ports);
	if (ret < 0)
		fprintf(stderr, "portwarden: cannot write %s: %s\n", path, strerror(-ret));
}

/* The rows as `report` shows them; 0, or 2 when out of memory. */
static int to_listeners(const struct row *rows, unsigned n, struct report_listener **out,
			unsigned *nout)
{
	struct report_listener *v = calloc(n + 1, sizeof(*v));
	unsigned i;

	if (!v)
		return 2;
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		snprintf(v[i].status, sizeof(v[i].status), "%s", status_text(r));
		v[i].port = r->sock->port;
		snprintf(v[i].proto, sizeof(v[i].proto), "%s", packet_l4_name(r->sock->proto));
		bind_text(r->sock, v[i].bind, sizeof(v[i].bind));
		if (r->owner->pid)
			snprintf(v[i].process, sizeof(v[i].process), "%.30s[%d]", r->owner->comm,
				 r->owner->pid);
		else
			snprintf(v[i].process, sizeof(v[i].process), "?");
		snprintf(v[i].service, sizeof(v[i].service), "%s", r->entry ? r->entry->service : "");
		snprintf(v[i].policy, sizeof(v[i].policy), "%s", policy_kind_name(r->kind));
		snprintf(v[i].why, sizeof(v[i].why), "%s", r->why[0] ? r->why :
			 r->status == AUDIT_EXPOSED && r->entry && r->entry->title ? r->entry->title : "");
	}
	*out = v;
	*nout = n;
	return 0;
}

/* The audit; with for_report set, its rows go there instead of out. */
static int audit_run(const struct settings *s, struct audit_rows *for_report)
{
	struct listener_table table = { 0 };
	struct listenpolicy lp = { 0 };
	struct audit_facts facts = { 0 };
	struct row *rows = NULL;
	struct policy_db *db;
	struct kstate ks = { 0 };
	struct others *others = NULL;
	struct local_view lv = { settings_local_rules(s), NULL };
	struct config cfg;
	char rl_name[IF_NAMESIZE + 1];
	int status = 2, ret, exposed;

	db = settings_load(s, &cfg, stderr);
	if (!db)
		return 2;
	if (lv.path)
		lv.shipped = settings_load_with(s, lv.path, "", 0, stderr);
	if (read_kernel(&ks) || read_listeners(&table))
		goto out;
	if (listenpolicy_compute(&lp, &table, db) < 0 || !(rows = calloc(table.n + 1, sizeof(*rows))))
		goto out;
	facts.martian_guard = ks.installed;
	facts.monitor = ks.monitor;
	facts.learning = ks.learning;
	facts.route_localnet = find_route_localnet(rl_name, sizeof(rl_name));
	others = calloc(1, sizeof(*others));
	if (!others)
		goto out;
	ret = otherfw_read(&others->fw);
	if (ret < 0)
		fprintf(stderr, "portwarden: audit: cannot read the other tables' rules: %s; what "
			"they drop is not shown\n", strerror(-ret));
	others->read = ret == 0;
	others->nlocals[0] = otherfw_host_addrs(AF_INET, others->locals[0], LOCALS_MAX);
	others->nlocals[1] = otherfw_host_addrs(AF_INET6, others->locals[1], LOCALS_MAX);
	exposed = (int)classify_listeners(rows, &table, &lp, db, &ks, &facts, others);
	qsort(rows, table.n, sizeof(*rows), worst_first);
	if (for_report) {
		status = to_listeners(rows, table.n, &for_report->listeners, &for_report->nlisteners);
		if (status == 0)
			for_report->published_error = auditnat_published(db, &ks, &for_report->published,
									 &for_report->npublished);
		if (for_report->published_error)
			fprintf(stderr, "portwarden: cannot read the DNAT rules of the ruleset: %s\n",
				strerror(-for_report->published_error));
		goto out;
	}
	if (s->json)
		print_json(rows, table.n, &lv);
	else
		print_table(rows, table.n, &lv);
	ret = auditnat_report(db, &cfg, &ks, s->json, &exposed);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot read the DNAT rules of the ruleset: %s%s\n",
			strerror(-ret), ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto out;
	}
	write_metrics(rows, table.n, &cfg);
	status = exposed ? 1 : 0;
out:
	if (others)
		otherfw_free(&others->fw);
	free(others);
	kstate_free(&ks);
	free(rows);
	listenpolicy_free(&lp);
	listener_table_free(&table);
	policy_db_free(lv.shipped);
	policy_db_free(db);
	return status;
}

int cmd_audit(const struct settings *s)
{
	return audit_run(s, NULL);
}

int audit_rows(const struct settings *s, struct audit_rows *out)
{
	memset(out, 0, sizeof(*out));
	return audit_run(s, out);
}
