// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's policy into the kernel: whole tables, and the small
 * transactions that keep the LAN sets current.  What the daemon believes
 * the kernel holds changes only after the kernel acknowledged it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkinfo.h"
#include "atomicfile.h"
#include "effects.h"
#include "expiry.h"
#include "log.h"
#include "packet.h"
#include "policydiff.h"
#include "portspec.h"
#include "reload.h"

/* Does a port of @blocked keep its block in a table for db and cfg?  Only
 * while it is guarded (by its entry or by the software listening on it),
 * never while a public server holds it (@blocked is matched before
 * @served), and not for a lan-only port in an adoption window (its
 * attempts are logged, not dropped: ruleset.c carries no element). */
static int keeps_block(const struct daemon *d, const struct policy_db *db,
		       const struct config *cfg, uint8_t proto, uint16_t port)
{
	const struct listenpolicy_port *lp = listenpolicy_get(&d->listen.lp, proto, port);
	enum policy_kind kind = policy_kind_of(db, proto, port);

	if (lp && lp->served)
		return 0;
	if (cfg->learning && kind == POLICY_LAN_ONLY)
		return 0;
	return kind != POLICY_OPEN;
}

/* The ports of @blocked the new table carries over. */
static unsigned collect_blocked(const struct daemon *d, const struct policy_db *db,
				const struct config *cfg, struct ruleset_port *out, unsigned cap)
{
	struct portmap_pos p = PORTMAP_START;
	unsigned n = 0;

	while (n < cap && portmap_next(&p))
		if (portmap_has(d->pipe.blocked, p.proto, p.port) &&
		    keeps_block(d, db, cfg, p.proto, p.port))
			out[n++] = (struct ruleset_port){ p.proto, p.port };
	return n;
}

/* The table for db is in the kernel: @blocked holds what was carried
 * over (and the ports only the watcher guards), nothing else. */
