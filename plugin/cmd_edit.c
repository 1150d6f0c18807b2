// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden allow`, `guard` and `reset`: change local.rules the way an
 * admin would by hand, refuse what would not load, and have the running
 * daemon apply it. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "commands.h"
#include "daemonctl.h"
#include "kstate.h"
#include "rulesedit.h"
#include "textfile.h"

#define RELOAD_WAIT_MS	5000

enum edit_op { EDIT_SET, EDIT_RESET };

struct edit {
	const struct settings *s;
	const char *path;	/* the rules file changed */
	char *text;
	size_t len;
	struct portspec specs[PORTSPEC_MAX];
	int nspecs;
	int changed;
};

/* A missing file is an empty one: the first override creates it. */
static int read_rules(struct edit *ed)
{
	struct diag d = { .out = stderr, .file = ed->path };

	if (access(ed->path, F_OK) < 0 && errno == ENOENT) {
		ed->text = strdup("");
		ed->len = 0;
		return ed->text ? 0 : -ENOMEM;
	}
	return textfile_read(&d, ed->path, &ed->text, &ed->len);
}

/* "allowed on 2026-12-01 with `portwarden allow`: why" */
static void make_note(char *buf, size_t cap, const char *verb, const char *cmd, const char *why)
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

static enum policy_kind kind_at(const struct policy_db *db, const struct portspec *ps)
{
	enum policy_kind tcp = policy_kind_of(db, IPPROTO_TCP, ps->lo);
	enum policy_kind udp = policy_kind_of(db, IPPROTO_UDP, ps->lo);

	if (!(ps->protos & POLICY_UDP))
		return tcp;
	if (!(ps->protos & POLICY_TCP))
		return udp;
	return tcp > udp ? tcp : udp;
}

static int edit_one(struct edit *ed, const struct policy_db *db, const struct portspec *ps,
		    enum edit_op op, const char *policy, const char *note)
{
	struct rulesedit r;
	char spec[32];
	int ret;

	portspec_format(ps, spec, sizeof(spec));
	if (op == EDIT_RESET)
		ret = rulesedit_remove(ed->text, ed->len, ps, &r);
	else
		ret = rulesedit_set(ed->text, ed->len, ps, service_for(db, ps), policy, note, &r);
	if (ret == -EEXIST) {
		fprintf(stderr, "portwarden: %s:%u already has an entry for these ports with other "
			"protocols; edit it there, or reset it first\n", ed->path, r.line);
		return ret;
	}
	if (ret < 0) {
		fprintf(stderr, "portwarden: %s\n", strerror(-ret));
		return ret;
	}
	if (op == EDIT_RESET && ret == 0)
		printf("%s: %s has no entry for it; nothing to reset\n", spec, ed->path);
	ed->changed |= op == EDIT_SET || ret > 0;
	free(ed->text);
	ed->text = r.text;
	ed->len = r.len;
	return 0;
}

static int resolve(struct edit *ed, const struct policy_db *db, const char *arg)
{
	ed->nspecs = portspec_resolve(db, arg, ed->specs, PORTSPEC_MAX);
	if (ed->nspecs == -ENOENT)
		fprintf(stderr, "portwarden: no service \"%s\" in the database (try a port number)\n", arg);
	else if (ed->nspecs < 0)
		fprintf(stderr, "portwarden: \"%s\" is not PORT[-PORT][/tcp|/udp|/both] or a service name\n",
			arg);
	return ed->nspecs < 0 ? -EINVAL : 0;
}

static void print_change(const struct portspec *ps, const struct policy_db *before,
			 const struct policy_db *after)
{
	enum policy_kind was = kind_at(before, ps), now = kind_at(after, ps);
	const struct policy_entry *e = policy_lookup(after, ps->protos & POLICY_TCP ? IPPROTO_TCP : IPPROTO_UDP, ps->lo);
	char spec[32];

	portspec_format(ps, spec, sizeof(spec));
	printf("%-14s %s -> %s", spec, policy_kind_name(was), policy_kind_name(now));
	if (e)
		printf("  (%s:%u)", e->file, e->line);
	putchar('\n');
}

