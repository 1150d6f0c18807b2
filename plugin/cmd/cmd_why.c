// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden why SOURCE PORT`: why a connection was (or would be)
 * blocked, and the command that would allow it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetext.h"
#include "commands.h"
#include "lanwatch.h"
#include "packet.h"
#include "logline.h"
#include "otherfw.h"
#include "portspec.h"
#include "whyadvice.h"

struct seen {
	unsigned long count;
	char last[32], path[8], action[16], iif[32];
	unsigned long blocked;
};

/* What the blocked-connection log says about this source and port. */
static void scan_log(const char *path, const char *src, const struct portspec *ps, const char *proto,
		     struct seen *seen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct log_record r;

		/* a record is the line without its end */
		if (line[n - 1] == '\n')
			n--;
		if (logline_parse(line, (size_t)n, &r) < 0 || strcmp(r.src, src) ||
		    r.dport < ps->lo || r.dport > ps->hi || strcmp(r.proto, proto))
			continue;
		seen->count += r.count;
		memcpy(seen->last, r.ts, sizeof(seen->last));
		memcpy(seen->path, r.path, sizeof(seen->path));
		memcpy(seen->action, r.action, sizeof(seen->action));
		memcpy(seen->iif, r.iif, sizeof(seen->iif));
		if (!strcmp(r.action, "blocked"))
			seen->blocked += r.count;
	}
	free(line);
	fclose(f);
}

static int parse_source(const char *text, struct packet_info *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	if (inet_pton(AF_INET, text, pkt->saddr) == 1)
		pkt->family = AF_INET;
	else if (inet_pton(AF_INET6, text, pkt->saddr) == 1)
		pkt->family = AF_INET6;
	else
		return -1;
	return 0;
}

static void explain_policy(const struct policy_entry *e, const char *src, int lan,
			   const struct config *cfg, const struct whyadvice *a, int dropped)
{
	/* another table may drop what portwarden lets through */
	const char *may = dropped ? "portwarden lets it through" : "so it may connect";
	char text[512], file[512];

	if (!e) {
		printf("  policy:  open: no entry guards this port%s\n",
		       dropped ? " (portwarden lets everyone through)" : "");
		return;
	}
	printf("  entry:   %s %s (%s:%u)\n", e->service, policy_kind_name(e->kind),
	       safetext(file, sizeof(file), e->file), e->line);
	if (e->title)
		printf("           %s\n", safetext(text, sizeof(text), e->title));
	if (e->kind == POLICY_LOOPBACK_ONLY)
		printf("  policy:  loopback-only: only this host itself may connect\n");
	else if (e->kind == POLICY_LAN_ONLY && lan)
		printf("  policy:  lan-only: %s is in the LAN, %s\n", src, may);
	else if (e->kind == POLICY_LAN_ONLY && a->listed)
		printf("  policy:  lan-only: %s is not in the LAN\n", src);
	else if (e->kind == POLICY_LAN_ONLY)
		printf("  policy:  lan-only: %s is not in the LAN%s\n", src,
		       cfg->lan_nets_mode == CONFIG_LAN_NONE ? " (lan_networks = none)" :
		       " (portwarden status lists it; lan_networks, lan_interfaces)");
	else
		printf("  policy:  open: %s\n", dropped ? "portwarden lets anyone through" :
		       "anyone may connect");
	if (e->served_by)
		printf("  served:  open while one of these listens: %s\n",
		       safetext(text, sizeof(text), e->served_by));
	if (e->listen_lan)
		printf("  listener: lan-only while one of these listens: %s\n",
		       safetext(text, sizeof(text), e->listen_lan));
	if (e->listen_loopback)
		printf("  listener: loopback-only while one of these listens: %s\n",
		       safetext(text, sizeof(text), e->listen_loopback));
	if (a->listed) {
		char net[64];

		policy_net_text(&a->listed->net, net, sizeof(net));
		printf("  from:    admitted by %s:%u from %s, through the interface that routes "
		       "back to it\n", safetext(file, sizeof(file), e->file), a->listed->line, net);
	}
	if (a->overlay[0])
		printf("  overlay: %s is an address of %s\n", src, a->overlay);
}

/* The narrowest change first; never everyone where a network fits. */
static void advise(const struct whyadvice *a, uint16_t port, const char *proto,
		   const struct seen *seen)
{
	unsigned i;

	if ((a->listed || a->lan) && seen->blocked) {
		char iif[64];

		printf("  note:    blocked nonetheless: it came in on %s, and the route back to "
		       "it leaves elsewhere (a forged source or an asymmetric route), or it "
		       "was blocked before the change\n",
		       seen->iif[0] ? safetext(iif, sizeof(iif), seen->iif) : "another interface");
	}
	if (a->listed || a->lan)
		return;
	for (i = 0; i < a->nfrom; i++) {
		char net[64], cmd[128];

		policy_net_text(&a->from[i], net, sizeof(net));
		snprintf(cmd, sizeof(cmd), "portwarden allow %u/%s --from %s", port, proto, net);
		printf("  %-8s %-52s (%s)\n", i ? "" : "allow:", cmd, a->from_what[i]);
	}
	if (a->lan_fits) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "portwarden allow %u/%s --lan", port, proto);
		printf("  %-8s %-52s (the whole LAN)\n", "", cmd);
	}
}

#define LOCALS_MAX 256

