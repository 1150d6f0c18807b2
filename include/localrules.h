/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOCALRULES_H
#define PORTWARDEN_LOCALRULES_H

#include "portspec.h"
#include "settings.h"

/* Changing the admin's rules file (local.rules) from a command: read it,
 * edit it in memory, load the whole set with the result before anything
 * is written, replace the file in one step, and have the running daemon
 * apply it. */
struct localrules {
	const char *path;
	char *text;
	size_t len;
	int changed;
};

/* 0, or -errno with the reason printed; a missing file reads as empty. */
int localrules_read(const struct settings *s, struct localrules *lr);
void localrules_free(struct localrules *lr);

/* "VERB on DATE with `portwarden CMD`: WHY", safe as one comment line */
void localrules_note(char *buf, size_t cap, const char *verb, const char *cmd, const char *why);

/* Gives ps the policy (see rulesedit_set); 0 or -errno, reason printed. */
int localrules_set(struct localrules *lr, const struct policy_db *db, const struct portspec *ps,
		   const char *policy, const char *note);
/* The `from` lines of ps's entry (see rulesedit_set_from); 0 or -errno,
 * reason printed. */
int localrules_set_from(struct localrules *lr, const struct portspec *ps, int replace,
			const char *words);
/* Removes the entries for ps; how many, or -errno. */
int localrules_remove(struct localrules *lr, const struct portspec *ps);

/* The set as it would load with the edited file; NULL (errors printed)
 * when it would not. */
struct policy_db *localrules_validate(const struct settings *s, const struct localrules *lr);

/* Writes the file; 0 or -errno, reason printed. */
int localrules_write(const struct localrules *lr);

/* Signals the daemon serving cfg's queue in this network namespace and
 * waits until it has replaced its table and the kernel agrees with db for
 * every spec (@guarded, @lan_only, the sources) and with cfg's adoption
 * window.  Returns the exit status: 0 applied (or no daemon runs), 1 not
 * applied. */
int localrules_reload(const struct portspec *specs, unsigned n, const struct policy_db *db,
		      const struct config *cfg);

/* The strictest policy any of ps's protocols has at its first port. */
enum policy_kind localrules_kind_at(const struct policy_db *db, const struct portspec *ps);

#endif
