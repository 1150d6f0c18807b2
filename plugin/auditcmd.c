// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden audit`: what listens here, and is it reachable against the
 * policy right now? */
#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safetext.h"
#include "audit.h"
#include "commands.h"
#include "json.h"
#include "kstate.h"
#include "procfd.h"

struct row {
	const struct sock_entry *sock;
	const struct proc_owner *owner;
	const struct policy_entry *entry;
	enum policy_kind kind;
	enum audit_status status;
	const char *why;
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

static void print_table(const struct row *rows, unsigned n)
{
	static const char *colour[] = { "\033[1;31m", "\033[32m", "", "" };
	int tty = isatty(STDOUT_FILENO);
	unsigned i;

	printf("%-10s  %-9s  %-28s  %-24s  %-18s  %s\n", "STATUS", "PORT", "BIND", "PROCESS",
	       "SERVICE", "POLICY");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char port[16], bind[64], proc[160], raw[48], service[128];

		snprintf(port, sizeof(port), "%u/%s", r->sock->port,
			 r->sock->proto == IPPROTO_TCP ? "tcp" : "udp");
		bind_text(r->sock, raw, sizeof(raw));
		safetext(bind, sizeof(bind), raw);
		/* a process names itself: its comm is untrusted text */
		if (r->owner->pid)
			snprintf(raw, sizeof(raw), "%.30s[%d]", r->owner->comm, r->owner->pid);
		else
			snprintf(raw, sizeof(raw), "?");
		safetext(proc, sizeof(proc), raw);
		safetext(service, sizeof(service), r->entry ? r->entry->service : "-");
		printf("%s%-10s%s  %-9s  %-28s  %-24s  %-18s  %s\n",
		       tty ? colour[r->status] : "", audit_status_name(r->status),
		       tty && colour[r->status][0] ? "\033[0m" : "", port, bind, proc,
		       service, policy_kind_name(r->kind));
		if (r->status == AUDIT_EXPOSED) {
			char why[512];

			printf("%12s%s\n", "", safetext(why, sizeof(why), r->why ? r->why :
			       (r->entry && r->entry->title ? r->entry->title : "")));
		}
	}
}

static void print_json(const struct row *rows, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char bind[64], buf[1024];
		struct json j;

		bind_text(r->sock, bind, sizeof(bind));
		json_begin(&j, buf, sizeof(buf));
		json_uint(&j, "port", r->sock->port);
		json_str(&j, "proto", r->sock->proto == IPPROTO_TCP ? "tcp" : "udp");
		json_str(&j, "bind", bind);
		json_str(&j, "process", r->owner->comm);
		json_uint(&j, "pid", (unsigned)(r->owner->pid > 0 ? r->owner->pid : 0));
		json_str(&j, "exe", r->owner->exe);
		json_str(&j, "service", r->entry ? r->entry->service : "");
		json_str(&j, "policy", policy_kind_name(r->kind));
		json_str(&j, "status", audit_status_name(r->status));
		json_str(&j, "reason", r->why ? r->why : "");
		if (json_end(&j) > 0)
			fputs(buf, stdout);
	}
}

int cmd_audit(const struct settings *s)
{
	struct sock_list socks = { 0 };
	struct proc_owner *owners = NULL;
	struct audit_facts facts = { 0 };
	struct row *rows = NULL;
	struct policy_db *db;
	struct kstate ks;
	struct config cfg;
	char rl_name[IF_NAMESIZE + 1];
	int status = 2, exposed = 0;
	unsigned i;

	db = settings_load(s, &cfg, stderr);
	if (!db)
		return 2;
	if (kstate_read(&ks) < 0)
		memset(&ks, 0, sizeof(ks));	/* no CAP_NET_ADMIN: judge without it */
	if (sockdiag_list(IPPROTO_TCP, &socks) < 0 || sockdiag_list(IPPROTO_UDP, &socks) < 0) {
		fprintf(stderr, "portwarden: cannot list sockets (sock_diag)\n");
		goto out;
	}
	owners = calloc(socks.n + 1, sizeof(*owners));
	rows = calloc(socks.n + 1, sizeof(*rows));
	if (!owners || !rows)
		goto out;
	for (i = 0; i < socks.n; i++)
		owners[i].inode = socks.v[i].inode;
	procfd_find(owners, socks.n);
	facts.martian_guard = ks.installed;
	facts.route_localnet = find_route_localnet(rl_name, sizeof(rl_name));
	for (i = 0; i < socks.n; i++) {
		struct row *r = &rows[i];

		r->sock = &socks.v[i];
		r->owner = &owners[i];
		r->entry = policy_lookup(db, r->sock->proto, r->sock->port);
		r->kind = r->entry ? (enum policy_kind)r->entry->kind : POLICY_OPEN;
		facts.enforced = kstate_enforces(&ks, r->sock->proto, r->sock->port);
		r->status = audit_classify(r->sock, r->kind, &facts, &r->why);
		exposed += r->status == AUDIT_EXPOSED;
	}
	qsort(rows, socks.n, sizeof(*rows), worst_first);
	if (s->json)
		print_json(rows, socks.n);
	else
		print_table(rows, socks.n);
	status = exposed ? 1 : 0;
out:
	kstate_free(&ks);
	free(rows);
	free(owners);
	sockdiag_free(&socks);
	policy_db_free(db);
	return status;
}
