// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden changes`: every entry of local.rules against the policy it
 * overrides, with where it is, why and since when it is there, and until
 * when (ufw's `status numbered`, firewalld's `--list-all`). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "expiry.h"
#include "json.h"
#include "rulesedit.h"
#include "safetext.h"
#include "textfile.h"

#define JSON_MAX (1 << 20)

struct listing {
	const char *path;
	const struct policy_db *shipped, *all;	/* without and with the file */
	int64_t now;
	struct json *j;		/* NULL: text */
	unsigned n;
};

/* The policy of ps's ports in db: one name, or "mixed" */
static const char *kinds_in(const struct policy_db *db, const struct portspec *ps)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	int seen = -1;
	unsigned i, port;

	for (i = 0; i < 2; i++) {
		if (!(ps->protos & (i ? POLICY_UDP : POLICY_TCP)))
			continue;
		for (port = ps->lo; port <= ps->hi; port++) {
			int k = (int)policy_kind_of(db, protos[i], (uint16_t)port);

			if (seen >= 0 && k != seen)
				return "mixed";
			seen = k;
		}
	}
	return policy_kind_name(seen < 0 ? POLICY_OPEN : (enum policy_kind)seen);
}

/* Ports of the entry where another entry decides (a narrower one, or a
 * later file). */
static unsigned overruled(const struct listing *l, const struct rulesedit_view *v)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned i, port, n = 0;

	for (i = 0; i < 2; i++) {
		if (!(v->spec.protos & (i ? POLICY_UDP : POLICY_TCP)))
			continue;
		for (port = v->spec.lo; port <= v->spec.hi; port++) {
			const struct policy_entry *e = policy_lookup(l->all, protos[i], (uint16_t)port);

			n += !e || strcmp(e->file, l->path) || e->line != v->line;
		}
	}
	return n;
}

static void put_text(struct listing *l, const struct rulesedit_view *v, const char *shipped,
		     unsigned others)
{
	char spec[32], safe[RULESEDIT_LINE_MAX * 2];
	unsigned i;

	portspec_format(&v->spec, spec, sizeof(spec));
	printf("%-14s %-16s %-14s (shipped: %s)  %s:%u\n", spec, v->service, v->policy, shipped,
	       safetext(safe, sizeof(safe), l->path), v->line);
	if (v->expires) {
		char at[EXPIRY_TEXT_MAX];

		expiry_format(v->expires, at, sizeof(at));
		printf("               %s %s, then %s%s%s\n", v->expires > l->now ? "until" : "ended at",
		       at, v->then[0] ? v->then : "what the other files say",
		       v->then_from[0] ? " from " : "",
		       safetext(safe, sizeof(safe), v->then_from));
	}
	for (i = 0; i < v->nattrs; i++)
		printf("               %s\n", safetext(safe, sizeof(safe), v->attrs[i]));
	if (v->note[0])
		printf("               %s\n", safetext(safe, sizeof(safe), v->note));
	else
		printf("               (no note: written by hand)\n");
	if (others)
		printf("               %u of its ports are decided by another entry (a narrower "
		       "range wins): see portwarden lookup\n", others);
}

static void put_json(struct listing *l, const struct rulesedit_view *v, const char *shipped,
		     unsigned others)
{
	char spec[32];
	unsigned i;

	portspec_format(&v->spec, spec, sizeof(spec));
	json_open(l->j, NULL, '{');
	json_str(l->j, "spec", spec);
	json_str(l->j, "service", v->service);
	json_str(l->j, "policy", v->policy);
	json_str(l->j, "shipped", shipped);
	json_str(l->j, "file", l->path);
	json_uint(l->j, "line", v->line);
	json_str(l->j, "note", v->note);
	if (v->expires) {
		char at[EXPIRY_TEXT_MAX];

		expiry_format(v->expires, at, sizeof(at));
		json_str(l->j, "expires", at);
		json_str(l->j, "then", v->then);
		json_str(l->j, "then_from", v->then_from);
		json_raw_bool(l->j, "ended", v->expires <= l->now);
	}
	json_open(l->j, "attributes", '[');
	for (i = 0; i < v->nattrs; i++)
		json_str(l->j, NULL, v->attrs[i]);
	json_close(l->j, ']');
	json_uint(l->j, "overruled_ports", others);
	json_close(l->j, '}');
}

static void on_entry(void *ctx, const struct rulesedit_view *v)
{
	struct listing *l = ctx;
	const char *shipped = kinds_in(l->shipped, &v->spec);
	unsigned others = overruled(l, v);

	l->n++;
	if (l->j)
		put_json(l, v, shipped, others);
	else
		put_text(l, v, shipped, others);
}

int cmd_changes(const struct settings *s)
{
	struct diag d = { .out = stderr };
	struct listing l = { .now = (int64_t)time(NULL) };
	struct policy_db *shipped = NULL, *all = NULL;
	struct config cfg;
	struct json j;
	char *text = NULL, *buf = NULL;
	size_t len = 0;
	int status = 1, ret;

	l.path = settings_local_rules(s);
	if (!l.path) {
		fprintf(stderr, "portwarden: only one rules file given: no local changes to list\n");
		return 2;
	}
	d.file = l.path;
	ret = textfile_read(&d, l.path, &text, &len);
	if (ret == -ENOENT) {
		printf("no local changes: %s does not exist\n", l.path);
		return 0;
	}
	if (ret < 0)
		return 1;
	/* the shipped policy: the set with the file empty */
	shipped = settings_load_with(s, l.path, "", 0, stderr);
	all = settings_load(s, &cfg, stderr);
	if (!shipped || !all) {
		fprintf(stderr, "portwarden: the configuration does not load (portwarden check)\n");
		goto out;
	}
	l.shipped = shipped;
	l.all = all;
	if (s->json) {
		buf = malloc(JSON_MAX);
		if (!buf)
			goto out;
		json_begin(&j, buf, JSON_MAX);
		json_str(&j, "file", l.path);
		json_open(&j, "changes", '[');
		l.j = &j;
	}
	ret = rulesedit_each(text, len, on_entry, &l);
	if (ret < 0) {
		fprintf(stderr, "portwarden: %s\n", strerror(-ret));
		goto out;
	}
	if (s->json) {
		json_close(&j, ']');
		if (json_end(&j) > 0)
			fputs(buf, stdout);
	} else if (!l.n) {
		printf("no local changes in %s: the shipped policy applies\n", l.path);
	} else {
		printf("%u local change%s in %s; undo one with portwarden reset PORT\n", l.n,
		       l.n == 1 ? "" : "s", l.path);
	}
	status = 0;
out:
	free(buf);
	free(text);
	policy_db_free(shipped);
	policy_db_free(all);
	return status;
}