/* The daemon has the new policy once @guarded agrees with it. */
static int kernel_agrees(const struct edit *ed, const struct policy_db *db)
{
	struct kstate ks;
	int i, ok = 1;

	if (kstate_read(&ks) < 0)
		return 0;
	for (i = 0; i < ed->nspecs; i++) {
		const struct portspec *ps = &ed->specs[i];
		int slot = ps->protos & POLICY_TCP ? 0 : 1;
		int guarded = !!(ks.guarded_map[slot][ps->lo / 8] & (1u << (ps->lo % 8)));

		ok &= guarded == (kind_at(db, ps) != POLICY_OPEN);
	}
	kstate_free(&ks);
	return ok;
}

static int reload_daemon(const struct edit *ed, const struct policy_db *db, uint16_t queue)
{
	struct timespec tick = { 0, 50 * 1000000L };
	int pid = daemonctl_find(queue), waited;

	if (pid < 0) {
		fprintf(stderr, "portwarden: cannot look for the running daemon: %s\n", strerror(-pid));
		return 1;
	}
	if (pid == 0) {
		printf("no portwarden serves queue %u here; the change applies when it starts\n", queue);
		return 0;
	}
	if (kill(pid, SIGHUP) < 0) {
		fprintf(stderr, "portwarden: cannot signal the daemon (pid %d): %s\n", pid,
			strerror(errno));
		return 1;
	}
	for (waited = 0; waited < RELOAD_WAIT_MS; waited += 50) {
		if (kernel_agrees(ed, db)) {
			printf("reloaded: the daemon (pid %d) enforces it\n", pid);
			return 0;
		}
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "portwarden: the daemon (pid %d) has not applied the change after %d s; "
		"see its log\n", pid, RELOAD_WAIT_MS / 1000);
	return 1;
}

static int run_edit(const struct settings *s, const char *arg, enum edit_op op, const char *policy,
		    const char *verb, const char *cmd)
{
	struct edit ed = { .s = s, .path = settings_local_rules(s) };
	struct policy_db *before = NULL, *after = NULL;
	struct config cfg;
	char note[320];
	int i, status = 1;

	if (!ed.path) {
		fprintf(stderr, "portwarden: only one rules file given; name the file to change as "
			"the last --db (e.g. --db ports.db --db local.rules)\n");
		return 2;
	}
	before = settings_load(s, &cfg, stderr);
	if (!before) {
		fprintf(stderr, "portwarden: the present configuration does not load; fix it first "
			"(portwarden check)\n");
		return 1;
	}
	if (resolve(&ed, before, arg) < 0) {
		status = 2;
		goto out;
	}
	if (read_rules(&ed) < 0)
		goto out;
	make_note(note, sizeof(note), verb, cmd, s->why);
	for (i = 0; i < ed.nspecs; i++)
		if (edit_one(&ed, before, &ed.specs[i], op, policy, note) < 0)
			goto out;
	if (!ed.changed) {
		status = 0;
		goto out;
	}
	after = settings_load_with(s, ed.path, ed.text, ed.len, stderr);
	if (!after) {
		fprintf(stderr, "portwarden: refused: the result would not load; %s is unchanged\n",
			ed.path);
		goto out;
	}
	for (i = 0; i < ed.nspecs; i++)
		print_change(&ed.specs[i], before, after);
	i = atomicfile_replace(ed.path, ed.text, ed.len, 0644);
	if (i < 0) {
		fprintf(stderr, "portwarden: cannot write %s: %s\n", ed.path, strerror(-i));
		goto out;
	}
	status = reload_daemon(&ed, after, cfg.queue_num);
out:
	policy_db_free(before);
	policy_db_free(after);
	free(ed.text);
	return status;
}

int cmd_allow(const struct settings *s, int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: portwarden allow PORT|SERVICE [--lan] [--why TEXT]\n");
		return 2;
	}
	return run_edit(s, argv[0], EDIT_SET, s->lan ? "lan-only" : "open",
			s->lan ? "allowed from the LAN" : "allowed", "allow");
}

int cmd_guard(const struct settings *s, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "loopback-only") && strcmp(argv[1], "lan-only"))) {
		fprintf(stderr, "usage: portwarden guard PORT|SERVICE loopback-only|lan-only [--why TEXT]\n");
		return 2;
	}
	return run_edit(s, argv[0], EDIT_SET, argv[1], "guarded", "guard");
}

int cmd_reset(const struct settings *s, int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: portwarden reset PORT|SERVICE\n");
		return 2;
	}
	return run_edit(s, argv[0], EDIT_RESET, NULL, NULL, "reset");
}
