/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_TESTDB_H
#define PORTWARDEN_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* A policy database from rules text, read as file `name` (element comments
 * and lint name it); NULL when the text has errors, printed on stderr.
 * The parser cuts its buffer into words, so it gets a copy. */
static inline struct policy_db *testdb_from(const char *name, const char *text)
{
	struct policy_db *db = policy_db_new();
	char *copy = strdup(text);
	unsigned errors = 1;

	if (db && copy)
		errors = policy_db_load_buf(db, name, copy, strlen(copy), stderr);
	free(copy);
	if (errors) {
		if (db)
			policy_db_free(db);
		return NULL;
	}
	policy_db_build_index(db);
	return db;
}

#endif
