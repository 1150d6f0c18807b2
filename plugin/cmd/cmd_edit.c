// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden allow`, `guard` and `reset`: change local.rules the way an
 * admin would by hand, refuse what would not load, and have the running
 * daemon apply it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "safetext.h"
#include "commands.h"
#include "expiry.h"
#include "localrules.h"

enum edit_op { EDIT_SET, EDIT_RESET };

/* --from networks, as given and as a rules file writes them */
struct edit_from {
	struct config_net nets[POLICY_SOURCES_MAX];
	unsigned n;
	int replace;		/* guard: the entry gets exactly these */
};

/* "CIDR[,CIDR...]": 0, or 2 (usage) with the reason printed */
static int parse_from(const char *arg, struct edit_from *f)
{
	char *copy = strdup(arg), *save = NULL, *word;
	int status = 0;

	if (!copy)
		return 1;
	for (word = strtok_r(copy, ", ", &save); word && !status; word = strtok_r(NULL, ", ", &save)) {
		int ret;

		if (f->n == POLICY_SOURCES_MAX) {
			fprintf(stderr, "portwarden: --from: more than %d networks\n", POLICY_SOURCES_MAX);
			status = 2;
			break;
		}
		ret = policy_source_parse(word, &f->nets[f->n]);
		if (ret == -EDOM) {
			char text[64];

			policy_net_text(&f->nets[f->n], text, sizeof(text));
			fprintf(stderr, "portwarden: --from: \"%s\" has host bits set (did you mean %s?)\n",
				word, text);
			status = 2;
		} else if (ret < 0) {
			fprintf(stderr, "portwarden: --from: bad network \"%s\" (expected ADDRESS or "
				"ADDRESS/PREFIX, e.g. 203.0.113.0/24)\n", word);
			status = 2;
		}
		f->n++;
	}
	if (!status && f->n == 0) {
		fprintf(stderr, "portwarden: --from: no network given\n");
		status = 2;
	}
	free(copy);
	return status;
}

/* local.rules' own entry for exactly ps, or NULL */
static const struct policy_entry *local_entry(const struct policy_db *db, const char *path,
					      const struct portspec *ps)
{
	unsigned i;

	for (i = db->nentries; i-- > 0;) {
		const struct policy_entry *e = &db->entries[i];

		if (!strcmp(e->file, path) && e->lo == ps->lo && e->hi == ps->hi &&
		    e->protos == ps->protos)
			return e;
	}
	return NULL;
}

/* The networks of f that e does not admit yet, as rules-file words */
static void new_sources(const struct edit_from *f, const struct policy_entry *e, char *out,
			size_t cap)
{
	size_t n = 0;
	unsigned i, k;

	out[0] = '\0';
	for (i = 0; i < f->n; i++) {
		const struct config_net *net = &f->nets[i];
		char text[64];
		int have = 0;

		for (k = 0; e && !f->replace && k < e->nsources && !have; k++)
			have = e->sources[k].net.prefix <= net->prefix &&
			       config_net_contains(&e->sources[k].net, net->family, net->addr);
		for (k = 0; k < i && !have; k++)
			have = !memcmp(&f->nets[k], net, sizeof(*net));
		if (have)
			continue;
		policy_net_text(net, text, sizeof(text));
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? " " : "", text);
	}
}

static void print_change(const struct portspec *ps, const struct policy_db *before,
			 const struct policy_db *after, const char *added)
{
	enum policy_kind was = localrules_kind_at(before, ps), now = localrules_kind_at(after, ps);
	const struct policy_entry *e;
	char spec[32];

	e = policy_lookup(after, ps->protos & POLICY_TCP ? IPPROTO_TCP : IPPROTO_UDP, ps->lo);
	portspec_format(ps, spec, sizeof(spec));
	printf("%-14s %s -> %s", spec, policy_kind_name(was), policy_kind_name(now));
	if (added && *added)
		printf(", from %s", added);
	if (e) {
		char file[512];

		printf("  (%s:%u)", safetext(file, sizeof(file), e->file), e->line);
	}
	putchar('\n');
}

