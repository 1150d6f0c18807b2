// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's policy into the kernel: whole tables, and the small
 * transactions that keep the LAN sets current. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkinfo.h"
#include "log.h"
#include "reload.h"

/* The ports currently in @blocked, for carrying them over a reload. */
static unsigned collect_blocked(const struct daemon *d, struct ruleset_port *out, unsigned cap)
{
	struct portmap_pos p = PORTMAP_START;
	unsigned n = 0;

	while (n < cap && portmap_next(&p))
		if (portmap_has(d->pipe.blocked, p.proto, p.port))
			out[n++] = (struct ruleset_port){ p.proto, p.port };
	return n;
}

static struct listenwatch_blocked blocked_of(struct daemon *d)
{
	return (struct listenwatch_blocked){ d->pipe.blocked, &d->pipe.nblocked };
}

int reload_apply(struct daemon *d, const struct policy_db *db, const struct config *cfg,
		 const struct lan *lan)
{
	struct ruleset_port *carried = calloc(d->pipe.nblocked + 1, sizeof(*carried));
	const struct listenwatch_blocked blocked = blocked_of(d);
	char *comments = NULL;
	struct ruleset_spec spec = {
		.db = db,
		.cfg = cfg,
		.lan = lan,
		.log_group = cfg->queue_num,
		.source = d->source,
	};
	char what[BATCH_WHAT_MAX];
	struct timespec t0, t1;
	int ret;

	if (!carried)
		return -ENOMEM;
	spec.blocked = carried;
	spec.nblocked = collect_blocked(d, carried, (unsigned)d->pipe.nblocked);
	/* what the listener watcher decided survives the new table */
	spec.extra = listenwatch_elems(&d->listen, db, &blocked, &spec.nextra, &comments);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = firewall_apply(&d->fw, &spec, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->apply_us = daemon_usec_between(&t0, &t1);
	if (ret < 0) {
		log_warnx("installing table inet %s failed at %s: %s", RULESET_TABLE, what,
			  strerror(-ret));
		d->listen.out_of_step = 1;
	}
	free((void *)spec.extra);
	free(comments);
	free(carried);
	return ret;
}

static void forget_unguarded(struct daemon *d)
{
	struct portmap_pos p = PORTMAP_START;

	while (portmap_next(&p))
		if (portmap_has(d->pipe.blocked, p.proto, p.port) &&
		    policy_kind_of(d->db, p.proto, p.port) == POLICY_OPEN &&
		    !listenpolicy_get(&d->listen.lp, p.proto, p.port)) {
			portmap_set(d->pipe.blocked, p.proto, p.port, 0);
			d->pipe.nblocked--;
		}
}

void reload_restore(struct daemon *d)
{
	struct timespec t0, t1;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (reload_apply(d, d->db, &d->cfg, d->lan) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = daemon_usec_between(&t0, &t1);
	if (d->watch.last.pid)
		log_warnx("table inet %s was changed by another program (%s, pid %u, generation %u); "
			  "restored in %ld us", RULESET_TABLE, d->watch.last.comm, d->watch.last.pid,
			  d->watch.last.id, us);
	else
		log_warnx("table inet %s was changed by another program; restored in %ld us",
			  RULESET_TABLE, us);
	watch_remember(&d->watch);
}

/* Called after each of our transactions, which the watch remembers. */
int reload_start_watching(struct daemon *d)
{
	if (d->fw.table_flags)
		return 0;
	if (!d->watching) {
		int ret = watch_open(&d->watch, nlsock_portid(&d->fw.nl));

		if (ret < 0) {
			log_warnx("cannot watch ruleset events: %s", strerror(-ret));
			return ret;
		}
		d->watching = 1;
	}
	watch_remember(&d->watch);
	return 0;
}

/* Unreadable, the LAN is what the configuration names and link scope:
 * fewer sources reach lan-only ports, never more. */
void reload_read_host(struct daemon *d)
{
	unsigned i;
	int ret;

	if (!d->lan_watching)
		return;
	ret = lanwatch_read(&d->lanwatch, d->host);
	if (ret < 0)
		log_warnx("cannot read the interfaces and addresses: %s", strerror(-ret));
	for (i = 0; i < d->host->nlinks; i++)
		linkinfo_read(&d->host->links[i]);
	if (d->host->left_out)
		log_warnx("out of memory: %u interfaces or addresses not considered for the LAN",
			  d->host->left_out);
}

void reload_compute_lan(struct daemon *d, const struct config *cfg, struct lan *out)
{
	lan_compute(d->host, cfg, out);
	if (out->left_out)
		log_warnx("out of memory: %u interfaces left out of the LAN", out->left_out);
}

static void swap_lan(struct daemon *d)
{
	struct lan *old = d->lan;

	d->lan = d->lan_next;
	d->lan_next = old;
	lan_free(d->lan_next);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* After a whole read: every link there is, and every one the LAN held */
static uint32_t *every_link(const struct daemon *d, unsigned *n)
{
	uint32_t *v = malloc((d->host->nlinks + d->lan->nifaces + 1) * sizeof(*v));
	unsigned i, k = 0, kept = 0;

	if (!v)
		return NULL;
	for (i = 0; i < d->host->nlinks; i++)
		v[k++] = d->host->links[i].ifindex;
	for (i = 0; i < d->lan->nifaces; i++)
		v[k++] = d->lan->ifaces[i].ifindex;
	qsort(v, k, sizeof(*v), u32_cmp);
	for (i = 0; i < k; i++)
		if (!kept || v[kept - 1] != v[i])
			v[kept++] = v[i];
	*n = kept;
	return v;
}

/* The place each of the links now has, where it differs from what the
 * kernel holds: into v, whose entries own their subnets.  Returns how many,
 * or -ENOMEM. */
static int plan_changes(struct daemon *d, const uint32_t *links, unsigned n,
			struct lan_change *v)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		struct lan_link *l = lanhost_find(d->host, links[i]);
		const struct lan_iface *old = lan_iface_find(d->lan, links[i]);
		struct lan_change *c = &v[k];
		int ret;

		if (l)
			linkinfo_read(l);
		ret = lan_iface_compute(d->host, &d->cfg, links[i], &c->cur);
		if (ret < 0)
			goto out_nomem;
		c->ifindex = links[i];
		c->present = ret > 0;
		if (!old && !c->present)
			continue;
		if (old && c->present && lan_iface_equal(old, &c->cur)) {
			lan_iface_free(&c->cur);
			continue;
		}
		k++;
	}
	return (int)k;
out_nomem:
	while (k--)
		lan_iface_free(&v[k].cur);
	return -ENOMEM;
}

/* The kernel acknowledged the changes: the LAN is what they say now */
static void believe(struct daemon *d, struct lan_change *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct lan_iface *old = lan_iface_find(d->lan, v[i].ifindex);

		if (old && v[i].present && old->z.zone != v[i].cur.z.zone)
			log_info("%s: zone %s (%s), was %s", v[i].cur.name,
				 config_zone_name(v[i].cur.z.zone), v[i].cur.z.why,
				 config_zone_name(old->z.zone));
		if (v[i].present)
			lan_iface_set(d->lan, &v[i].cur);
		else
			lan_iface_remove(d->lan, v[i].ifindex);
	}
}

