// SPDX-License-Identifier: GPL-2.0-or-later
/* Turning command-line options into a loaded config and policy database:
 * below both the commands and the daemon, which read the same files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expiry.h"
#include "learnfile.h"
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

static const char local_rules[] = PW_SYSCONFDIR "/local.rules";

const char *settings_shipped_db(const struct settings *s)
{
	return s->ndb ? s->db_paths[0] : PW_DATADIR "/ports.db";
}

const char *settings_local_rules(const struct settings *s)
{
	if (!s->ndb)
		return local_rules;
	return s->ndb > 1 ? s->db_paths[s->ndb - 1] : NULL;
}

/* One file of the set; `replaced` stands in for the file of that name. */
struct replacement {
	const char *path;
	char *text;
	size_t len;
};

static unsigned load_one(struct policy_db *db, const char *path, const struct replacement *r,
			 FILE *err)
{
	if (r && !strcmp(path, r->path))
		return policy_db_load_buf(db, path, r->text, r->len, err);
	return policy_db_load_file(db, path, err);
}

static unsigned load_databases(const struct settings *s, struct policy_db *db,
			       const struct replacement *r, FILE *err)
{
	unsigned errors = 0;

	if (s->ndb) {
		for (unsigned i = 0; i < s->ndb; i++)
			errors += load_one(db, s->db_paths[i], r, err);
		return errors;
	}
	errors += load_one(db, PW_DATADIR "/ports.db", r, err);
	/* local.rules is optional; a missing one means no local overrides */
	if ((r && !strcmp(r->path, local_rules)) || access(local_rules, F_OK) == 0 || errno != ENOENT)
		errors += load_one(db, local_rules, r, err);
	return errors;
}

/* File times come from a clock that ticks every few milliseconds: a
 * change this recent may be followed by another with the same times */
#define RACY_SEC 2

static void stamp_one(const char *path, unsigned i, time_t now, struct settings_stamp *out)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return;	/* absent or unreadable: the load will say */
	if (st.st_mtim.tv_sec >= now - RACY_SEC || st.st_ctim.tv_sec >= now - RACY_SEC)
		out->racy = 1;
	out->file[i].dev = st.st_dev;
	out->file[i].ino = st.st_ino;
	out->file[i].size = st.st_size;
	out->file[i].mtim = st.st_mtim;
	out->file[i].ctim = st.st_ctim;
	out->file[i].present = 1;
}

void settings_db_stamp(const struct settings *s, struct settings_stamp *out)
{
	time_t now = time(NULL);
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (!s->ndb) {
		stamp_one(PW_DATADIR "/ports.db", 0, now, out);
		stamp_one(local_rules, 1, now, out);
		return;
	}
	for (i = 0; i < s->ndb; i++)
		stamp_one(s->db_paths[i], i, now, out);
}

/* An open adoption window: its state file exists.  One that does not
 * parse still holds the window open (it was written to be ended by
 * `adopt --finish`): lan-only ports keep logging rather than cut clients. */
static void read_adoption(struct config *cfg, FILE *err)
{
	struct learnfile lf;
	int ret = learnfile_load(cfg->adopt_state, &lf, err);

	if (ret < 0 && err)
		fprintf(err, "%s: %s; taken as an open adoption window\n", cfg->adopt_state,
			strerror(-ret));
	cfg->learning = ret != 0;
	cfg->learn_started = lf.started;
	cfg->learn_until = lf.until;
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
	read_adoption(cfg, err);
	return errors ? -1 : 0;
}

static struct policy_db *load_all(const struct settings *s, struct config *cfg,
				  const struct replacement *r, FILE *err)
{
	struct policy_db *db;
	unsigned errors;

	errors = settings_load_config(s, cfg, err) < 0;
	db = policy_db_new();
	if (!db) {
		fprintf(err, "out of memory\n");
		return NULL;
	}
	errors += load_databases(s, db, r, err);
	if (errors) {
		policy_db_free(db);
		return NULL;
	}
	/* entries whose time ran out (allow --timeout) are what comes after */
	expiry_apply(db, (int64_t)time(NULL));
	policy_db_build_index(db);
	return db;
}

struct policy_db *settings_load(const struct settings *s, struct config *cfg, FILE *err)
{
	return load_all(s, cfg, NULL, err);
}

struct policy_db *settings_load_with(const struct settings *s, const char *path,
				     const char *text, size_t len, FILE *err)
{
	/* the parser cuts lines in place: it gets a copy */
	struct replacement r = { path, malloc(len + 1), len };
	struct policy_db *db;
	struct config cfg;

	if (!r.text) {
		fprintf(err, "out of memory\n");
		return NULL;
	}
	memcpy(r.text, text, len);
	r.text[len] = '\0';
	db = load_all(s, &cfg, &r, err);
	free(r.text);
	return db;
}