/* What the other tables (ufw, firewalld, Docker's, a plain nft table) do
 * to a first packet from the source: a drop there is silence whatever
 * portwarden decides. */
static void judge_others(const struct otherfw *fw, const struct packet_info *pkt, uint8_t proto,
			 uint16_t port, struct otherfw_verdict *v)
{
	static uint8_t locals[LOCALS_MAX][16];
	struct otherfw_query q = { pkt->family, proto, port, pkt->saddr, NULL, locals, 0 };

	q.nlocals = otherfw_host_addrs(pkt->family, locals, LOCALS_MAX);
	otherfw_judge(fw, &q, v);
}

static void explain_others(const struct otherfw_verdict *v)
{
	char text[256];

	if (v->result == OTHERFW_PASSES)
		return;
	otherfw_text(v, text, sizeof(text));
	if (v->result == OTHERFW_DROPPED)
		printf("  other:   %s: the client gets nothing, whatever portwarden decides; "
		       "allow it there too\n", text);
	else
		printf("  other:   %s (by rules that depend on what the question does not say: "
		       "a set, a mark, a rate, an interface)\n", text);
}

/* The effective LAN as the daemon computes it, asked about an address
 * whose interface is not known. */
static int why_in_lan(const struct config *cfg, const struct packet_info *pkt)
{
	struct lan *lan = calloc(1, sizeof(*lan));
	int in;

	if (!lan)
		return 0;
	if (lanwatch_effective(cfg, lan) < 0)
		fprintf(stderr, "portwarden: cannot read the interfaces; the LAN is what "
			"portwarden.conf names\n");
	in = lan_address_reason(lan, pkt->family, pkt->saddr) != NULL;
	lan_free(lan);
	free(lan);
	return in;
}

/* The host's interfaces and addresses, for an overlay interface's own
 * network; NULL when they cannot be read. */
static struct lan_host *read_host(void)
{
	struct lan_host *host = calloc(1, sizeof(*host));
	struct lanwatch w;

	if (!host)
		return NULL;
	if (lanwatch_open(&w) < 0) {
		free(host);
		return NULL;
	}
	if (lanwatch_read(&w, host) < 0) {
		lanhost_free(host);
		free(host);
		host = NULL;
	}
	lanwatch_close(&w);
	return host;
}

int cmd_why(const struct settings *s, int argc, char **argv)
{
	struct portspec ps[PORTSPEC_MAX];
	struct lan_host *host = NULL;
	struct otherfw others;
	struct packet_info pkt;
	struct policy_db *db;
	struct config cfg;
	int n, i, lan, have_others;

	(void)argc;
	if (parse_source(argv[0], &pkt) < 0) {
		fprintf(stderr, "portwarden: \"%s\" is not an IPv4 or IPv6 address\n", argv[0]);
		return 2;
	}
	db = settings_load(s, &cfg, stderr);
	if (!db)
		return 1;
	n = portspec_resolve(db, argv[1], ps, PORTSPEC_MAX);
	if (n < 0) {
		fprintf(stderr, "portwarden: \"%s\" is not a port or a service of the database\n", argv[1]);
		policy_db_free(db);
		return 2;
	}
	lan = why_in_lan(&cfg, &pkt);
	have_others = otherfw_read(&others) == 0;
	for (i = 0; i < n; i++) {
		static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };

		for (int k = 0; k < 2; k++) {
			const char *proto = packet_l4_name(protos[k]);
			const struct policy_entry *e;
			struct otherfw_verdict other = { .result = OTHERFW_PASSES };
			struct seen seen = { 0 };
			struct whyadvice a = { 0 };

			if (!(ps[i].protos & (k ? POLICY_UDP : POLICY_TCP)))
				continue;
			e = policy_lookup(db, protos[k], ps[i].lo);
			scan_log(cfg.log_file, argv[0], &ps[i], proto, &seen);
			if (e && e->kind != POLICY_OPEN) {
				if (!host && (!strncmp(seen.iif, "wg", 2) || !strncmp(seen.iif, "zt", 2) ||
					      !strncmp(seen.iif, "tailscale", 9)))
					host = read_host();
				whyadvice_compute(e, pkt.family, pkt.saddr, seen.iif, lan, host, &a);
			}
			if (have_others)
				judge_others(&others, &pkt, protos[k], ps[i].lo, &other);
			printf("%u/%s from %s:\n", ps[i].lo, proto, argv[0]);
			explain_policy(e, argv[0], lan, &cfg, &a, other.result == OTHERFW_DROPPED);
			if (seen.count) {
				char text[4][64];

				printf("  log:     %lu attempt%s %s, the last at %s (path %s%s%s)\n", seen.count,
				       seen.count == 1 ? "" : "s", safetext(text[0], 64, seen.action),
				       safetext(text[1], 64, seen.last), safetext(text[2], 64, seen.path),
				       seen.iif[0] ? ", on " : "", safetext(text[3], 64, seen.iif));
			}
			else
				printf("  log:     nothing from %s to this port in %s\n", argv[0], cfg.log_file);
			explain_others(&other);
			if (e && e->kind != POLICY_OPEN)
				advise(&a, ps[i].lo, proto, &seen);
		}
	}
	if (have_others)
		otherfw_free(&others);
	if (host)
		lanhost_free(host);
	free(host);
	policy_db_free(db);
	return 0;
}
