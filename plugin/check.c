// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden check` and `portwarden lookup`: read-only views of the policy. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "lookup.h"

static void count_ports(const struct policy_db *db, unsigned counts[2][3])
{
	static const int protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned p;
	int i;

	for (i = 0; i < 2; i++)
		for (p = 1; p <= 65535; p++)
			counts[i][policy_kind_of(db, protos[i], (uint16_t)p)]++;
}

int cmd_check(const struct settings *s)
{
	unsigned counts[2][3] = { { 0 } };
	struct policy_db *db;
	struct config cfg;

	db = settings_load(s, &cfg, stderr);
	if (!db) {
		fprintf(stderr, "portwarden: configuration refused, nothing applied\n");
		return 1;
	}
	count_ports(db, counts);
	printf("ok: %u entries in %u file%s; guarded ports: loopback-only %u tcp + %u udp, lan-only %u tcp + %u udp\n",
	       db->nentries, db->nfiles, db->nfiles == 1 ? "" : "s",
	       counts[0][POLICY_LOOPBACK_ONLY], counts[1][POLICY_LOOPBACK_ONLY],
	       counts[0][POLICY_LAN_ONLY], counts[1][POLICY_LAN_ONLY]);
	policy_db_free(db);
	return 0;
}

int cmd_lookup(const struct settings *s, int argc, char **argv)
{
	struct policy_db *db;
	struct config cfg;
	int i, status = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: portwarden lookup PORT[/tcp|/udp]...\n");
		return 2;
	}
	db = settings_load(s, &cfg, stderr);
	if (!db)
		return 2;
	for (i = 0; i < argc; i++) {
		if (i && !s->json)
			putchar('\n');
		if (lookup_print(stdout, db, argv[i], s->json) < 0) {
			fprintf(stderr, "portwarden: \"%s\" is not PORT, PORT/tcp or PORT/udp (1-65535)\n",
				argv[i]);
			status = 2;
		}
	}
	policy_db_free(db);
	return status;
}
