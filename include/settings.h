/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SETTINGS_H
#define PORTWARDEN_SETTINGS_H

#include <stdio.h>

#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "policy.h"

/* What the command line says about where configuration lives. */
#define SETTINGS_DB_MAX 16

struct settings {
	const char *config_path;
	int config_explicit;
	const char *db_paths[SETTINGS_DB_MAX];
	unsigned ndb;
	const char *log_path;	/* --log, overrides log_file */
	long queue;		/* --queue, -1 when not given */
	int json;
	int verbose;
	int lint;		/* check --lint */
	/* `portwarden log` filters, as given */
	const char *since, *until, *port, *source, *service;
	int follow, summary, all;
	int local_time;		/* log, report: times in the local time zone */
	int text;		/* report --text */
	const char *output;	/* report -o FILE */
	/* allow / guard */
	int lan;
	const char *why;
	const char *from;	/* --from CIDR[,CIDR...] */
	const char *timeout;	/* --timeout DURATION */
	int dry_run;	/* adopt */
	const char *adopt_window;	/* adopt --window DURATION */
	int finish, if_due, open;	/* adopt --finish [--if-due], --open */
	int help;
};

void settings_defaults(struct settings *s);
int settings_add_db(struct settings *s, const char *path);

/* The rules file that allow, guard and reset edit: the last of the set
 * (local.rules by default); NULL when the set has only one file. */
const char *settings_local_rules(const struct settings *s);

/* The first rules file of the set: the shipped database by default. */
const char *settings_shipped_db(const struct settings *s);

/* Loads the set with the file `path` read from text instead of disk. */
struct policy_db *settings_load_with(const struct settings *s, const char *path,
				     const char *text, size_t len, FILE *err);

/* The database files of the set as they are on disk (device, inode,
 * size, change times; absent files too): equal stamps taken before two
 * loads mean the second would parse what the first did, unless one is
 * racy: a file changed within the file system's timestamp granularity of
 * the stamp could change again without its times telling. */
struct settings_stamp {
	int racy;
	struct {
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtim, ctim;
		int present;
	} file[SETTINGS_DB_MAX + 1];
};
void settings_db_stamp(const struct settings *s, struct settings_stamp *out);

/* Loads only the config (commands that need no database). */
int settings_load_config(const struct settings *s, struct config *cfg, FILE *err);

/* Loads config and database as the settings say; reports every error to
 * err and returns NULL when anything is wrong, leaving nothing half-loaded. */
struct policy_db *settings_load(const struct settings *s, struct config *cfg, FILE *err);

#endif
