// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden audit`: published ports.  A connection to a published port is
 * decided by the port the client connected to, before the DNAT, so the
 * status of a rule is that of the ports it publishes. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auditnat.h"
#include "json.h"
#include "packet.h"
#include "report.h"

/* Docker's -p 127.0.0.1:PORT:PORT: only the host itself connects there. */
static int loopback_only(const struct natscan_entry *e)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (!e->daddr_prefix)
		return 0;
	if (e->family == AF_INET)
		return e->daddr_prefix >= 8 && e->daddr[0] == 127;
	return e->daddr_prefix == 128 && !memcmp(e->daddr, v6_loopback, 16);
}

static int via_has(const struct natscan_entry *e, const char *name, size_t prefix)
{
	unsigned i;

	for (i = 0; i < NATSCAN_VIA_MAX; i++)
		if (prefix ? !strncmp(e->via[i], name, prefix) : !strcmp(e->via[i], name))
			return 1;
	return 0;
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/* kube-proxy, Docker and netavark name their chains and tables after
 * what they do; anything else is a forward or publish of its own */
static enum auditnat_kind kind_of(const struct natscan_entry *e)
{
	if (e->action == NATSCAN_REDIRECT)
		return AUDITNAT_REDIRECT;
	if (e->action == NATSCAN_TPROXY)
		return AUDITNAT_TPROXY;
	if (via_has(e, "KUBE-NODEPORTS", 0))
		return AUDITNAT_NODEPORT;
	if (!strcmp(e->via[0], "KUBE-SERVICES"))
		return via_has(e, "KUBE-EXT-", 9) ? AUDITNAT_SERVICE_IP : AUDITNAT_CLUSTERIP;
	if (ends_with(e->table, " kube-proxy")) {
		/* nftables mode: the NodePort map, looked up for the node's addresses */
		if (e->local || via_has(e, "service-nodeports", 0))
			return AUDITNAT_NODEPORT;
		return via_has(e, "external-", 9) ? AUDITNAT_SERVICE_IP : AUDITNAT_CLUSTERIP;
	}
	if (!strcmp(e->via[0], "DOCKER") || ends_with(e->table, " docker"))
		return AUDITNAT_DOCKER;
	if (!strcmp(e->table, "inet netavark") || via_has(e, "NETAVARK-", 9))
		return AUDITNAT_PODMAN;
	return AUDITNAT_DNAT;
}

const char *auditnat_kind_name(enum auditnat_kind k)
{
	static const char *const names[] = {
		[AUDITNAT_DNAT] = "dnat", [AUDITNAT_NODEPORT] = "nodeport",
		[AUDITNAT_CLUSTERIP] = "clusterip", [AUDITNAT_SERVICE_IP] = "service-ip",
		[AUDITNAT_DOCKER] = "docker", [AUDITNAT_PODMAN] = "podman",
		[AUDITNAT_REDIRECT] = "redirect", [AUDITNAT_TPROXY] = "tproxy",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "dnat";
}

/* The path matches one address (or a prefix) that is not the host's.  A
 * table with chain routed decides such an address as one of the host's
 * own, by the published port, when the host's route to it leads back out
 * where the connection came in (a failover or load-balancer address routed
 * to the host); a table without it decides only the host's own. */
static int elsewhere(const struct natscan_entry *e, const struct auditnat_facts *f)
{
	unsigned whole = e->family == AF_INET ? 32 : 128;

	if (!e->daddr_prefix || e->local || loopback_only(e))
		return 0;
	return e->daddr_prefix < whole || !f->local || !f->local(f->local_ctx, e->family, e->daddr);
}

/* The first guarded port the path leads to: a target port (DNAT, redirect,
 * tproxy), or the published port itself where the target keeps it */
#define TARGET_PORTS_MAX 1024

static const struct policy_entry *guarded_target(const struct natscan_entry *nat,
						 const struct policy_db *db, uint16_t *port)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned lo = nat->to_lo ? nat->to_lo : nat->port_lo, hi = nat->to_lo ? nat->to_hi : nat->port_hi;
	unsigned p;
	int i;

	if (nat->to_map || hi - lo >= TARGET_PORTS_MAX)
		return NULL;
	for (i = 0; i < 2; i++) {
		if (nat->proto && nat->proto != protos[i])
			continue;
		for (p = lo; p <= hi; p++) {
			const struct policy_entry *e = policy_lookup(db, protos[i], (uint16_t)p);

			if (e && e->kind != POLICY_OPEN) {
				*port = (uint16_t)p;
				return e;
			}
		}
	}
	return NULL;
}

static void classify_path(struct auditnat_row *row, const struct natscan_entry *nat,
			  const struct auditnat_facts *f, int guarded, int open_hole,
			  uint16_t target_port)
{
	char addr[INET6_ADDRSTRLEN];

	natscan_addr_text(nat, nat->daddr, addr, sizeof(addr));
	if (loopback_only(nat)) {
		row->status = AUDIT_LOCAL_ONLY;
		snprintf(row->why, sizeof(row->why), "published on a loopback address only");
	} else if (row->elsewhere && row->by == AUDITNAT_CLUSTERIP) {
		row->status = AUDIT_OPEN;
		snprintf(row->why, sizeof(row->why), "a Service's cluster address, not this host's: "
			 "reached by whatever routes it here, not decided by portwarden");
	} else if (row->elsewhere && !f->routed) {
		row->status = guarded || row->target ? AUDIT_EXPOSED : AUDIT_OPEN;
		snprintf(row->why, sizeof(row->why), "translated on %s, which is not an address of this "
			 "host: the table decides only connections to the host's own addresses, so "
			 "whatever routes %s here gets through", addr, addr);
	} else if (open_hole) {
		row->status = AUDIT_EXPOSED;
		snprintf(row->why, sizeof(row->why),
			 "published by DNAT, and nothing stops outside connections to it");
	} else if (guarded) {
		row->status = AUDIT_PROTECTED;
		if (row->elsewhere)
			snprintf(row->why, sizeof(row->why), "translated on %s, which this host routes "
				 "but does not hold: decided by the port the client connected to "
				 "(chain routed), as long as the route to %s leads back out where "
				 "the connection came in", addr, addr);
	} else if (row->target) {
		row->status = AUDIT_EXPOSED;
		snprintf(row->why, sizeof(row->why), "%s %u leads to %u (%s, %s): connections are "
			 "decided by the port they were made to, and %u is open; guard it with "
			 "portwarden guard %u", auditnat_kind_name(row->by), nat->port_lo, target_port,
			 row->target->service, policy_kind_name((enum policy_kind)row->target->kind),
			 nat->port_lo, nat->port_lo);
	} else {
		row->status = AUDIT_OPEN;
		snprintf(row->why, sizeof(row->why), "published by DNAT, open by policy");
	}
}

void auditnat_classify(const struct natscan_entry *nat, const struct policy_db *db,
		       const struct auditnat_facts *f, struct auditnat_row *row)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	int guarded = 0, open_hole = 0, i;
	uint16_t target_port = 0;
	unsigned port;

	memset(row, 0, sizeof(*row));
	row->nat = nat;
	row->kind = POLICY_OPEN;
	row->by = kind_of(nat);
	row->elsewhere = elsewhere(nat, f);
	for (i = 0; i < 2; i++) {
		if (nat->proto && nat->proto != protos[i])
			continue;
		for (port = nat->port_lo; port <= nat->port_hi; port++) {
			const struct policy_entry *e = policy_lookup(db, protos[i], (uint16_t)port);

			if (!row->entry)
				row->entry = e;
			if (!e || e->kind == POLICY_OPEN)
				continue;
			if (!guarded++) {
				row->entry = e;
				row->kind = (enum policy_kind)e->kind;
			}
			if (!f->enforced(f->ctx, protos[i], (uint16_t)port))
				open_hole = 1;
		}
	}
	row->target = guarded_target(nat, db, &target_port);
	classify_path(row, nat, f, guarded, open_hole, target_port);
}

