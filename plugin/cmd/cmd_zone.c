// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden zone`: each interface's zone and why; `portwarden zone IF
 * ZONE` sets it in portwarden.conf (zone.IF) the way an admin would by
 * hand, refuses what would not load, and has the running daemon apply it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "commands.h"
#include "confedit.h"
#include "json.h"
#include "kstate.h"
#include "lanwatch.h"
#include "localrules.h"
#include "safetext.h"
#include "textfile.h"

static void print_zone(const char *iface, const char *zone, const char *why)
{
	char a[KSTATE_COMMENT_MAX], b[KSTATE_COMMENT_MAX];

	printf("%-16s %-7s %s\n", safetext(a, sizeof(a), iface), zone, safetext(b, sizeof(b), why));
}

static void print_json(const struct kstate_zone *z, unsigned n)
{
	size_t cap = 256 + (size_t)n * (6 * 2 * KSTATE_COMMENT_MAX + 128);
	char *buf = malloc(cap);
	struct json j;
	unsigned i;

	if (!buf)
		return;
	json_begin(&j, buf, cap);
	json_open(&j, "zones", '[');
	for (i = 0; i < n; i++) {
		json_open(&j, NULL, '{');
		json_str(&j, "interface", z[i].iface);
		json_str(&j, "zone", z[i].zone);
		json_str(&j, "reason", z[i].why);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	if (json_end(&j) > 0)
		fputs(buf, stdout);
	free(buf);
}

static int by_iface(const void *a, const void *b)
{
	return strcmp(((const struct kstate_zone *)a)->iface, ((const struct kstate_zone *)b)->iface);
}

/* Without a daemon: what it would find here, NetworkManager aside */
static int list_computed(const struct settings *s, const struct config *cfg)
{
	struct kstate_zone *z;
	struct lan lan = { 0 };
	unsigned i;

	if (lanwatch_effective(cfg, &lan) < 0)
		fprintf(stderr, "portwarden: cannot read the interfaces\n");
	z = calloc(lan.nifaces + 1, sizeof(*z));
	if (!z) {
		lan_free(&lan);
		return 1;
	}
	for (i = 0; i < lan.nifaces; i++) {
		snprintf(z[i].iface, sizeof(z[i].iface), "%s", lan.ifaces[i].name);
		z[i].zone = config_zone_name(lan.ifaces[i].z.zone);
		snprintf(z[i].why, sizeof(z[i].why), "%s", lan.ifaces[i].z.why);
	}
	qsort(z, lan.nifaces, sizeof(*z), by_iface);
	if (s->json) {
		print_json(z, lan.nifaces);
	} else {
		printf("# no table installed: computed here, without NetworkManager's zones\n");
		for (i = 0; i < lan.nifaces; i++)
			print_zone(z[i].iface, z[i].zone, z[i].why);
	}
	free(z);
	lan_free(&lan);
	return 0;
}

static int list_zones(const struct settings *s)
{
	struct config cfg;
	struct kstate ks;
	unsigned i;
	int ret;

	if (settings_load_config(s, &cfg, stderr) < 0)
		return 1;
	ret = kstate_read(&ks);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot read the ruleset: %s%s\n", strerror(-ret),
			ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return 4;
	}
	if (!ks.installed) {
		kstate_free(&ks);
		return list_computed(s, &cfg);
	}
	if (s->json)
		print_json(ks.zones, ks.nzones);
	for (i = 0; !s->json && i < ks.nzones; i++)
		print_zone(ks.zones[i].iface, ks.zones[i].zone, ks.zones[i].why);
	kstate_free(&ks);
	return 0;
}

/* What the kernel must show once the daemon applied zone.NAME */
struct want {
	const struct config *cfg;	/* the new configuration */
	char name[IFNAMSIZ];
	enum zone zone;
	char reason[64];	/* the reason a zone.NAME line gives */
	unsigned matched;	/* interfaces the line decides */
	int looked;		/* a table is there: its zones were looked at */
};

/* Read once the daemon answered, which it does after the kernel's ack:
 * 1 when the zone sets agree with the new line (or no table is there) */
static int zone_applied(struct want *w)
{
	struct kstate ks;
	unsigned i;
	int ok = 1;

	if (kstate_read(&ks) < 0)
		return 0;
	w->looked = ks.installed;
	w->matched = 0;
	for (i = 0; i < ks.nzones; i++) {
		const struct kstate_zone *z = &ks.zones[i];
		const struct config_zone *c = config_zone_of(w->cfg, z->iface);
		int ours = !strcmp(z->why, w->reason);

		if (w->zone == ZONE_AUTO) {
			ok &= !ours;	/* no interface follows the removed line any more */
			continue;
		}
		if (!c || strcmp(c->name, w->name))
			continue;	/* a more specific setting decides it */
		w->matched++;
		ok &= ours && !strcmp(z->zone, config_zone_name(w->zone));
	}
	kstate_free(&ks);
	return ok;
}

/* The note above the line: "set to public on DATE with `portwarden zone`" */
static void note_for(const struct settings *s, enum zone zone, char *buf, size_t cap)
{
	char verb[32];

	snprintf(verb, sizeof(verb), "set to %s", config_zone_name(zone));
	localrules_note(buf, cap, verb, "zone", s->why);
}

/* Would the name cut or end the line it goes into */
static int unsafe_name(const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= IFNAMSIZ)
		return 1;
	for (p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '=' || *p == '#' || *p == 0x7f)
			return 1;
	return 0;
}

/* The edited text, validated as the daemon will load it; the errors are
 * printed against the file's name */
static int validate(const char *path, const struct confedit *e, struct config *cfg)
{
	char *copy = malloc(e->len + 1);
	unsigned errors;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, e->text, e->len + 1);
	config_defaults(cfg);
	errors = config_load_buf(cfg, path, copy, e->len, stderr);
	free(copy);
	return errors ? -EINVAL : 0;
}

static int read_config(const char *path, char **text, size_t *len)
{
	struct diag d = { .out = stderr, .file = path };

	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*text = strdup("");
		*len = 0;
		return *text ? 0 : -ENOMEM;
	}
	return textfile_read(&d, path, text, len);
}

/* The running daemon applies the files through the path every edit takes
 * (localrules_reload), then the zone sets are checked */
static int apply(const struct settings *s, struct want *w)
{
	struct config cfg;
	int status;

	/* no port to check: the configuration alone (the adoption window) */
	if (settings_load_config(s, &cfg, stderr) < 0)
		return 1;
	status = localrules_reload(NULL, 0, NULL, &cfg);
	if (status != 0)
		return status;
	if (!zone_applied(w)) {
		fprintf(stderr, "portwarden: the daemon applied its files, but its zones do not follow "
			"%s: it reads another portwarden.conf than this command (compare its "
			"--config)\n", w->reason);
		return 1;
	}
	if (w->looked && w->zone != ZONE_AUTO && !w->matched)
		printf("no interface here is %s now: the zone applies when one appears\n", w->name);
	return 0;
}

static int set_zone(const struct settings *s, const char *name, const char *zone_text)
{
	struct localrules lock;
	struct confedit e = { 0 };
	struct want w = { 0 };
	char key[8 + IFNAMSIZ], note[320], *text = NULL;
	const struct config_zone *before;
	struct config old, cfg;
	size_t len;
	int status = 1, ret;

	if (unsafe_name(name)) {
		fprintf(stderr, "portwarden zone: \"%s\" is no interface name (at most %d characters, "
			"a prefix ending in *, or *)\n", name, IFNAMSIZ - 1);
		return 2;
	}
	if (config_zone_parse(zone_text, &w.zone) < 0) {
		fprintf(stderr, "portwarden zone: \"%s\" is not lan, public, wan or auto\n", zone_text);
		return 2;
	}
	/* serialised with every other edit, from the read until the daemon
	 * answered */
	if (localrules_lock(s, &lock) < 0)
		return 1;
	if (settings_load_config(s, &old, stderr) < 0) {
		fprintf(stderr, "portwarden: the present configuration does not load; fix it first "
			"(portwarden check)\n");
		goto out;
	}
	if (read_config(s->config_path, &text, &len) < 0)
		goto out;
	snprintf(key, sizeof(key), "zone.%s", name);
	note_for(s, w.zone, note, sizeof(note));
	if (confedit_set(text, len, key, w.zone == ZONE_AUTO ? NULL : zone_text, note, &e) < 0) {
		fprintf(stderr, "portwarden: out of memory\n");
		goto out;
	}
	if (validate(s->config_path, &e, &cfg) < 0) {
		fprintf(stderr, "portwarden: %s not changed\n", s->config_path);
		goto out;
	}
	before = config_zone_of(&old, name);
	if ((before && !strcmp(before->name, name) ? before->zone : ZONE_AUTO) == w.zone) {
		printf("%s is %s already in %s\n", key, zone_text, s->config_path);
		status = 0;
		goto out;
	}
	ret = atomicfile_replace(s->config_path, e.text, e.len, 0644);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot write %s: %s\n", s->config_path,
			atomicfile_strerror(ret));
		goto out;
	}
	if (e.line)
		printf("%s = %s  (%s:%u)\n", key, zone_text, s->config_path, e.line);
	else
		printf("%s removed from %s: the zone of %s is decided automatically\n", key,
		       s->config_path, name);
	w.cfg = &cfg;
	snprintf(w.name, sizeof(w.name), "%s", name);
	snprintf(w.reason, sizeof(w.reason), "zone.%s in portwarden.conf", name);
	status = apply(s, &w);
out:
	localrules_free(&lock);
	free(text);
	free(e.text);
	return status;
}

int cmd_zone(const struct settings *s, int argc, char **argv)
{
	if (argc == 0)
		return list_zones(s);
	if (argc != 2) {
		fprintf(stderr, "portwarden zone: give an interface and a zone (lan, public, wan or "
			"auto), or nothing to list them\n");
		return 2;
	}
	return set_zone(s, argv[0], argv[1]);
}
