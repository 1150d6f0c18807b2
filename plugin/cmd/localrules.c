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
#include "daemonctl.h"
#include "policydiff.h"
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
		return lr->text ? 0 : -ENOMEM;
	}
	return textfile_read(&d, lr->path, &lr->text, &lr->len);
}

void localrules_free(struct localrules *lr)
{
	free(lr->text);
	lr->text = NULL;
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

int localrules_set(struct localrules *lr, const struct policy_db *db, const struct portspec *ps,
		   const char *policy, const char *note)
{
	struct rulesedit r;
	int ret = rulesedit_set(lr->text, lr->len, ps, service_for(db, ps), policy, note, &r);

	ret = take(lr, ret, &r);
	if (ret == 0)
		lr->changed = 1;
	return ret;
}

int localrules_remove(struct localrules *lr, const struct portspec *ps)
{
	struct rulesedit r;
	int ret = take(lr, rulesedit_remove(lr->text, lr->len, ps, &r), &r);

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
	int ret = atomicfile_replace(lr->path, lr->text, lr->len, 0644);

	if (ret < 0)
		fprintf(stderr, "portwarden: cannot write %s: %s\n", lr->path,
			atomicfile_strerror(ret));
	return ret;
}

/* Asks for the ports of ps, each run of equal policy in db on its own line. */
static int put_expect(FILE *req, const struct portspec *ps, const struct policy_db *db,
		      unsigned *lines)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned i, port;

	for (i = 0; i < 2; i++) {
		unsigned lo = ps->lo;

		if (!(ps->protos & (i ? POLICY_UDP : POLICY_TCP)))
			continue;
		for (port = ps->lo; port <= ps->hi; port++) {
			enum policy_kind k = policy_kind_of(db, protos[i], (uint16_t)port);

			if (port < ps->hi && policy_kind_of(db, protos[i], (uint16_t)(port + 1)) == k)
				continue;
			if (++*lines > LOCALRULES_EXPECT_MAX)
				return -E2BIG;
			fprintf(req, "expect %s %u %u %s\n", i ? "udp" : "tcp", lo, port,
				policy_kind_name(k));
			lo = port + 1;
		}
	}
	return 0;
}

static char *build_request(const struct portspec *specs, unsigned n, const struct policy_db *db)
{
	char *text = NULL;
	size_t len = 0;
	FILE *req = open_memstream(&text, &len);
	unsigned i, lines = 0;

	if (!req)
		return NULL;
	fputs("reload\n", req);
	/* past the limit the first ranges are checked, the rest trusted */
	for (i = 0; i < n && put_expect(req, &specs[i], db, &lines) == 0; i++)
		;
	if (fclose(req) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void print_check(const struct daemonctl_check *c)
{
	char range[32];
	struct policydiff_run r = { c->proto, c->lo, c->hi, c->kind, c->kind };

	policydiff_format(&r, range, sizeof(range));
	if (c->total == 1)
		printf("  %-14s %s in the kernel\n", range, policy_kind_name(c->kind));
	else
		printf("  %-14s %s in the kernel, all %u ports\n", range, policy_kind_name(c->kind),
		       c->total);
}

/* Every port asked about has the policy asked for in what was applied. */
static int confirmed(const struct daemonctl_answer *a)
{
	unsigned i;
	int ok = 1;

	for (i = 0; i < a->nchecks; i++) {
		const struct daemonctl_check *c = &a->checks[i];
		struct policydiff_run r = { c->proto, c->lo, c->hi, c->kind, c->kind };
		char range[32];

		if (c->agree == c->total)
			continue;
		policydiff_format(&r, range, sizeof(range));
		fprintf(stderr, "portwarden: the daemon (pid %d) applied its files, but %u of the %u "
			"port%s %s %s not %s there: it reads other files than this command (compare "
			"its --db and --config)\n", (int)a->pid, c->total - c->agree, c->total,
			c->total == 1 ? "" : "s", range, c->total - c->agree == 1 ? "is" : "are",
			policy_kind_name(c->kind));
		ok = 0;
	}
	return ok;
}

int localrules_report(const struct daemonctl_answer *a, uint16_t queue)
{
	unsigned i;

	switch (a->outcome) {
	case DAEMONCTL_NOT_RUNNING:
		printf("no portwarden serves queue %u here; the change applies when it starts\n", queue);
		return 0;
	case DAEMONCTL_APPLIED:
		if (!confirmed(a))
			return 1;
		printf("reloaded: the daemon (pid %d) enforces it\n", (int)a->pid);
		for (i = 0; i < a->nchecks; i++)
			print_check(&a->checks[i]);
		return 0;
	case DAEMONCTL_REFUSED:
		fprintf(stderr, "portwarden: the daemon (pid %d) refused its files and keeps the policy "
			"it had:\n%s", (int)a->pid, a->detail);
		return 1;
	case DAEMONCTL_FAILED:
		fprintf(stderr, "portwarden: the daemon (pid %d) could not install the table and keeps "
			"the policy it had: %s", (int)a->pid, a->detail);
		return 1;
	case DAEMONCTL_ERROR:
		fprintf(stderr, "portwarden: the daemon (pid %d) answered: %s", (int)a->pid, a->detail);
		return 1;
	}
	return 1;
}

int localrules_reload(const struct portspec *specs, unsigned n, const struct policy_db *db,
		      uint16_t queue)
{
	struct daemonctl_answer a;
	char *req = build_request(specs, n, db);
	int ret, status;

	if (!req) {
		fprintf(stderr, "portwarden: out of memory\n");
		return 1;
	}
	ret = daemonctl_ask(queue, req, &a);
	free(req);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot ask the daemon of queue %u to apply it: %s%s\n",
			queue, strerror(-ret), ret == -ETIMEDOUT ? " (no answer; see its log)" : "");
		return 1;
	}
	status = localrules_report(&a, queue);
	daemonctl_answer_free(&a);
	return status;
}
