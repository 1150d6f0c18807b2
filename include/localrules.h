/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOCALRULES_H
#define PORTWARDEN_LOCALRULES_H

#include "history.h"
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
	int locked, lock_fd;	/* edits of the file are serialised */
	struct history history;	/* PATH.history: the way back for reset */
	int history_changed;
};

/* Takes the edit lock (waiting for a command that holds it), then reads
 * the file and its history: 0, or -errno with the reason printed; a
 * missing file reads as empty.  Entries whose time ran out are turned
 * back into what they replaced (written with the next change).
 * localrules_free() releases the lock: keep it until the daemon answered. */
int localrules_read(const struct settings *s, struct localrules *lr);
void localrules_free(struct localrules *lr);
/* The same lock alone, for a command that changes portwarden.conf
 * (`zone`): its edit and the daemon's answer are serialised with those of
 * local.rules (or, where there is no directory for local.rules, with
 * those of portwarden.conf's directory).  0 or -errno, reason printed;
 * localrules_free() releases it. */
int localrules_lock(const struct settings *s, struct localrules *lr);

/* "VERB on DATE with `portwarden CMD`: WHY", safe as one comment line */
void localrules_note(char *buf, size_t cap, const char *verb, const char *cmd, const char *why);

/* Gives ps the policy (see rulesedit_set) and records what the entry was
 * in the history; 0 or -errno, reason printed. */
int localrules_set(struct localrules *lr, const struct policy_db *db, const struct portspec *ps,
		   const char *policy, const char *note);
/* The same until the wall-clock second until (0: for good), after which
 * the entry it replaced (or none) is in force again: `allow --timeout`. */
int localrules_set_until(struct localrules *lr, const struct policy_db *db,
			 const struct portspec *ps, const char *policy, const char *note,
			 int64_t until);
/* The same, and the entry's `from` lines (see rulesedit_set_from): with
 * replace_from the networks of from (rules-file words; NULL or "": none)
 * become its only ones, else they are added.  An open entry keeps none.
 * One history record for all of it, so reset takes the whole command
 * back. */
int localrules_set_sources(struct localrules *lr, const struct policy_db *db,
			   const struct portspec *ps, const char *policy, const char *note,
			   int64_t until, int replace_from, const char *from);
/* One step back for ps: the entry the last command replaced, from the
 * history, or else no entry at all (the entries for ps's protocols go,
 * see rulesedit_remove).  How many entries changed, or -errno. */
int localrules_remove(struct localrules *lr, const struct portspec *ps);

/* The set as it would load with the edited file; NULL (errors printed)
 * when it would not. */
struct policy_db *localrules_validate(const struct settings *s, const struct localrules *lr);

/* Writes the file, then its history; 0 or -errno, reason printed. */
int localrules_write(const struct localrules *lr);

/* The one way a command has the running daemon apply a change: asks the
 * daemon serving cfg's queue in this network namespace (daemonctl.h) to
 * apply its files now, and checks in its answer, given once the kernel
 * acknowledged the table, that every port of every spec has the policy
 * and the `from` sources db gives it (specs and db may be NULL when n is
 * 0) and that an adoption window is open exactly when cfg says so.
 * Prints what was applied, or why not.  Returns the exit status: 0 applied (or no
 * daemon runs here: said so, the files apply when it starts), 1 refused,
 * failed or not what db and cfg say. */
int localrules_reload(const struct portspec *specs, unsigned n, const struct policy_db *db,
		      const struct config *cfg);
#define LOCALRULES_EXPECT_MAX 256	/* port ranges checked in one answer */

/* Prints a daemon's answer as localrules_reload() does; its exit status. */
struct daemonctl_answer;
int localrules_report(const struct daemonctl_answer *a, uint16_t queue);

/* The strictest policy any of ps's protocols has at its first port. */
enum policy_kind localrules_kind_at(const struct policy_db *db, const struct portspec *ps);

#endif
