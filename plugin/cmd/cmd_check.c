// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden check`: validates the database and the configuration. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "policy_lint.h"
#include "portmap.h"

static void count_ports(const struct policy_db *db, unsigned counts[2][3])
{
	struct portmap_pos p = PORTMAP_START;

	while (portmap_next(&p))
		counts[portmap_slot(p.proto)][policy_kind_of(db, p.proto, p.port)]++;
}

/* The daemon writes metrics_file into a directory it does not make, but
 * the unit's RuntimeDirectory is made by systemd when the service starts. */
static int metrics_dir_missing(const struct settings *s, const struct config *cfg)
{
	char dir[sizeof(cfg->metrics_file)];
	char *slash;
	struct stat st;

	if (!cfg->metrics_file[0])
		return 0;
	snprintf(dir, sizeof(dir), "%s", cfg->metrics_file);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (!strcmp(dir, "/run/portwarden") || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	fprintf(stderr, "%s: metrics_file %s: directory %s does not exist; make it, or choose "
		"another (/run/portwarden is the unit's)\n", s->config_path, cfg->metrics_file, dir);
	return 1;
}

int cmd_check(const struct settings *s)
{
	unsigned counts[2][3] = { { 0 } };
	struct policy_db *db;
	struct config cfg;
	unsigned findings = 0;

	db = settings_load(s, &cfg, stderr);
	if (!db || metrics_dir_missing(s, &cfg)) {
		fprintf(stderr, "portwarden: configuration refused, nothing applied\n");
		policy_db_free(db);
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
