// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden status`: the table in the kernel, its worker and counters. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safetext.h"
#include "commands.h"
#include "json.h"
#include "kstate.h"
#include "packet.h"

/* Each interface's zone, read back from the kernel */
static void print_zones(const struct kstate *ks)
{
	unsigned i, lan = 0;

	for (i = 0; i < ks->nzones; i++)
		lan += !strcmp(ks->zones[i].zone, "lan");
	printf("zones:     %u interface%s, %u in zone lan\n", ks->nzones, ks->nzones == 1 ? "" : "s",
	       lan);
	for (i = 0; i < ks->nzones; i++) {
		char iface[KSTATE_COMMENT_MAX], why[KSTATE_COMMENT_MAX];

		/* the kernel returns what anyone with CAP_NET_ADMIN wrote */
		printf("  %-16s %-7s %s\n", safetext(iface, sizeof(iface), ks->zones[i].iface),
		       ks->zones[i].zone, safetext(why, sizeof(why), ks->zones[i].why));
	}
}

/* The effective LAN, read back from the kernel: what reaches lan-only ports. */
static void print_lan(const struct kstate *ks)
{
	unsigned i;

	if (!ks->nlan) {
		printf("lan:       none (lan-only ports answer this host only)\n");
		return;
	}
	printf("lan:       %u part%s (may reach lan-only ports; every source reverse-path checked)\n",
	       ks->nlan, ks->nlan == 1 ? "" : "s");
	for (i = 0; i < ks->nlan; i++) {
		char part[KSTATE_COMMENT_MAX], why[KSTATE_COMMENT_MAX];

		printf("  %-44s %s\n", safetext(part, sizeof(part), ks->lan[i].part),
		       safetext(why, sizeof(why), ks->lan[i].why));
	}
}

/* One element of a port set: port, comment, and the counter when it has one */
static void print_port(const struct kstate_port *p, int counted)
{
	char port[16], num[4], comment[256];

	snprintf(port, sizeof(port), "%u/%s", p->port, packet_proto_name(p->proto, num, sizeof(num)));
	/* the kernel returns what anyone with CAP_NET_ADMIN wrote */
	safetext(comment, sizeof(comment), p->comment);
	if (counted)
		printf("  %-11s %-48s %8llu packets %10llu bytes\n", port, comment,
		       (unsigned long long)p->packets, (unsigned long long)p->bytes);
	else
		printf("  %-11s %s\n", port, comment);
}

static void print_text(const struct kstate *ks)
{
	unsigned i;

	printf("table:     inet %s installed\n", RULESET_TABLE);
	if (!ks->queue_rule) {
		printf("queue:     no queue rule found (table not made by this portwarden?)\n");
		return;
	}
	printf("mode:      %s\n", ks->monitor ? "monitor (nothing is blocked: what would be is logged)"
					       : "enforce");
	if (ks->learning)
		printf("adoption:  window open: lan-only ports log would-block, block nothing "
		       "(portwarden adopt --finish)\n");
	printf("backend:   %s, queue %u\n", ruleset_backend_name(ks->backend), ks->queue_num);
	if (ks->backend == RULESET_QUEUE_COMPAT)
		printf("           (this kernel has no nft queue expression; nft list shows the\n"
		       "           queue rule with \"managed by iptables-nft\" and \"libxtables:\n"
		       "           unhandled NFPROTO\": that is this rule, written by portwarden)\n");
	printf("fail mode: %s\n", ks->fail_open ? "open (guarded ports reachable while no worker listens)"
						 : "closed (guarded ports unreachable while no worker listens)");
	if (ks->worker)
		printf("worker:    running (netlink port %u; %llu packets queued so far, %llu dropped)\n",
		       ks->worker_portid, ks->queue_total, ks->queue_dropped);
	else
		printf("worker:    not running\n");
	printf("guarded:   %u ports (%u of them lan-only)\n", ks->guarded, ks->lan_only);
	printf("blocked:   %u port%s\n", ks->nblocked, ks->nblocked == 1 ? "" : "s");
	for (i = 0; i < ks->nblocked; i++)
		print_port(&ks->blocked[i], 1);
	printf("served:    %u port%s open while a public server of the protocol listens\n",
	       ks->nserved, ks->nserved == 1 ? "" : "s");
	for (i = 0; i < ks->nserved; i++)
		print_port(&ks->served[i], 0);
	printf("listener:  %u port%s guarded as the process listening there decides\n",
	       ks->nlistened, ks->nlistened == 1 ? "" : "s");
	for (i = 0; i < ks->nlistened; i++)
		print_port(&ks->listened[i], 0);
	printf("repeats:   %llu packets repeating an attempt logged within the last second\n",
	       ks->repeats);
	printf("unlogged:  %llu attempts dropped without a line of their own (a source past "
	       "log_rate, or a flood past its port's reserve)\n", ks->unlogged);
	printf("replies:   %s\n", ks->conntrack ?
	       "UDP decided after connection tracking, which the host's NAT runs anyway" :
	       "told by the socket they belong to, without connection tracking");
	if (ks->has_forward)
		printf("forward:   %llu connections from WAN interfaces to guarded ports behind this host dropped\n",
		       ks->forward_drops);
	print_zones(ks);
	print_lan(ks);
}

