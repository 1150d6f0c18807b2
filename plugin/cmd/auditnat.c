// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden audit`: published ports.  A connection to a published port is
 * decided by the port the client connected to, before the DNAT, so the
 * status of a rule is that of the ports it publishes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auditnat.h"
#include "json.h"
#include "packet.h"

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

void auditnat_classify(const struct natscan_entry *nat, const struct policy_db *db,
		       auditnat_enforced_fn enforced, const void *ctx, struct auditnat_row *row)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	int guarded = 0, open_hole = 0, i;
	unsigned port;

	memset(row, 0, sizeof(*row));
	row->nat = nat;
	row->kind = POLICY_OPEN;
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
			if (!enforced(ctx, protos[i], (uint16_t)port))
				open_hole = 1;
		}
	}
	if (loopback_only(nat)) {
		row->status = AUDIT_LOCAL_ONLY;
		row->why = "published on a loopback address only";
	} else if (open_hole) {
		row->status = AUDIT_EXPOSED;
		row->why = "published by DNAT, and nothing stops outside connections to it";
	} else if (guarded) {
		row->status = AUDIT_PROTECTED;
	} else {
		row->status = AUDIT_OPEN;
		row->why = "published by DNAT, open by policy";
	}
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

static void print_table(const struct auditnat_row *rows, unsigned n, int router)
{
	static const char *colour[] = { "\033[1;31m", "\033[32m", "", "" };
	int tty = isatty(STDOUT_FILENO);
	unsigned i;

	printf("\n%s\n", router ? "Published ports and port forwards (DNAT):" :
	       "Published ports (DNAT):");
	printf("%-10s  %-15s  %-20s  %-28s  %-20s  %-14s  %s\n", "STATUS", "PORT", "ADDRESS",
	       "TARGET", "RULE", "SERVICE", "POLICY");
	for (i = 0; i < n; i++) {
		const struct auditnat_row *r = &rows[i];
		char port[24], bind[56], target[64], rule[72];

		port_text(r->nat, port, sizeof(port));
		bind_text(r->nat, bind, sizeof(bind));
		natscan_target_text(r->nat, target, sizeof(target));
		snprintf(rule, sizeof(rule), "%s %s", r->nat->table, r->nat->chain);
		printf("%s%-10s%s  %-15s  %-20s  %-28s  %-20s  %-14s  %s\n",
		       tty ? colour[r->status] : "", audit_status_name(r->status),
		       tty && colour[r->status][0] ? "\033[0m" : "", port, bind, target, rule,
		       r->entry ? r->entry->service : "-", policy_kind_name(r->kind));
		if (r->status == AUDIT_EXPOSED)
			printf("%12s%s\n", "", r->why);
	}
}

static void print_json(const struct auditnat_row *rows, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct auditnat_row *r = &rows[i];
		const struct natscan_entry *e = r->nat;
		char bind[56], target[64], rule[72], buf[1024];
		struct json j;

		bind_text(e, bind, sizeof(bind));
		natscan_target_text(e, target, sizeof(target));
		snprintf(rule, sizeof(rule), "%s %s", e->table, e->chain);
		json_begin(&j, buf, sizeof(buf));
		json_str(&j, "kind", "published");
		json_uint(&j, "port", e->port_lo);
		json_uint(&j, "port_end", e->port_hi);
		json_str(&j, "proto", proto_text(e));
		json_str(&j, "bind", bind);
		json_str(&j, "target", target);
		json_str(&j, "rule", rule);
		json_str(&j, "writer", e->writer == NATSCAN_NFT ? "nft" : "xtables");
		json_str(&j, "service", r->entry ? r->entry->service : "");
		json_str(&j, "policy", policy_kind_name(r->kind));
		json_str(&j, "status", audit_status_name(r->status));
		json_str(&j, "reason", r->why ? r->why : "");
		if (json_end(&j) > 0)
			fputs(buf, stdout);
	}
}

int auditnat_report(const struct policy_db *db, const struct config *cfg,
		    const struct kstate *ks, int json, int *exposed)
{
	struct natscan_list nat = { 0 };
	/* the installed table's mode, not the configuration's: what the kernel does */
	const struct enforcement f = { ks, ks->monitor };
	struct auditnat_row *rows;
	unsigned i;
	int ret = natscan_read(&nat);

	if (ret < 0)
		return ret;
	rows = calloc(nat.n + 1, sizeof(*rows));
	if (!rows) {
		natscan_free(&nat);
		return -ENOMEM;
	}
	for (i = 0; i < nat.n; i++) {
		auditnat_classify(&nat.v[i], db, kernel_enforces, &f, &rows[i]);
		*exposed += rows[i].status == AUDIT_EXPOSED;
	}
	if (json)
		print_json(rows, nat.n);
	else if (nat.n)
		print_table(rows, nat.n, cfg->nwan_ifaces > 0);
	free(rows);
	natscan_free(&nat);
	return 0;
}