struct enforcement {
	const struct kstate *ks;
	int monitor;
};

static int kernel_enforces(const void *ctx, uint8_t proto, uint16_t port)
{
	const struct enforcement *f = ctx;

	return !f->monitor && kstate_enforces(f->ks, proto, port);
}

/* a rule without a protocol match forwards both */
static const char *proto_text(const struct natscan_entry *e)
{
	const char *name = packet_l4_name(e->proto);

	return name ? name : "any";
}

static void port_text(const struct natscan_entry *e, char *out, size_t cap)
{
	const char *proto = proto_text(e);

	if (e->port_lo == 0 && e->port_hi == 65535)
		snprintf(out, cap, "*/%s", proto);
	else if (e->port_lo == e->port_hi)
		snprintf(out, cap, "%u/%s", e->port_lo, proto);
	else
		snprintf(out, cap, "%u-%u/%s", e->port_lo, e->port_hi, proto);
}

static void bind_text(const struct natscan_entry *e, char *out, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	if (!e->daddr_prefix) {
		snprintf(out, cap, "*");
		return;
	}
	natscan_addr_text(e, e->daddr, addr, sizeof(addr));
	if (e->daddr_prefix == (e->family == AF_INET ? 32 : 128))
		snprintf(out, cap, "%s", addr);
	else
		snprintf(out, cap, "%s/%u", addr, e->daddr_prefix);
}

