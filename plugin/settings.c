// SPDX-License-Identifier: GPL-2.0-or-later
/* Turning command-line options into a loaded config and policy database. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "settings.h"

#ifndef PW_DATADIR
#define PW_DATADIR "/usr/share/portwarden"
#endif
#ifndef PW_SYSCONFDIR
#define PW_SYSCONFDIR "/etc/portwarden"
#endif

void settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->config_path = PW_SYSCONFDIR "/portwarden.conf";
	s->queue = -1;
}

int settings_add_db(struct settings *s, const char *path)
{
	if (s->ndb == SETTINGS_DB_MAX)
		return -E2BIG;
	s->db_paths[s->ndb++] = path;
	return 0;
}

static unsigned load_databases(const struct settings *s, struct policy_db *db, FILE *err)
{
	static const char local_rules[] = PW_SYSCONFDIR "/local.rules";
	unsigned errors = 0;

	if (s->ndb) {
		for (unsigned i = 0; i < s->ndb; i++)
			errors += policy_db_load_file(db, s->db_paths[i], err);
		return errors;
	}
	errors += policy_db_load_file(db, PW_DATADIR "/ports.db", err);
	/* local.rules is optional; a missing one means no local overrides */
	if (access(local_rules, F_OK) == 0 || errno != ENOENT)
		errors += policy_db_load_file(db, local_rules, err);
	return errors;
}

int settings_load_config(const struct settings *s, struct config *cfg, FILE *err)
{
	unsigned errors;

	config_defaults(cfg);
	errors = config_load_file(cfg, s->config_path, !s->config_explicit, err);
	if (s->log_path)
		snprintf(cfg->log_file, sizeof(cfg->log_file), "%s", s->log_path);
	if (s->queue >= 0)
		cfg->queue_num = (uint16_t)s->queue;
	return errors ? -1 : 0;
}

struct policy_db *settings_load(const struct settings *s, struct config *cfg, FILE *err)
{
	struct policy_db *db;
	unsigned errors;

	errors = settings_load_config(s, cfg, err) < 0;
	db = policy_db_new();
	if (!db) {
		fprintf(err, "out of memory\n");
		return NULL;
	}
	errors += load_databases(s, db, err);
	if (errors) {
		policy_db_free(db);
		return NULL;
	}
	policy_db_build_index(db);
	return db;
}
