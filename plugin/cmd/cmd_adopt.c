// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden adopt`: before the first start, keep every service that
 * remote clients use right now reachable for them, and say what will be
 * guarded.  The package runs it once, on first install. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "safetext.h"
#include "adopt.h"
#include "commands.h"
#include "lanwatch.h"
#include "localrules.h"
#include "log.h"
#include "listenpolicy.h"
#include "procfd.h"
#include "sockdiag.h"

#define ADOPT_CONNS_MAX	65536

struct conns {
	struct adopt_conn *v;
	unsigned n;
};

static void read_proc_tcp(const char *path, int v6, struct conns *c)
{
	FILE *f = fopen(path, "re");
	char line[512];

	if (!f)
		return;
	while (c->n < ADOPT_CONNS_MAX && fgets(line, sizeof(line), f))
		if (adopt_parse_proc_tcp(line, v6, &c->v[c->n]) == 1)
			c->n++;
	fclose(f);
}

/* A guarded port some process listens on beyond loopback. */
struct candidate {
	uint16_t port;
	const struct policy_entry *entry;
	struct proc_owner owner;
};

static unsigned find_candidates(const struct sock_list *socks, const struct policy_db *db,
				struct candidate *out, unsigned cap)
{
	unsigned i, k, n = 0;

	for (i = 0; i < socks->n && n < cap; i++) {
		const struct sock_entry *s = &socks->v[i];
		const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, s->port);
		int seen = 0;

		if (!e || e->kind == POLICY_OPEN || sockdiag_is_loopback(s))
			continue;
		for (k = 0; k < n; k++)
			seen |= out[k].port == s->port;
		if (seen)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].port = s->port;
		out[n].entry = e;
		out[n].owner.inode = s->inode;
		n++;
	}
	return n;
}

static int served(const struct candidate *c)
{
	return c->entry->served_by && listenpolicy_served_by(c->entry->served_by, c->owner.exe);
}

static void describe_owner(const struct candidate *c, char *buf, size_t cap)
{
	if (c->owner.pid)
		snprintf(buf, cap, "%s[%d]", c->owner.comm, c->owner.pid);
	else
		snprintf(buf, cap, "unknown process");
}

struct outcome {
	unsigned adopted, guarded, served;
};

static int adopt_one(struct localrules *lr, const struct policy_db *db, const struct candidate *c,
		     const struct conns *conns, const struct lan *lan, int dry_run,
		     struct outcome *o)
{
	struct portspec ps = { c->port, c->port, POLICY_TCP, c->entry };
	char raw[64], who[256], addr[INET6_ADDRSTRLEN] = "?", note[320], why[400];
	unsigned clients;
	enum adopt_verdict v;
	int example;

	/* process names and paths are the processes' own text */
	describe_owner(c, raw, sizeof(raw));
	safetext(who, sizeof(who), raw);
	if (served(c)) {
		char exe[512];

		printf("  served     %5u/tcp  %-14s %s: a public server of its protocol (%s)\n", c->port,
		       c->entry->service, who, safetext(exe, sizeof(exe), c->owner.exe));
		o->served++;
		return 0;
	}
	v = adopt_decide(conns->v, conns->n, c->port, (enum policy_kind)c->entry->kind, lan,
			 &example, &clients);
	if (v == ADOPT_NONE) {
		printf("  guarded    %5u/tcp  %-14s %s: %s, no client it would cut\n", c->port,
		       c->entry->service, who, policy_kind_name((enum policy_kind)c->entry->kind));
		o->guarded++;
		return 0;
	}
	inet_ntop(conns->v[example].family, conns->v[example].remote, addr, sizeof(addr));
	snprintf(why, sizeof(why), "%u client%s connected, e.g. %s, to %s", clients,
		 clients == 1 ? "" : "s", addr, who);
	printf("  adopted    %5u/tcp  %-14s %s -> %s: %s\n", c->port, c->entry->service,
	       policy_kind_name((enum policy_kind)c->entry->kind),
	       v == ADOPT_OPEN ? "open" : "lan-only", why);
	syslog(LOG_NOTICE, "adopted %u/tcp (%s) as %s: %s", c->port, c->entry->service,
	       v == ADOPT_OPEN ? "open" : "lan-only", why);
	o->adopted++;
	if (dry_run)
		return 0;
	localrules_note(note, sizeof(note), "adopted", "adopt", why);
	return localrules_set(lr, db, &ps, v == ADOPT_OPEN ? "open" : "lan-only", note);
}

int cmd_adopt(const struct settings *s)
{
	struct candidate cands[256];
	struct sock_list socks = { 0 };
	struct conns conns = { 0 };
	struct localrules lr = { 0 };
	struct outcome o = { 0 };
	struct policy_db *db, *after = NULL;
	struct config cfg;
	struct lan *lan = NULL;
	unsigned n, i;
	int ret, status = 1;

	db = settings_load(s, &cfg, stderr);
	if (!db)
		return 1;
	log_open_syslog();
	conns.v = calloc(ADOPT_CONNS_MAX, sizeof(*conns.v));
	lan = calloc(1, sizeof(*lan));
	ret = conns.v && lan ? sockdiag_list_once(IPPROTO_TCP, &socks) : -ENOMEM;
	if (ret == 0 && lanwatch_effective(&cfg, lan) < 0)
		fprintf(stderr, "portwarden: cannot read the interfaces; the LAN is what "
			"portwarden.conf names\n");
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot list listening sockets: %s\n", strerror(-ret));
		goto out;
	}
	read_proc_tcp("/proc/net/tcp", 0, &conns);
	read_proc_tcp("/proc/net/tcp6", 1, &conns);
	n = find_candidates(&socks, db, cands, sizeof(cands) / sizeof(cands[0]));
	for (i = 0; i < n; i++)
		procfd_find(&cands[i].owner, 1);
	if (!s->dry_run && localrules_read(s, &lr) < 0)
		goto out;
	printf("portwarden adopt: %u listening service%s the policy guards%s\n", n, n == 1 ? "" : "s",
	       s->dry_run ? " (dry run: nothing written)" : "");
	for (i = 0; i < n; i++)
		if (adopt_one(&lr, db, &cands[i], &conns, lan, s->dry_run, &o) < 0)
			goto out;
	printf("%u adopted, %u served, %u guarded from outside once portwarden runs\n", o.adopted,
	       o.served, o.guarded);
	status = 0;
	if (s->dry_run || !lr.changed)
		goto out;
	after = localrules_validate(s, &lr);
	if (!after || localrules_write(&lr) < 0) {
		status = 1;
		goto out;
	}
	printf("written to %s; undo one with: portwarden reset PORT\n", lr.path);
out:
	policy_db_free(db);
	policy_db_free(after);
	localrules_free(&lr);
	sockdiag_free(&socks);
	free(conns.v);
	if (lan)
		lan_free(lan);
	free(lan);
	return status;
}