static void target_text(const struct natscan_entry *e, char *out, size_t cap)
{
	char t[64];

	natscan_target_text(e, t, sizeof(t));
	if (e->endpoints > 1)
		snprintf(out, cap, "%s (%u endpoints)", t, e->endpoints);
	else
		snprintf(out, cap, "%s", t);
}

static void print_table(const struct auditnat_row *rows, unsigned n, int router)
{
	/* by status; a published port is never served, lan or dropped */
	static const char *const colour[AUDIT_LOCAL_ONLY + 1] = {
		[AUDIT_EXPOSED] = "\033[1;31m", [AUDIT_SERVED] = "", [AUDIT_OPEN] = "",
		[AUDIT_LAN] = "\033[32m", [AUDIT_PROTECTED] = "\033[32m", [AUDIT_DROPPED] = "",
		[AUDIT_LOCAL_ONLY] = "",
	};
	int tty = isatty(STDOUT_FILENO);
	unsigned i, clusterips = 0;

	printf("\n%s\n", router ? "Published ports and port forwards (DNAT):" :
	       "Published ports (DNAT):");
	printf("%-10s  %-15s  %-20s  %-34s  %-10s  %-14s  %s\n", "STATUS", "PORT", "ADDRESS",
	       "TARGET", "KIND", "SERVICE", "POLICY");
	for (i = 0; i < n; i++) {
		const struct auditnat_row *r = &rows[i];
		char port[24], bind[56], target[96];

		/* a cluster's Service addresses are not the host's: counted */
		if (r->by == AUDITNAT_CLUSTERIP && r->status != AUDIT_EXPOSED) {
			clusterips++;
			continue;
		}
		port_text(r->nat, port, sizeof(port));
		bind_text(r->nat, bind, sizeof(bind));
		target_text(r->nat, target, sizeof(target));
		printf("%s%-10s%s  %-15s  %-20s  %-34s  %-10s  %-14s  %s\n",
		       tty ? colour[r->status] : "", audit_status_name(r->status),
		       tty && colour[r->status][0] ? "\033[0m" : "", port, bind, target,
		       auditnat_kind_name(r->by),
		       r->target ? r->target->service : r->entry ? r->entry->service : "-",
		       policy_kind_name(r->target && r->status == AUDIT_EXPOSED ?
					(enum policy_kind)r->target->kind : r->kind));
		if (r->status == AUDIT_EXPOSED)
			printf("%12s%s\n", "", r->why);
	}
	if (clusterips)
		printf("%u Service cluster address%s (kube-proxy) left out: not addresses of this "
		       "host; audit --json lists them\n", clusterips, clusterips == 1 ? "" : "es");
}

static void print_json(const struct auditnat_row *rows, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct auditnat_row *r = &rows[i];
		const struct natscan_entry *e = r->nat;
		char bind[56], target[64], rule[72], via[3 * NATSCAN_NAME_MAX + 4], buf[1536];
		struct json j;

		bind_text(e, bind, sizeof(bind));
		natscan_target_text(e, target, sizeof(target));
		snprintf(rule, sizeof(rule), "%s %s", e->table, e->chain);
		snprintf(via, sizeof(via), "%s%s%s%s%s", e->via[0], e->via[1][0] ? " " : "", e->via[1],
			 e->via[2][0] ? " " : "", e->via[2]);
		json_begin(&j, buf, sizeof(buf));
		json_str(&j, "kind", "published");
		json_str(&j, "by", auditnat_kind_name(r->by));
		json_uint(&j, "port", e->port_lo);
		json_uint(&j, "port_end", e->port_hi);
		json_str(&j, "proto", proto_text(e));
		json_str(&j, "bind", bind);
		json_str(&j, "target", target);
		json_uint(&j, "endpoints", e->endpoints);
		json_str(&j, "rule", rule);
		json_str(&j, "via", via);
		json_str(&j, "writer", e->writer == NATSCAN_NFT ? "nft" : "xtables");
		json_str(&j, "service", r->entry ? r->entry->service : "");
		json_str(&j, "policy", policy_kind_name(r->kind));
		json_str(&j, "target_service", r->target ? r->target->service : "");
		json_str(&j, "target_policy", r->target ? policy_kind_name((enum policy_kind)r->target->kind) : "");
		json_str(&j, "status", audit_status_name(r->status));
		json_str(&j, "reason", r->why);
		if (json_end(&j) > 0)
			fputs(buf, stdout);
	}
}

