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

/* Asks for the ports of ps, each run of equal policy and sources in db on
 * its own line. */
static int put_expect(FILE *req, const struct portspec *ps, const struct policy_db *db,
		      unsigned *lines)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned i, port;

	for (i = 0; i < 2; i++) {
		unsigned lo = ps->lo;
		enum policy_kind k;
		uint64_t from;

		if (!(ps->protos & (i ? POLICY_UDP : POLICY_TCP)))
			continue;
		const struct policy_entry *e = policy_lookup(db, protos[i], (uint16_t)lo);

		k = policy_kind_of(db, protos[i], (uint16_t)lo);
		from = policydiff_sources(db, protos[i], (uint16_t)lo);
		for (port = ps->lo; port <= ps->hi; port++) {
			enum policy_kind next_k = k;
			uint64_t next_from = from;

			if (port < ps->hi) {
				const struct policy_entry *next = policy_lookup(db, protos[i],
										(uint16_t)(port + 1));

				next_k = policy_kind_of(db, protos[i], (uint16_t)(port + 1));
				/* the digest sorts the entry's networks: once an entry */
				if (next != e)
					next_from = policydiff_sources(db, protos[i], (uint16_t)(port + 1));
				e = next;
				if (next_k == k && next_from == from)
					continue;
			}
			if (++*lines > LOCALRULES_EXPECT_MAX)
				return -E2BIG;
			fprintf(req, "expect %s %u %u %s", i ? "udp" : "tcp", lo, port,
				policy_kind_name(k));
			if (from)
				fprintf(req, " from %016llx", (unsigned long long)from);
			fputc('\n', req);
			lo = port + 1;
			k = next_k;
			from = next_from;
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

/* ", from 203.0.113.0/24 2001:db8:113::/64": the sources db gives c's ports */
static void print_sources(const struct daemonctl_check *c, const struct policy_db *db)
{
	const struct policy_entry *e = db ? policy_lookup(db, c->proto, c->lo) : NULL;
	unsigned i, shown = 4;

	if (!c->sources || !e || !e->nsources)
		return;
	printf(", from");
	for (i = 0; i < e->nsources && i < shown; i++) {
		char net[64];

		policy_net_text(&e->sources[i].net, net, sizeof(net));
		printf(" %s", net);
	}
	if (e->nsources > shown)
		printf(" and %u more", e->nsources - shown);
}

static void print_check(const struct daemonctl_check *c, const struct policy_db *db)
{
	char range[32];
	struct policydiff_run r = { c->proto, c->lo, c->hi, c->kind, c->kind, 0 };

	policydiff_format(&r, range, sizeof(range));
	if (c->total == 1)
		printf("  %-14s %s in the kernel", range, policy_kind_name(c->kind));
	else
		printf("  %-14s %s in the kernel, all %u ports", range, policy_kind_name(c->kind),
		       c->total);
	print_sources(c, db);
	printf("\n");
}

/* Every port asked about has the policy and the sources asked for in what
 * was applied, and the adoption window is as cfg has it. */
static int confirmed(const struct daemonctl_answer *a, const struct config *cfg)
{
	unsigned i;
	int ok = 1;

	for (i = 0; i < a->nchecks; i++) {
		const struct daemonctl_check *c = &a->checks[i];
		struct policydiff_run r = { c->proto, c->lo, c->hi, c->kind, c->kind, 0 };
		char range[32];

		if (c->agree == c->total)
			continue;
		policydiff_format(&r, range, sizeof(range));
		fprintf(stderr, "portwarden: the daemon (pid %d) applied its files, but %u of the %u "
			"port%s %s %s not %s%s there: it reads other files than this command (compare "
			"its --db and --config)\n", (int)a->pid, c->total - c->agree, c->total,
			c->total == 1 ? "" : "s", range, c->total - c->agree == 1 ? "is" : "are",
			policy_kind_name(c->kind), c->sources ? " from the networks written here" : "");
		ok = 0;
	}
	if (cfg && a->window >= 0 && a->window != !!cfg->learning) {
		fprintf(stderr, "portwarden: the daemon (pid %d) applied its files, but its adoption "
			"window is %s where this command has it %s: it reads another adopt_state than "
			"this command (compare its --config)\n", (int)a->pid,
			a->window ? "open" : "closed", a->window ? "closed" : "open");
		ok = 0;
	}
	return ok;
}

static int report(const struct daemonctl_answer *a, uint16_t queue, const struct policy_db *db,
		  const struct config *cfg)
{
	unsigned i;

	switch (a->outcome) {
	case DAEMONCTL_NOT_RUNNING:
		printf("no portwarden serves queue %u here; the change applies when it starts\n", queue);
		return 0;
	case DAEMONCTL_APPLIED:
		if (!confirmed(a, cfg))
			return 1;
		printf("reloaded: the daemon (pid %d) enforces it\n", (int)a->pid);
		for (i = 0; i < a->nchecks; i++)
			print_check(&a->checks[i], db);
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

int localrules_report(const struct daemonctl_answer *a, uint16_t queue)
{
	return report(a, queue, NULL, NULL);
}

int localrules_reload(const struct portspec *specs, unsigned n, const struct policy_db *db,
		      const struct config *cfg)
{
	struct daemonctl_answer a;
	char *req = build_request(specs, n, db);
	uint16_t queue = cfg->queue_num;
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
	status = report(&a, queue, db, cfg);
	daemonctl_answer_free(&a);
	return status;
}