/* Interfaces whose place in the LAN may have changed follow at once, in
 * one small transaction of set elements; the table stays as it is. */
void reload_lan_links(struct daemon *d, const uint32_t *links, unsigned n)
{
	char what[BATCH_WHAT_MAX];
	struct lan_change *v;
	struct timespec t0, t1;
	int k, ret;

	if (!n)
		return;
	v = calloc(n, sizeof(*v));
	if (!v) {
		log_warnx("out of memory following %u interfaces", n);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	k = plan_changes(d, links, n, v);
	if (k <= 0) {
		if (k < 0)
			log_warnx("out of memory following %u interfaces", n);
		free(v);
		return;
	}
	ret = firewall_lan_update(&d->fw, d->lan, v, (unsigned)k, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0) {
		log_warnx("updating the LAN sets failed at %s: %s; installing the table again", what,
			  strerror(-ret));
		while (k--)
			lan_iface_free(&v[k].cur);
		free(v);
		reload_compute_lan(d, &d->cfg, d->lan_next);
		if (reload_apply(d, d->db, &d->cfg, d->lan_next) == 0)
			swap_lan(d);
		return;
	}
	believe(d, v, (unsigned)k);
	free(v);
	log_info("LAN changed: %d element%s for %d interface%s, applied in %ld us (%llu interface "
		 "events so far, %ld ms of CPU following them)", ret, ret == 1 ? "" : "s", k,
		 k == 1 ? "" : "s", daemon_usec_between(&t0, &t1), d->lanwatch.events_seen,
		 d->lan_cpu_us / 1000);
}

void reload_lan_changed(struct daemon *d)
{
	const uint32_t *dirty;
	uint32_t *all = NULL;
	unsigned n;
	int resync;

	/* an interface may have been renamed */
	ifcache_forget(&d->ifaces);
	dirty = lanwatch_take(&d->lanwatch, &n, &resync);
	if (resync && d->lanwatch.resyncs != d->resyncs_seen) {
		log_info("the kernel dropped interface events for us (%llu times so far): "
			 "read them whole again", d->lanwatch.resyncs);
		d->resyncs_seen = d->lanwatch.resyncs;
	}
	if (resync) {
		all = every_link(d, &n);
		dirty = all;
		if (!all) {
			log_warnx("out of memory following the interfaces");
			return;
		}
	}
	reload_lan_links(d, dirty, n);
	free(all);
}

static int nm_differs(const struct zone_nm *a, const struct zone_nm *b)
{
	return !a || !b || memcmp(a, b, sizeof(*a));
}

void reload_nm_changed(struct daemon *d)
{
	unsigned n, i, k = 0;
	const struct zone_nm *t = nmwatch_table(&d->nm, &n);
	struct zone_nm *copy = n ? malloc(n * sizeof(*copy)) : NULL;
	uint32_t *links = malloc((d->host->nlinks + 1) * sizeof(*links));

	if ((n && !copy) || !links) {
		log_warnx("out of memory following NetworkManager");
		free(copy);
		free(links);
		return;
	}
	if (n)
		memcpy(copy, t, n * sizeof(*copy));
	/* the links whose entry came, went or changed */
	for (i = 0; i < d->host->nlinks; i++) {
		const char *name = d->host->links[i].name;
		const struct zone_nm *was = lanhost_nm(d->host, name), *now = NULL;
		unsigned j;

		for (j = 0; j < n && !now; j++)
			if (!strcmp(copy[j].ifname, name))
				now = &copy[j];
		if ((was || now) && nm_differs(was, now))
			links[k++] = d->host->links[i].ifindex;
	}
	free(d->host->nm);
	d->host->nm = copy;
	d->host->nnm = n;
	reload_lan_links(d, links, k);
	free(links);
}

/* A changed log_file is opened before the old one is let go: a new path
 * that cannot be opened leaves the log where it was, and says so. */
static void follow_log_file(struct daemon *d)
{
	struct blocklog next;
	int ret;

	if (!strcmp(d->cfg.log_file, d->log.path)) {
		if (blocklog_reopen(&d->log) < 0)
			log_warn("cannot reopen %s", d->log.path);
		return;
	}
	ret = blocklog_open(&next, d->cfg.log_file);
	if (ret < 0) {
		log_warnx("cannot open %s: %s; still writing %s", d->cfg.log_file,
			  ret == -EINVAL ? "not a regular file (FIFO, device or socket)" : strerror(-ret),
			  d->log.path);
		return;
	}
	log_info("log_file changed: writing %s instead of %s", next.path, d->log.path);
	next.written = d->log.written;
	next.failed = d->log.failed;
	blocklog_close(&d->log);
	d->log = next;
}

/* The database as the files say now: the one in use when none of them
 * changed since it was read (a SIGHUP for portwarden.conf, or none at
 * all, skips the parse that is most of a reload's cost), else parsed
 * anew.  NULL when the files have errors. */
static struct policy_db *load(struct daemon *d, struct config *cfg,
			      struct settings_stamp *stamp)
{
	struct policy_db *db;

	settings_db_stamp(d->settings, stamp);
	if (!stamp->racy && !memcmp(stamp, &d->db_stamp, sizeof(*stamp)))
		return settings_load_config(d->settings, cfg, stderr) < 0 ? NULL : d->db;
	db = settings_load(d->settings, cfg, stderr);
	if (db)
		policy_db_shed_text(db);
	return db;
}

/* Frees a database that did not replace the one in use. */
static void discard(struct daemon *d, struct policy_db *db)
{
	if (db != d->db)
		policy_db_free(db);
}

void reload_config(struct daemon *d, const struct timespec *asked)
{
	struct settings_stamp stamp;
	struct timespec t0, t1, t2;
	struct policy_db *db;
	struct config cfg;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("reloading");
	db = load(d, &cfg, &stamp);
	if (!db) {
		log_warnx("reload refused: configuration has errors; the previous policy stays");
		return;
	}
	if (cfg.queue_num != d->cfg.queue_num) {
		log_warnx("reload refused: queue changed from %u to %u; restart to change it",
			  d->cfg.queue_num, cfg.queue_num);
		discard(d, db);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	reload_compute_lan(d, &cfg, d->lan_next);
	/* the facts point into the database: the new one's before it applies */
	if (listenwatch_recompute(&d->listen, db) < 0 || reload_apply(d, db, &cfg, d->lan_next) < 0) {
		log_warnx("reload failed; the previous policy stays");
		listenwatch_recompute(&d->listen, d->db);
		lan_free(d->lan_next);
		discard(d, db);
		return;
	}
	swap_lan(d);
	if (db != d->db) {
		policy_db_free(d->db);
		d->db = db;
		d->db_stamp = stamp;
	}
	d->cfg = cfg;
	fold_set_rate(&d->fold, DAEMON_LOG_LINES_PER_RATE * cfg.log_rate);
	forget_unguarded(d);
	reload_start_watching(d);
	follow_log_file(d);
	blocklog_set_max_size(&d->log, (off_t)d->cfg.log_max_kib * 1024);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	log_info("reloaded: %u entries; %ld us after the signal (waited %ld us, read the "
		 "files in %ld us, table in %ld us)", db->nentries, daemon_usec_between(asked, &t2),
		 daemon_usec_between(asked, &t0), daemon_usec_between(&t0, &t1),
		 daemon_usec_between(&t1, &t2));
}