struct host {
	struct ifaddrs *list;
};

static int host_has(const void *ctx, int family, const uint8_t *addr)
{
	const struct host *h = ctx;
	const struct ifaddrs *i;

	for (i = h->list; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != family)
			continue;
		if (family == AF_INET ? !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, addr, 4) :
		    !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, addr, 16))
			return 1;
	}
	return 0;
}

/* Reads the DNAT rules and classifies each: rows[i] for nat->v[i] */
static int read_rows(const struct policy_db *db, const struct kstate *ks,
		     struct natscan_list *nat, struct auditnat_row **rows)
{
	/* the installed table's mode, not the configuration's: what the kernel does */
	const struct enforcement e = { ks, ks->monitor };
	struct host h = { NULL };
	struct auditnat_facts f = { kernel_enforces, &e, host_has, &h, ks->installed && ks->routed };
	unsigned i;
	int ret = natscan_read(nat);

	if (ret < 0)
		return ret;
	*rows = calloc(nat->n + 1, sizeof(**rows));
	if (!*rows || getifaddrs(&h.list) < 0) {
		ret = *rows ? -errno : -ENOMEM;
		free(*rows);
		natscan_free(nat);
		return ret;
	}
	for (i = 0; i < nat->n; i++)
		auditnat_classify(&nat->v[i], db, &f, &(*rows)[i]);
	freeifaddrs(h.list);
	return 0;
}

int auditnat_report(const struct policy_db *db, const struct config *cfg,
		    const struct kstate *ks, int json, int *exposed)
{
	struct natscan_list nat = { 0 };
	struct auditnat_row *rows;
	unsigned i;
	int ret = read_rows(db, ks, &nat, &rows);

	if (ret < 0)
		return ret;
	for (i = 0; i < nat.n; i++)
		*exposed += rows[i].status == AUDIT_EXPOSED;
	if (json)
		print_json(rows, nat.n);
	else if (nat.n)
		print_table(rows, nat.n, cfg->nwan_ifaces > 0);
	free(rows);
	natscan_free(&nat);
	return 0;
}

static int worst_first(const void *a, const void *b)
{
	const struct auditnat_row *x = a, *y = b;

	if (x->status != y->status)
		return (int)x->status - (int)y->status;
	return (int)x->nat->port_lo - (int)y->nat->port_lo;
}

static void to_published(const struct auditnat_row *r, struct report_published *p)
{
	const struct policy_entry *e = r->target ? r->target : r->entry;

	snprintf(p->status, sizeof(p->status), "%s", audit_status_name(r->status));
	port_text(r->nat, p->port, sizeof(p->port));
	bind_text(r->nat, p->bind, sizeof(p->bind));
	target_text(r->nat, p->target, sizeof(p->target));
	snprintf(p->by, sizeof(p->by), "%s", auditnat_kind_name(r->by));
	snprintf(p->service, sizeof(p->service), "%s", e ? e->service : "");
	snprintf(p->policy, sizeof(p->policy), "%s",
		 policy_kind_name(r->target && r->status == AUDIT_EXPOSED ?
				  (enum policy_kind)r->target->kind : r->kind));
	snprintf(p->why, sizeof(p->why), "%s", r->status == AUDIT_EXPOSED ? r->why : "");
}

int auditnat_published(const struct policy_db *db, const struct kstate *ks,
		       struct report_published **v, unsigned *n)
{
	struct natscan_list nat = { 0 };
	struct auditnat_row *rows;
	unsigned i;
	int ret = read_rows(db, ks, &nat, &rows);

	if (ret < 0)
		return ret;
	qsort(rows, nat.n, sizeof(*rows), worst_first);
	*v = calloc(nat.n + 1, sizeof(**v));
	*n = 0;
	for (i = 0; *v && i < nat.n; i++)
		if (rows[i].by != AUDITNAT_CLUSTERIP || rows[i].status == AUDIT_EXPOSED)
			to_published(&rows[i], &(*v)[(*n)++]);
	ret = *v ? 0 : -ENOMEM;
	free(rows);
	natscan_free(&nat);
	return ret;
}