static void believe_blocked(struct daemon *d, const struct policy_db *db,
			    const struct config *cfg)
{
	struct portmap_pos p = PORTMAP_START;

	while (portmap_next(&p)) {
		const struct listenpolicy_port *lp;

		if (!portmap_has(d->pipe.blocked, p.proto, p.port) ||
		    keeps_block(d, db, cfg, p.proto, p.port))
			continue;
		lp = listenpolicy_get(&d->listen.lp, p.proto, p.port);
		if (lp && (listenpolicy_sets(lp, db) & LISTENPOLICY_SET_GUARDED))
			continue;	/* the watcher's element carried it */
		portmap_set(d->pipe.blocked, p.proto, p.port, 0);
		d->pipe.nblocked--;
		if (lp && lp->served)
			log_info("unblocked %u/%s: now served by %s", p.port, packet_l4_name(p.proto),
				 lp->who);
	}
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

	d->apply_error[0] = '\0';
	if (!carried)
		return -ENOMEM;
	spec.blocked = carried;
	spec.nblocked = collect_blocked(d, db, cfg, carried, (unsigned)d->pipe.nblocked);
	/* what the listener watcher decided survives the new table */
	spec.extra = listenwatch_elems(&d->listen, db, &blocked, &spec.nextra, &comments);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = firewall_apply(&d->fw, &spec, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->apply_us = elapsed_usec(&t0, &t1);
	if (ret < 0) {
		snprintf(d->apply_error, sizeof(d->apply_error), "installing table inet %s failed at "
			 "%s: %s", RULESET_TABLE, what, strerror(-ret));
		log_warnx("%s", d->apply_error);
		/* the kernel keeps what it had; the next attempt installs
		 * the whole table again */
		d->listen.out_of_step = 1;
	} else {
		listenwatch_commit(&d->listen, db);
		believe_blocked(d, db, cfg);
	}
	free((void *)spec.extra);
	free(comments);
	free(carried);
	return ret;
}

static void swap_lan(struct daemon *d)
{
	struct lan *old = d->lan;

	d->lan = d->lan_next;
	d->lan_next = old;
	lan_free(d->lan_next);
}

/* The whole table for the policy in use and the LAN the host has now (the
 * host model follows every interface event as it comes). */
static int apply_current(struct daemon *d)
{
	int ret;

	reload_compute_lan(d, &d->cfg, d->lan_next);
	ret = reload_apply(d, d->db, &d->cfg, d->lan_next);
	if (ret < 0) {
		lan_free(d->lan_next);
		return ret;
	}
	swap_lan(d);
	d->lan_stale = 0;
	return 0;
}

void reload_restore(struct daemon *d)
{
	struct timespec t0, t1;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (apply_current(d) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = elapsed_usec(&t0, &t1);
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
 * one small transaction of set elements; the table stays as it is.  When
 * neither that nor a whole table goes through, the LAN in use stays what
 * the kernel holds and lan_stale has the loop try again. */
static int lan_links(struct daemon *d, const uint32_t *links, unsigned n)
{
	char what[BATCH_WHAT_MAX];
	struct lan_change *v;
	struct timespec t0, t1;
	int k, ret;

	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v) {
		log_warnx("out of memory following %u interfaces", n);
		d->lan_stale = 1;
		return -ENOMEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	k = plan_changes(d, links, n, v);
	if (k <= 0) {
		if (k < 0) {
			log_warnx("out of memory following %u interfaces", n);
			d->lan_stale = 1;
		}
		free(v);
		return k;
	}
	ret = firewall_lan_update(&d->fw, d->lan, v, (unsigned)k, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0) {
		log_warnx("updating the LAN sets failed at %s: %s; installing the table again", what,
			  strerror(-ret));
		while (k--)
			lan_iface_free(&v[k].cur);
		free(v);
		ret = apply_current(d);
		if (ret < 0) {
			d->lan_stale = 1;
			return ret;
		}
		log_info("LAN changed: the whole table installed again; %u interfaces now",
			 d->lan->nifaces);
		return 0;
	}
	believe(d, v, (unsigned)k);
	free(v);
	log_info("LAN changed: %d element%s for %d interface%s, applied in %ld us (%llu interface "
		 "events so far, %ld ms of CPU following them)", ret, ret == 1 ? "" : "s", k,
		 k == 1 ? "" : "s", elapsed_usec(&t0, &t1), d->lanwatch.events_seen,
		 d->lan_cpu_us / 1000);
	return 0;
}

void reload_lan_links(struct daemon *d, const uint32_t *links, unsigned n)
{
	lan_links(d, links, n);
}

void reload_lan_changed(struct daemon *d)
{
	const uint32_t *dirty;
	uint32_t *all = NULL;
	unsigned n;
	int resync, every;

	/* an interface may have been renamed */
	ifcache_forget(&d->ifaces);
	dirty = lanwatch_take(&d->lanwatch, &n, &resync);
	if (resync && d->lanwatch.resyncs != d->resyncs_seen) {
		log_info("the kernel dropped interface events for us (%llu times so far): "
			 "read them whole again", d->lanwatch.resyncs);
		d->resyncs_seen = d->lanwatch.resyncs;
	}
	/* after a failed try the links it took are unknown: look at all */
	every = resync || d->lan_stale;
	if (every) {
		all = every_link(d, &n);
		dirty = all;
		if (!all) {
			log_warnx("out of memory following the interfaces");
			d->lan_stale = 1;
			return;
		}
	}
	if (lan_links(d, dirty, n) == 0 && every)
		d->lan_stale = 0;
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
			  ret == -EINVAL ? "not a regular file (FIFO, device or socket)" : atomicfile_strerror(ret),
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
 * anew; always anew when an entry's time ran out.  NULL when the files
 * have errors. */
static struct policy_db *load(struct daemon *d, struct config *cfg, struct settings_stamp *stamp,
			      int fresh, FILE *err)
{
	struct policy_db *db;

	settings_db_stamp(d->settings, stamp);
	if (!fresh && !stamp->racy && !memcmp(stamp, &d->db_stamp, sizeof(*stamp)))
		return settings_load_config(d->settings, cfg, err) < 0 ? NULL : d->db;
	db = settings_load(d->settings, cfg, err);
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

/* The files' errors go to the journal as they always did, and to the
 * answer of whoever asked for the reload. */
static struct policy_db *load_reporting(struct daemon *d, struct config *cfg,
					struct settings_stamp *stamp, int fresh, FILE *answer)
{
	char *text = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&text, &len);
	struct policy_db *db = load(d, cfg, stamp, fresh, err ? err : stderr);

	if (err && fclose(err) == 0 && text) {
		fputs(text, stderr);
		if (!db && answer)
			fprintf(answer, "refused\n%s", text);
	}
	free(text);
	if (!db && answer && !err)
		fprintf(answer, "refused\nthe files have errors (see the daemon's log)\n");
	return db;
}

struct diff_out {
	FILE *answer;
	unsigned n;
};

static void put_change(void *ctx, const struct policydiff_run *r)
{
	struct diff_out *o = ctx;

	if (o->n++ < RELOAD_CHANGES_MAX)
		fprintf(o->answer, "change %s %u %u %s %s%s\n", r->proto == IPPROTO_UDP ? "udp" : "tcp",
			r->lo, r->hi, policy_kind_name(r->was), policy_kind_name(r->now),
			r->sources ? " from" : "");
}

static void answer_changes(FILE *answer, const struct policy_db *was, const struct policy_db *now)
{
	struct diff_out o = { answer, 0 };

	fprintf(answer, "applied %u\n", now->nentries);
	if (was != now)
		policydiff(was, now, put_change, &o);
	if (o.n > RELOAD_CHANGES_MAX)
		fprintf(answer, "more %u\n", o.n - RELOAD_CHANGES_MAX);
}

/* Entries of the policy in use whose time ran out: said, then the files
 * read again (they are unchanged: the entries end by the clock). */
void reload_expired(struct daemon *d)
{
	int64_t now = (int64_t)time(NULL);
	struct timespec asked;
	unsigned i;

	if (!d->expires_at || now < d->expires_at)
		return;
	for (i = 0; i < d->db->nentries; i++) {
		const struct policy_entry *e = &d->db->entries[i];
		struct portspec ps = { .lo = e->lo, .hi = e->hi, .protos = e->protos };
		char at[EXPIRY_TEXT_MAX], spec[32];

		if (!e->expires || e->expires > now)
			continue;
		expiry_format(e->expires, at, sizeof(at));
		portspec_format(&ps, spec, sizeof(spec));
		log_info("%s %s %s (%s:%u) ended at %s: %s", spec, e->service,
			 policy_kind_name(e->kind), e->file, e->line, at,
			 e->expires_then ? policy_kind_name((enum policy_kind)(e->expires_then - 1)) :
			 "the other files decide now");
	}
	clock_gettime(CLOCK_MONOTONIC, &asked);
	if (reload_config(d, &asked, 1, NULL) != RELOAD_APPLIED)
		d->expires_at = now + 60;	/* the old entry stays in force: try again */
}

int reload_config(struct daemon *d, const struct timespec *asked, int fresh, FILE *answer)
{
	struct listenpolicy in_use;
	struct settings_stamp stamp;
	struct timespec t0, t1, t2;
	struct policy_db *db;
	struct config cfg;

	/* lines in waiting are written to the log in use; the folding
	 * windows stay (a reload is no reason for a line) */
	effects_write_pending(d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("reloading");
	db = load_reporting(d, &cfg, &stamp, fresh, answer);
	if (!db) {
		log_warnx("reload refused: configuration has errors; the previous policy stays");
		return RELOAD_REFUSED;
	}
	if (cfg.queue_num != d->cfg.queue_num) {
		log_warnx("reload refused: queue changed from %u to %u; restart to change it",
			  d->cfg.queue_num, cfg.queue_num);
		if (answer)
			fprintf(answer, "refused\n%s: queue changed from %u to %u; restart the daemon "
				"to change it\n", d->settings->config_path, d->cfg.queue_num,
				cfg.queue_num);
		discard(d, db);
		return RELOAD_REFUSED;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	reload_compute_lan(d, &cfg, d->lan_next);
	/* the facts point into the database: the new one's before it
	 * applies; the ones in use stay aside until the kernel took it */
	in_use = d->listen.lp;
	memset(&d->listen.lp, 0, sizeof(d->listen.lp));
	if (listenwatch_recompute(&d->listen, db) < 0 || reload_apply(d, db, &cfg, d->lan_next) < 0) {
		log_warnx("reload failed; the previous policy stays");
		if (answer)
			fprintf(answer, "failed\n%s\n", d->apply_error[0] ? d->apply_error :
				strerror(ENOMEM));
		listenpolicy_free(&d->listen.lp);
		d->listen.lp = in_use;
		lan_free(d->lan_next);
		discard(d, db);
		return RELOAD_FAILED;
	}
	listenpolicy_free(&in_use);
	swap_lan(d);
	d->lan_stale = 0;
	if (answer)
		answer_changes(answer, d->db, db);
	if (db != d->db) {
		policy_db_free(d->db);
		d->db = db;
		d->db_stamp = stamp;
	}
	d->cfg = cfg;
	d->expires_at = expiry_next(d->db, (int64_t)time(NULL));
	fold_set_rate(&d->fold, DAEMON_LOG_LINES_PER_RATE * cfg.log_rate);
	reload_start_watching(d);
	follow_log_file(d);
	blocklog_set_max_size(&d->log, (off_t)d->cfg.log_max_kib * 1024);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	log_info("reloaded: %u entries; %ld us after the request (waited %ld us, read the "
		 "files in %ld us, table in %ld us)", db->nentries, elapsed_usec(asked, &t2),
		 elapsed_usec(asked, &t0), elapsed_usec(&t0, &t1),
		 elapsed_usec(&t1, &t2));
	return RELOAD_APPLIED;
}
