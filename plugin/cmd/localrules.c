// SPDX-License-Identifier: GPL-2.0-or-later
/* Changing local.rules on an admin's behalf, safely. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "daemonctl.h"
#include "kstate.h"
#include "localrules.h"
#include "rulesedit.h"
#include "textfile.h"

int localrules_read(const struct settings *s, struct localrules *lr)
{
	struct diag d = { .out = stderr };

	memset(lr, 0, sizeof(*lr));
	lr->path = settings_local_rules(s);
	if (!lr->path) {
		fprintf(stderr, "portwarden: only one rules file given; name the file to change as "
			"the last --db (e.g. --db ports.db --db local.rules)\n");
		return -EINVAL;
	}
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
		fprintf(stderr, "portwarden: cannot write %s: %s\n", lr->path, strerror(-ret));
	return ret;
}

/* the first port of ps, of its first protocol */
static int has_port(const uint8_t (*map)[PORTMAP_BYTES], const struct portspec *ps)
{
	return portmap_has(map, ps->protos & POLICY_TCP ? IPPROTO_TCP : IPPROTO_UDP, ps->lo);
}

/* The daemon has the new policy once @guarded and @lan_only agree with it
 * (a change between loopback-only and lan-only shows in @lan_only only). */
static int kernel_agrees(const struct portspec *specs, unsigned n, const struct policy_db *db)
{
	struct kstate ks;
	unsigned i;
	int ok = 1;

	if (kstate_read(&ks) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		enum policy_kind kind = localrules_kind_at(db, &specs[i]);

		ok &= has_port(ks.guarded_map, &specs[i]) == (kind != POLICY_OPEN);
		ok &= has_port(ks.lan_only_map, &specs[i]) == (kind == POLICY_LAN_ONLY);
	}
	kstate_free(&ks);
	return ok;
}

struct agreement {
	const struct portspec *specs;
	unsigned n;
	const struct policy_db *db;
};

static int agrees(void *ctx)
{
	const struct agreement *a = ctx;

	return kernel_agrees(a->specs, a->n, a->db);
}

int localrules_reload(const struct portspec *specs, unsigned n, const struct policy_db *db,
		      uint16_t queue)
{
	struct agreement a = { specs, n, db };

	return daemonctl_apply(queue, agrees, &a);
}