/* A port set's elements as a JSON array, with their counters when counted */
static void json_ports(struct json *j, const char *name, const struct kstate_port *p, unsigned n,
		       int counted)
{
	unsigned i;

	json_open(j, name, '[');
	for (i = 0; i < n; i++) {
		char num[4];

		json_open(j, NULL, '{');
		json_uint(j, "port", p[i].port);
		json_str(j, "proto", packet_proto_name(p[i].proto, num, sizeof(num)));
		json_str(j, "comment", p[i].comment);
		if (counted) {
			json_uint(j, "packets", p[i].packets);
			json_uint(j, "bytes", p[i].bytes);
		}
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* room for the fixed fields and each listed element, its comment escaped */
#define JSON_FIXED	4096
#define JSON_PER_ELEM	(6 * 2 * KSTATE_COMMENT_MAX + 128)

static void print_json(const struct kstate *ks, const char *refused)
{
	size_t cap = JSON_FIXED + JSON_PER_ELEM * ((size_t)ks->nzones + ks->nlan + ks->nblocked +
						   ks->nserved + ks->nlistened) +
		     (refused ? 6 * strlen(refused) : 0);
	char *buf = malloc(cap);
	struct json j;

	if (!buf) {
		fprintf(stderr, "portwarden: out of memory\n");
		return;
	}
	json_begin(&j, buf, cap);
	json_raw_bool(&j, "installed", ks->installed);
	if (refused)
		json_str(&j, "files_refused", refused);
	if (ks->installed && ks->queue_rule) {
		json_str(&j, "backend", ks->backend == RULESET_QUEUE_NATIVE ? "native" : "compat");
		json_uint(&j, "queue", ks->queue_num);
		json_str(&j, "mode", ks->monitor ? "monitor" : "enforce");
		json_raw_bool(&j, "adoption_window", ks->learning);
		json_str(&j, "fail_mode", ks->fail_open ? "open" : "closed");
		json_raw_bool(&j, "worker", ks->worker);
		json_uint(&j, "queued", ks->queue_total);
		json_uint(&j, "guarded", ks->guarded);
		json_uint(&j, "lan_only", ks->lan_only);
		json_ports(&j, "blocked", ks->blocked, ks->nblocked, 1);
		json_ports(&j, "served", ks->served, ks->nserved, 0);
		json_ports(&j, "listener", ks->listened, ks->nlistened, 0);
		json_uint(&j, "repeats", ks->repeats);
		json_uint(&j, "unlogged", ks->unlogged);
		json_raw_bool(&j, "conntrack", ks->conntrack);
		if (ks->has_forward)
			json_uint(&j, "forward_drops", ks->forward_drops);
		json_open(&j, "zones", '[');
		for (unsigned i = 0; i < ks->nzones; i++) {
			json_open(&j, NULL, '{');
			json_str(&j, "interface", ks->zones[i].iface);
			json_str(&j, "zone", ks->zones[i].zone);
			json_str(&j, "reason", ks->zones[i].why);
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_open(&j, "lan", '[');
		for (unsigned i = 0; i < ks->nlan; i++) {
			json_open(&j, NULL, '{');
			json_str(&j, "part", ks->lan[i].part);
			json_str(&j, "reason", ks->lan[i].why);
			json_close(&j, '}');
		}
		json_close(&j, ']');
	}
	if (json_end(&j) > 0)
		fputs(buf, stdout);
	free(buf);
}

/* The files on disk as the daemon would read them at its next reload:
 * NULL when they load, else their FILE:LINE errors (to free).  Without
 * the shipped database there is no installation to judge. */
static char *refused_files(const struct settings *s)
{
	struct policy_db *db;
	struct config cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *err;

	if (access(settings_shipped_db(s), F_OK) < 0)
		return NULL;
	err = open_memstream(&text, &len);
	if (!err)
		return NULL;
	db = settings_load(s, &cfg, err);
	fclose(err);
	if (db) {
		policy_db_free(db);
		free(text);
		return NULL;
	}
	return text;
}

static void print_refused(const char *errors)
{
	const char *line = errors;

	printf("files:     refused: the daemon keeps the policy it had (fix, then portwarden reload)\n");
	while (*line) {
		size_t n = strcspn(line, "\n");
		char safe[1024], raw[1024];

		snprintf(raw, sizeof(raw), "%.*s", (int)n, line);
		printf("  %s\n", safetext(safe, sizeof(safe), raw));
		line += n + (line[n] == '\n');
	}
}

int cmd_status(const struct settings *s)
{
	struct kstate ks;
	int ret = kstate_read(&ks);
	char *refused;

	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot read the ruleset: %s%s\n", strerror(-ret),
			ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return 4;
	}
	refused = refused_files(s);
	if (s->json)
		print_json(&ks, refused);
	else if (!ks.installed)
		printf("table:     inet %s not installed: nothing is guarded\n", RULESET_TABLE);
	else
		print_text(&ks);
	if (refused && !s->json)
		print_refused(refused);
	kstate_free(&ks);
	/* like an init script: 0 enforcing, 1 table without worker, 3 nothing;
	 * and 5 for a worker that only watches, so monitoring can tell; 6
	 * before all of them: files the next start or reload would refuse */
	if (refused) {
		free(refused);
		return 6;
	}
	if (!ks.installed)
		return 3;
	if (!ks.worker)
		return 1;
	return ks.monitor ? 5 : 0;
}
