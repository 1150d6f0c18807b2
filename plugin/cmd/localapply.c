// SPDX-License-Identifier: GPL-2.0-or-later
/* Having the running daemon apply a change, and checking its answer. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemonctl.h"
#include "localrules.h"
#include "policydiff.h"

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
