// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden allow`, `guard` and `reset`: change local.rules the way an
 * admin would by hand, refuse what would not load, and have the running
 * daemon apply it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "safetext.h"
#include "commands.h"
#include "localrules.h"

enum edit_op { EDIT_SET, EDIT_RESET };

static void print_change(const struct portspec *ps, const struct policy_db *before,
			 const struct policy_db *after)
{
	enum policy_kind was = localrules_kind_at(before, ps), now = localrules_kind_at(after, ps);
	const struct policy_entry *e;
	char spec[32];

	e = policy_lookup(after, ps->protos & POLICY_TCP ? IPPROTO_TCP : IPPROTO_UDP, ps->lo);
	portspec_format(ps, spec, sizeof(spec));
	printf("%-14s %s -> %s", spec, policy_kind_name(was), policy_kind_name(now));
	if (e) {
		char file[512];

		printf("  (%s:%u)", safetext(file, sizeof(file), e->file), e->line);
	}
	putchar('\n');
}

static int edit_one(struct localrules *lr, const struct policy_db *db, const struct portspec *ps,
		    enum edit_op op, const char *policy, const char *note)
{
	char spec[32];
	int ret;

	portspec_format(ps, spec, sizeof(spec));
	if (op == EDIT_SET && !strcmp(policy, "open") && localrules_kind_at(db, ps) == POLICY_OPEN) {
		printf("%s is not guarded; nothing to allow\n", spec);
		return 0;
	}
	if (op == EDIT_SET)
		return localrules_set(lr, db, ps, policy, note);
	ret = localrules_remove(lr, ps);
	if (ret == 0)
		printf("%s: %s has no entry for it; nothing to reset\n", spec, lr->path);
	return ret < 0 ? ret : 0;
}

static int resolve(const struct policy_db *db, const char *arg, struct portspec *specs)
{
	int n = portspec_resolve(db, arg, specs, PORTSPEC_MAX);

	if (n == -ENOENT)
		fprintf(stderr, "portwarden: no service \"%s\" in the database (try a port number)\n", arg);
	else if (n < 0)
		fprintf(stderr, "portwarden: \"%s\" is not PORT[-PORT][/tcp|/udp|/both] or a service name\n",
			arg);
	return n;
}

static int run_edit(const struct settings *s, const char *arg, enum edit_op op, const char *policy,
		    const char *verb, const char *cmd)
{
	struct portspec specs[PORTSPEC_MAX];
	struct policy_db *before = NULL, *after = NULL;
	struct localrules lr = { 0 };
	struct config cfg;
	char note[320];
	int i, n, status = 1;

	/* the lock first: what is read below is what the edit changes */
	if (localrules_read(s, &lr) < 0)
		goto out;
	before = settings_load(s, &cfg, stderr);
	if (!before) {
		fprintf(stderr, "portwarden: the present configuration does not load; fix it first "
			"(portwarden check)\n");
		goto out;
	}
	n = resolve(before, arg, specs);
	if (n < 0) {
		status = 2;
		goto out;
	}
	localrules_note(note, sizeof(note), verb, cmd, s->why);
	for (i = 0; i < n; i++)
		if (edit_one(&lr, before, &specs[i], op, policy, note) < 0)
			goto out;
	if (!lr.changed) {
		status = 0;
		goto out;
	}
	after = localrules_validate(s, &lr);
	if (!after)
		goto out;
	for (i = 0; i < n; i++)
		print_change(&specs[i], before, after);
	if (localrules_write(&lr) == 0)
		status = localrules_reload(specs, (unsigned)n, after, cfg.queue_num);
out:
	policy_db_free(before);
	policy_db_free(after);
	localrules_free(&lr);
	return status;
}

int cmd_allow(const struct settings *s, int argc, char **argv)
{
	(void)argc;
	return run_edit(s, argv[0], EDIT_SET, s->lan ? "lan-only" : "open",
			s->lan ? "allowed from the LAN" : "allowed", "allow");
}

int cmd_guard(const struct settings *s, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[1], "loopback-only") && strcmp(argv[1], "lan-only")) {
		fprintf(stderr, "portwarden guard: \"%s\" is not loopback-only or lan-only\n", argv[1]);
		return 2;
	}
	return run_edit(s, argv[0], EDIT_SET, argv[1], "guarded", "guard");
}

int cmd_reset(const struct settings *s, int argc, char **argv)
{
	(void)argc;
	return run_edit(s, argv[0], EDIT_RESET, NULL, "reset", "reset");
}
