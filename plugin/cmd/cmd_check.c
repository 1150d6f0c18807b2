// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden check`: validates the database and the configuration. */
#include <stdio.h>

#include "commands.h"
#include "policy_lint.h"
#include "portmap.h"

static void count_ports(const struct policy_db *db, unsigned counts[2][3])
{
	struct portmap_pos p = PORTMAP_START;

	while (portmap_next(&p))
		counts[portmap_slot(p.proto)][policy_kind_of(db, p.proto, p.port)]++;
}

int cmd_check(const struct settings *s)
{
	unsigned counts[2][3] = { { 0 } };
	struct policy_db *db;
	struct config cfg;
	unsigned findings = 0;

	db = settings_load(s, &cfg, stderr);
	if (!db) {
		fprintf(stderr, "portwarden: configuration refused, nothing applied\n");
		return 1;
	}
	if (s->lint)
		findings = policy_lint(db, stdout);
	count_ports(db, counts);
	printf("ok: %u entries in %u file%s; guarded ports: loopback-only %u tcp + %u udp, lan-only %u tcp + %u udp\n",
	       db->nentries, db->nfiles, db->nfiles == 1 ? "" : "s",
	       counts[0][POLICY_LOOPBACK_ONLY], counts[1][POLICY_LOOPBACK_ONLY],
	       counts[0][POLICY_LAN_ONLY], counts[1][POLICY_LAN_ONLY]);
	if (s->lint)
		printf("lint: %u finding%s\n", findings, findings == 1 ? "" : "s");
	policy_db_free(db);
	return findings ? 1 : 0;
}