static int edit_one(struct localrules *lr, const struct policy_db *db, const struct portspec *ps,
		    enum edit_op op, const char *policy, const struct edit_from *from,
		    const char *note, int64_t until, char *added, size_t cap)
{
	enum policy_kind kind = localrules_kind_at(db, ps);
	const struct policy_entry *own = local_entry(db, lr->path, ps);
	char spec[32];

	portspec_format(ps, spec, sizeof(spec));
	added[0] = '\0';
	if (op == EDIT_RESET) {
		int ret = localrules_remove(lr, ps);

		if (ret == 0)
			printf("%s: %s has no entry for it; nothing to reset\n", spec, lr->path);
		return ret < 0 ? ret : 0;
	}
	/* allow --from keeps the policy the port has and adds its sources */
	if (!policy && kind != POLICY_OPEN)
		policy = policy_kind_name(kind);
	if (!policy || (!strcmp(policy, "open") && kind == POLICY_OPEN)) {
		printf("%s is not guarded: every source reaches it already; nothing to allow\n", spec);
		return 0;
	}
	if (from->n)
		new_sources(from, own, added, cap);
	if (from->n && !from->replace && !added[0] && own &&
	    !strcmp(policy_kind_name((enum policy_kind)own->kind), policy)) {
		printf("%s: %s:%u admits %s already; nothing to change\n", spec, lr->path, own->line,
		       from->n == 1 ? "that network" : "those networks");
		return 0;
	}
	/* policy, sources and end in one step: one record in the history;
	 * guard sets exactly its networks (none without --from), allow adds
	 * them, and open keeps none (it admits everyone) */
	return localrules_set_sources(lr, db, ps, policy, note, until, from->replace, added);
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
		    const char *verb, const char *cmd, int replace_from)
{
	struct portspec specs[PORTSPEC_MAX];
	struct policy_db *before = NULL, *after = NULL;
	struct localrules lr = { 0 };
	struct edit_from *from = calloc(1, sizeof(*from));
	char note[320], how[160], command[64], (*added)[512] = calloc(PORTSPEC_MAX, sizeof(*added));
	int64_t until = until_of(s);
	struct config cfg;
	int i, n, status = 1;

	if (until < 0) {
		status = 2;
		goto out;
	}
	if (!from || !added)
		goto out;
	from->replace = replace_from;
	if (s->from && (status = parse_from(s->from, from)) != 0)
		goto out;
	status = 1;
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
	snprintf(how, sizeof(how), "%s%s%s", verb, s->from ? " from " : "", s->from ? s->from : "");
	snprintf(command, sizeof(command), "%s%s%s", cmd, s->timeout ? " --timeout " : "",
		 s->timeout ? s->timeout : "");
	localrules_note(note, sizeof(note), how, command, s->why);
	for (i = 0; i < n; i++)
		if (edit_one(&lr, before, &specs[i], op, policy, from, note, until, added[i],
			     sizeof(added[i])) < 0)
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
		print_change(&specs[i], before, after, added[i]);
	if (until)
		print_until(until);
	status = localrules_reload(specs, (unsigned)n, after, &cfg);
out:
	policy_db_free(before);
	policy_db_free(after);
	localrules_free(&lr);
	free(from);
	free(added);
	return status;
}

int cmd_allow(const struct settings *s, int argc, char **argv)
{
	const char *policy = s->lan ? "lan-only" : s->from ? NULL : "open";

	(void)argc;
	return run_edit(s, argv[0], EDIT_SET, policy,
			s->lan ? "allowed from the LAN" : "allowed", "allow", 0);
}

int cmd_guard(const struct settings *s, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[1], "loopback-only") && strcmp(argv[1], "lan-only")) {
		fprintf(stderr, "portwarden guard: \"%s\" is not loopback-only or lan-only\n", argv[1]);
		return 2;
	}
	return run_edit(s, argv[0], EDIT_SET, argv[1], "guarded", "guard", 1);
}

int cmd_reset(const struct settings *s, int argc, char **argv)
{
	(void)argc;
	if (s->from) {
		fprintf(stderr, "portwarden reset: --from does not apply (reset takes the last change "
			"of the entry back; guard PORT POLICY --from NETS keeps only those)\n");
		return 2;
	}
	if (s->timeout) {
		fprintf(stderr, "portwarden reset: --timeout is for allow and guard\n");
		return 2;
	}
	return run_edit(s, argv[0], EDIT_RESET, NULL, "reset", "reset", 0);
}
