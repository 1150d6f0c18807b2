// SPDX-License-Identifier: GPL-2.0-or-later
/* Changing local.rules on an admin's behalf, safely. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "expiry.h"
#include "history.h"
#include "localrules.h"
#include "rulesedit.h"
#include "textfile.h"

/* Edits are serialised by a lock on the directory of the file they
 * change (the end of its links): held from before the file is read until
 * the daemon answered, so parallel commands each see the others' result. */
static int lock_edits(struct localrules *lr)
{
	char dir[PATH_MAX], *slash;
	int fd, ret = atomicfile_target(lr->path, dir, sizeof(dir));

	if (ret < 0) {
		fprintf(stderr, "portwarden: %s: %s\n", lr->path, atomicfile_strerror(ret));
		return ret;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';	/* "/local.rules" keeps its "/" */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "portwarden: cannot open %s: %s\n", dir, strerror(-ret));
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			fprintf(stderr, "portwarden: waiting for another command changing %s\n",
				lr->path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			fprintf(stderr, "portwarden: cannot lock %s: %s\n", dir, strerror(-ret));
			close(fd);
			return ret;
		}
	}
	lr->lock_fd = fd;
	lr->locked = 1;
	return 0;
}

/* LOCAL.history, beside the file as its path names it */
static void history_path(const struct localrules *lr, char *out, size_t cap)
{
	snprintf(out, cap, "%s.history", lr->path);
}

static int read_history(struct localrules *lr)
{
	struct diag d = { .out = stderr };
	char path[PATH_MAX];
	char *text;
	size_t len;
	int ret;

	history_path(lr, path, sizeof(path));
	d.file = path;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	ret = textfile_read(&d, path, &text, &len);
	if (ret < 0) {
		fprintf(stderr, "portwarden: %s cannot be read: reset goes back to the shipped policy\n",
			path);
		return 0;
	}
	ret = history_parse(text, len, &lr->history);
	free(text);
	return ret;
}

/* The file's text becomes r's; 0. */
static int adopt_text(struct localrules *lr, struct rulesedit *r)
{
	free(lr->text);
	lr->text = r->text;
	lr->len = r->len;
	lr->changed = 1;
	return 0;
}

/* When the entry a record's command wrote ends (its expires line), 0 for
 * an entry written for good. */
static int64_t record_expiry(const struct history_record *h)
{
	const char *exp = strstr(h->after, "\texpires ");
	char value[96], why[128];
	int64_t when;
	uint8_t then;
	size_t n;

	if (!exp)
		return 0;
	exp += strlen("\texpires ");
	n = strcspn(exp, "\n");
	if (n >= sizeof(value))
		return 0;
	memcpy(value, exp, n);
	value[n] = '\0';
	return expiry_parse(value, &when, &then, why, sizeof(why)) == 0 ? when : 0;
}

/* Entries whose time ran out (allow --timeout) are written back as what
 * came before them: from the history when the entry is as its command
 * wrote it, else as the policy its expires line names after the time. */
static int end_expired(struct localrules *lr, int64_t now)
{
	struct rulesedit r;
	unsigned i;
	int ret;

	for (i = lr->history.n; i-- > 0;) {
		const struct history_record *h = &lr->history.v[i];
		int64_t when = record_expiry(h);
		struct portspec ps;
		char *cur;

		if (!when || when > now || portspec_resolve(NULL, h->spec, &ps, 1) != 1)
			continue;
		ret = rulesedit_entry(lr->text, lr->len, &ps, &cur);
		if (ret < 0)
			return ret;
		if (ret == 1 && !strcmp(cur, h->after)) {
			ret = rulesedit_replace(lr->text, lr->len, &ps, *h->before ? h->before : NULL, &r);
			if (ret >= 0) {
				adopt_text(lr, &r);
				history_drop(&lr->history, i);
				lr->history_changed = 1;
			}
		}
		free(cur);
		if (ret < 0)
			return ret;
	}
	ret = rulesedit_expire(lr->text, lr->len, now, &r);
	if (ret > 0)
		adopt_text(lr, &r);
	else if (ret == 0)
		free(r.text);
	return ret < 0 ? ret : 0;
}

int localrules_read(const struct settings *s, struct localrules *lr)
{
	struct diag d = { .out = stderr };
	int ret;

	memset(lr, 0, sizeof(*lr));
	lr->path = settings_local_rules(s);
	if (!lr->path) {
		fprintf(stderr, "portwarden: only one rules file given; name the file to change as "
			"the last --db (e.g. --db ports.db --db local.rules)\n");
		return -EINVAL;
	}
	ret = lock_edits(lr);
	if (ret < 0)
		return ret;
	d.file = lr->path;
	/* a missing file is an empty one: the first override creates it */
	if (access(lr->path, F_OK) < 0 && errno == ENOENT) {
		lr->text = strdup("");
		ret = lr->text ? 0 : -ENOMEM;
	} else {
		ret = textfile_read(&d, lr->path, &lr->text, &lr->len);
	}
	if (ret == 0)
		ret = read_history(lr);
	if (ret == 0)
		ret = end_expired(lr, (int64_t)time(NULL));
	return ret;
}

