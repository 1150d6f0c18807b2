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
#include "portspec.h"

struct seen {
	unsigned long count;
	char last[32], path[8], action[16];
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

		if (logline_parse(line, (size_t)n, &r) < 0 || strcmp(r.src, src) ||
		    r.dport < ps->lo || r.dport > ps->hi || strcmp(r.proto, proto))
			continue;
		seen->count += r.count;
		memcpy(seen->last, r.ts, sizeof(seen->last));
		memcpy(seen->path, r.path, sizeof(seen->path));
		memcpy(seen->action, r.action, sizeof(seen->action));
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
			   const struct config *cfg)
{
	char text[512], file[512];

	if (!e) {
		printf("  policy:  open: no entry guards this port\n");
		return;
	}
	printf("  entry:   %s %s (%s:%u)\n", e->service, policy_kind_name(e->kind),
	       safetext(file, sizeof(file), e->file), e->line);
	if (e->title)
		printf("           %s\n", safetext(text, sizeof(text), e->title));
	if (e->kind == POLICY_LOOPBACK_ONLY)
		printf("  policy:  loopback-only: only this host itself may connect\n");
	else if (e->kind == POLICY_LAN_ONLY && lan)
		printf("  policy:  lan-only: %s is in the LAN, so it may connect\n", src);
	else if (e->kind == POLICY_LAN_ONLY)
		printf("  policy:  lan-only: %s is not in the LAN%s\n", src,
		       cfg->lan_nets_mode == CONFIG_LAN_NONE ? " (lan_networks = none)" :
		       " (portwarden status lists it; lan_networks, lan_interfaces)");
	else
		printf("  policy:  open: anyone may connect\n");
	if (e->served_by)
		printf("  served:  open while one of these listens: %s\n",
		       safetext(text, sizeof(text), e->served_by));
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

int cmd_why(const struct settings *s, int argc, char **argv)
{
	struct portspec ps[PORTSPEC_MAX];
	struct packet_info pkt;
	struct policy_db *db;
	struct config cfg;
	int n, i, lan;

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
	for (i = 0; i < n; i++) {
		static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };

		for (int k = 0; k < 2; k++) {
			const char *proto = packet_l4_name(protos[k]);
			const struct policy_entry *e;
			struct seen seen = { 0 };

			if (!(ps[i].protos & (k ? POLICY_UDP : POLICY_TCP)))
				continue;
			e = policy_lookup(db, protos[k], ps[i].lo);
			printf("%u/%s from %s:\n", ps[i].lo, proto, argv[0]);
			explain_policy(e, argv[0], lan, &cfg);
			scan_log(cfg.log_file, argv[0], &ps[i], proto, &seen);
			if (seen.count)
				printf("  log:     %lu attempt%s %s, the last at %s (path %s)\n", seen.count,
				       seen.count == 1 ? "" : "s", seen.action, seen.last, seen.path);
			else
				printf("  log:     nothing from %s to this port in %s\n", argv[0], cfg.log_file);
			if (e && e->kind != POLICY_OPEN)
				printf("  allow:   portwarden allow %u/%s%s\n", ps[i].lo, proto,
				       e->kind == POLICY_LOOPBACK_ONLY ? "        (everyone; --lan: the LAN only)"
								       : "        (everyone)");
		}
	}
	policy_db_free(db);
	return 0;
}
