// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's policy into the kernel: whole tables, and the small
 * transactions that keep the LAN sets current. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		.host_nat = d->host_nat,
		.eph_lo = d->eph_lo,
		.eph_hi = d->eph_hi,
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
		    ((policy_kind_of(d->db, p.proto, p.port) == POLICY_OPEN &&
		      !listenpolicy_get(&d->listen.lp, p.proto, p.port)) ||
		     (d->cfg.learning && policy_kind_of(d->db, p.proto, p.port) == POLICY_LAN_ONLY))) {
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
	int ret;

	if (!d->lan_watching)
		return;
	ret = lanwatch_read(&d->lanwatch, d->host);
	if (ret < 0)
		log_warnx("cannot read the interfaces and addresses: %s", strerror(-ret));
	if (d->host->dropped)
		log_warnx("more than %d interfaces or addresses: %u not considered for the LAN",
			  LAN_LINKS_MAX, d->host->dropped);
}

void reload_compute_lan(struct daemon *d, const struct config *cfg, struct lan *out)
{
	lan_compute(d->host, cfg, out);
	if (out->dropped)
		log_warnx("more than %d LAN parts: %u left out", LAN_PARTS_MAX, out->dropped);
}

static void swap_lan(struct daemon *d)
{
	struct lan *old = d->lan;

	d->lan = d->lan_next;
	d->lan_next = old;
}

/* The LAN sets follow at once, in one small transaction of set elements;
 * the table stays as it is. */
void reload_lan_changed(struct daemon *d)
{
	char what[BATCH_WHAT_MAX];
	struct timespec t0, t1;
	int ret;

	/* an interface may have been renamed */
	ifcache_forget(&d->ifaces);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	reload_read_host(d);
	reload_compute_lan(d, &d->cfg, d->lan_next);
	if (lan_equal(d->lan, d->lan_next))
		return;
	ret = firewall_lan_update(&d->fw, d->lan, d->lan_next, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0) {
		log_warnx("updating the LAN sets failed at %s: %s; installing the table again", what,
			  strerror(-ret));
		if (reload_apply(d, d->db, &d->cfg, d->lan_next) < 0)
			return;
	} else if (ret == 0) {
		return;
	}
	swap_lan(d);
	log_info("LAN changed: %d elements, read and applied in %ld us; %u parts now", ret,
		 daemon_usec_between(&t0, &t1), d->lan->nparts);
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
	reload_read_host(d);
	reload_compute_lan(d, &cfg, d->lan_next);
	/* the facts point into the database: the new one's before it applies */
	if (listenwatch_recompute(&d->listen, db) < 0 || reload_apply(d, db, &cfg, d->lan_next) < 0) {
		log_warnx("reload failed; the previous policy stays");
		listenwatch_recompute(&d->listen, d->db);
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