/* Is there a directory for path (the end of its links) to lock */
static int has_directory(const char *path)
{
	char dir[PATH_MAX], *slash;

	if (atomicfile_target(path, dir, sizeof(dir)) < 0)
		return 0;
	slash = strrchr(dir, '/');
	if (!slash)
		return 1;
	slash[slash == dir] = '\0';
	return access(dir, F_OK) == 0;
}

int localrules_lock(const struct settings *s, struct localrules *lr)
{
	memset(lr, 0, sizeof(*lr));
	lr->path = settings_local_rules(s);
	/* no local.rules to edit: the commands that change portwarden.conf
	 * still wait for each other */
	if (!lr->path || !has_directory(lr->path))
		lr->path = s->config_path;
	return lock_edits(lr);
}

void localrules_free(struct localrules *lr)
{
	free(lr->text);
	lr->text = NULL;
	history_free(&lr->history);
	if (lr->locked)
		close(lr->lock_fd);	/* the lock goes with it */
	lr->locked = 0;
}

void localrules_note(char *buf, size_t cap, const char *verb, const char *cmd, const char *why)
{
	char date[16] = "";
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	if (gmtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	n = (size_t)snprintf(buf, cap, "%s on %s with `portwarden %s`%s", verb, date, cmd,
			     why ? ": " : "");
	if (!why || n >= cap)
		return;
	/* one comment line: nothing that would end it or reach a terminal raw */
	for (; *why && n + 1 < cap; why++)
		buf[n++] = (unsigned char)*why < 0x20 || *why == 0x7f ? ' ' : *why;
	buf[n] = '\0';
}

static const char *service_for(const struct policy_db *db, const struct portspec *ps)
{
	const struct policy_entry *e = ps->entry;

	if (!e && (ps->protos & POLICY_TCP))
		e = policy_lookup(db, IPPROTO_TCP, ps->lo);
	if (!e && (ps->protos & POLICY_UDP))
		e = policy_lookup(db, IPPROTO_UDP, ps->lo);
	return e ? e->service : "local";
}

enum policy_kind localrules_kind_at(const struct policy_db *db, const struct portspec *ps)
{
	enum policy_kind tcp = policy_kind_of(db, IPPROTO_TCP, ps->lo);
	enum policy_kind udp = policy_kind_of(db, IPPROTO_UDP, ps->lo);

	if (!(ps->protos & POLICY_UDP))
		return tcp;
	if (!(ps->protos & POLICY_TCP))
		return udp;
	return tcp > udp ? tcp : udp;
}

static int take(struct localrules *lr, int ret, const struct rulesedit *r)
{
	if (ret == -EEXIST) {
		fprintf(stderr, "portwarden: %s:%u already has an entry for these ports with other "
			"protocols; edit it there, or reset it first\n", lr->path, r->line);
		return ret;
	}
	if (ret < 0) {
		fprintf(stderr, "portwarden: %s\n", strerror(-ret));
		return ret;
	}
	free(lr->text);
	lr->text = r->text;
	lr->len = r->len;
	return ret;
}

/* The policy word of an entry's header (the first line not a comment). */
static void entry_policy(const char *entry, char *out, size_t cap)
{
	char spec[32], service[64];
	const char *line = entry;

	out[0] = '\0';
	while (*line == '#')
		line += strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n');
	if (sscanf(line, "%31s %63s %15s", spec, service, out) != 3 || cap < 16)
		out[0] = '\0';
}

/* What an entry is after an --timeout: the policy of the entry it replaced,
 * with that entry's `from` networks ("lan-only from 203.0.113.0/24"), as
 * its expires line says it; "" when it replaced none.  NULL: no memory. */
static char *entry_then(const char *entry)
{
	char policy[16] = "", *then = NULL;
	const char *line, *sep = " from ";
	size_t len = 0;
	FILE *out;

	if (!entry)
		return strdup("");
	entry_policy(entry, policy, sizeof(policy));
	out = open_memstream(&then, &len);
	if (!out)
		return NULL;
	fputs(policy, out);
	for (line = entry; policy[0] && *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n')) {
		const char *w = line + strspn(line, " \t");
		size_t m;

		/* an attribute line "from NET..." (indented: not a header) */
		if (w == line || strncmp(w, "from", 4) || (w[4] != ' ' && w[4] != '\t'))
			continue;
		w += 4 + strspn(w + 4, " \t");
		m = strcspn(w, "\r\n");
		while (m && (w[m - 1] == ' ' || w[m - 1] == '\t'))
			m--;
		if (!m)
			continue;
		fprintf(out, "%s%.*s", sep, (int)m, w);
		sep = " ";
	}
	if (fclose(out) != 0) {
		free(then);
		return NULL;
	}
	return then;
}

int localrules_set_sources(struct localrules *lr, const struct policy_db *db,
			   const struct portspec *ps, const char *policy, const char *note,
			   int64_t until, int replace_from, const char *from)
{
	char *before = NULL, *after = NULL, *then = NULL;
	struct rulesedit r;
	int ret = rulesedit_entry(lr->text, lr->len, ps, &before);

	if (ret < 0)
		return take(lr, ret, &r);
	then = entry_then(before);
	if (!then) {
		free(before);
		return -ENOMEM;
	}
	ret = rulesedit_set(lr->text, lr->len, ps, service_for(db, ps), policy, note, &r);
	ret = take(lr, ret, &r);
	/* its sources: open admits everyone, so an open entry keeps none */
	if (ret == 0 && !strcmp(policy, "open"))
		replace_from = 1, from = NULL;
	if (ret == 0 && (replace_from || (from && *from)))
		ret = take(lr, rulesedit_set_from(lr->text, lr->len, ps, replace_from, from, &r), &r);
	/* until: the entry ends then, and what it replaced takes over, its
	 * networks included; a change without one ends what an earlier
	 * --timeout set */
	if (ret == 0)
		ret = take(lr, rulesedit_set_expiry(lr->text, lr->len, ps, until,
						    then[0] ? then : NULL, &r), &r);
	if (ret == 0)
		ret = rulesedit_entry(lr->text, lr->len, ps, &after) < 0 ? -ENOMEM : 0;
	/* one record for all of it: reset takes the whole command back */
	if (ret == 0) {
		char spec[HISTORY_SPEC_MAX];

		lr->changed = 1;
		portspec_format(ps, spec, sizeof(spec));
		if (!before || strcmp(before, after)) {
			ret = history_push(&lr->history, spec, (int64_t)time(NULL), before, after);
			lr->history_changed = 1;
		}
	}
	free(before);
	free(after);
	free(then);
	return ret;
}

int localrules_set_until(struct localrules *lr, const struct policy_db *db,
			 const struct portspec *ps, const char *policy, const char *note,
			 int64_t until)
{
	return localrules_set_sources(lr, db, ps, policy, note, until, 0, NULL);
}

int localrules_set(struct localrules *lr, const struct policy_db *db, const struct portspec *ps,
		   const char *policy, const char *note)
{
	return localrules_set_until(lr, db, ps, policy, note, 0);
}

int localrules_remove(struct localrules *lr, const struct portspec *ps)
{
	char spec[HISTORY_SPEC_MAX], *cur = NULL;
	struct rulesedit r;
	int ret, i;

	portspec_format(ps, spec, sizeof(spec));
	ret = rulesedit_entry(lr->text, lr->len, ps, &cur);
	i = ret >= 0 ? history_find(&lr->history, spec, cur) : -1;
	free(cur);
	if (i >= 0) {
		/* one step back: what the entry was before the last command */
		const char *before = lr->history.v[i].before;

		ret = take(lr, rulesedit_replace(lr->text, lr->len, ps, *before ? before : NULL, &r),
			   &r);
		if (ret >= 0) {
			history_drop(&lr->history, (unsigned)i);
			lr->history_changed = 1;
			lr->changed = 1;
			return 1;
		}
		return ret;
	}
	ret = take(lr, rulesedit_remove(lr->text, lr->len, ps, &r), &r);
	if (ret > 0)
		lr->changed = 1;
	return ret;
}

struct policy_db *localrules_validate(const struct settings *s, const struct localrules *lr)
{
	struct policy_db *db = settings_load_with(s, lr->path, lr->text, lr->len, stderr);

	if (!db)
		fprintf(stderr, "portwarden: refused: the result would not load; %s is unchanged\n",
			lr->path);
	return db;
}

int localrules_write(const struct localrules *lr)
{
	char path[PATH_MAX], *text;
	size_t len = 0;
	int ret = atomicfile_replace(lr->path, lr->text, lr->len, 0644);

	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot write %s: %s\n", lr->path,
			atomicfile_strerror(ret));
		return ret;
	}
	if (!lr->history_changed)
		return 0;
	history_path(lr, path, sizeof(path));
	text = history_format(&lr->history, &len);
	ret = text ? atomicfile_replace(path, text, len, 0644) : -ENOMEM;
	free(text);
	/* the change stands; only the way back is shorter */
	if (ret < 0)
		fprintf(stderr, "portwarden: cannot write %s: %s; reset will go back to the shipped "
			"policy\n", path, atomicfile_strerror(ret));
	return 0;
}
