// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden allow`, `guard` and `reset`: change local.rules the way an
 * admin would by hand, refuse what would not load, and have the running
 * daemon apply it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "safetext.h"
#include "commands.h"
#include "expiry.h"
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
		    enum edit_op op, const char *policy, const char *note, int64_t until)
{
	char spec[32];
	int ret;

	portspec_format(ps, spec, sizeof(spec));
	if (op == EDIT_SET && !strcmp(policy, "open") && localrules_kind_at(db, ps) == POLICY_OPEN) {
		printf("%s is not guarded; nothing to allow\n", spec);
		return 0;
	}
	if (op == EDIT_SET)
		return localrules_set_until(lr, db, ps, policy, note, until);
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

/* --timeout: the wall-clock second the change ends, 0 for none, -1 for
 * a duration that is none */
static int64_t until_of(const struct settings *s)
{
	long secs;

	if (!s->timeout)
		return 0;
	secs = expiry_duration(s->timeout);
	if (secs < 0) {
		fprintf(stderr, "portwarden: --timeout wants a duration such as 90s, 10m, 2h or 1d "
			"(at most a year), not \"%s\"\n", s->timeout);
		return -1;
	}
	return (int64_t)time(NULL) + secs;
}

static void print_until(int64_t until)
{
	char at[EXPIRY_TEXT_MAX];

	expiry_format(until, at, sizeof(at));
	printf("until %s; then what was there before applies again (portwarden changes)\n", at);
}

static int run_edit(const struct settings *s, const char *arg, enum edit_op op, const char *policy,
		    const char *verb, const char *cmd)
{
	struct portspec specs[PORTSPEC_MAX];
	struct policy_db *before = NULL, *after = NULL;
	struct localrules lr = { 0 };
	int64_t until = until_of(s);
	struct config cfg;
	char note[320], command[64];
	int i, n, status = 1;

	if (until < 0)
		return 2;
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
	snprintf(command, sizeof(command), "%s%s%s", cmd, s->timeout ? " --timeout " : "",
		 s->timeout ? s->timeout : "");
	localrules_note(note, sizeof(note), verb, command, s->why);
	for (i = 0; i < n; i++)
		if (edit_one(&lr, before, &specs[i], op, policy, note, until) < 0)
			goto out;
	if (!lr.changed) {
		status = 0;
		goto out;
	}
	after = localrules_validate(s, &lr);
	if (!after || localrules_write(&lr) < 0)
		goto out;
	/* said once it is written: a file that cannot be written changed nothing */
	for (i = 0; i < n; i++)
		print_change(&specs[i], before, after);
	if (until)
		print_until(until);
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
	if (s->timeout) {
		fprintf(stderr, "portwarden reset: --timeout is for allow and guard\n");
		return 2;
	}
	return run_edit(s, argv[0], EDIT_RESET, NULL, "reset", "reset");
}
