// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon: event loop, signals, and what happens to a queued packet. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "blocklog.h"
#include "fold.h"
#include "daemon.h"
#include "decide.h"
#include "firewall.h"
#include "ifcache.h"
#include "listenwatch.h"
#include "lan.h"
#include "lanwatch.h"
#include "kstate.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "portmap.h"
#include "natscan.h"
#include "nflog.h"
#include "notify.h"
#include "privdrop.h"
#include "sockdiag.h"
#include "queue.h"
#include "watch.h"

#define PENDING_MAX 64

struct daemon {
	const struct settings *settings;
	struct config cfg;
	struct policy_db *db;
	char source[512];
	struct firewall fw;
	struct queue queue;
	struct nflog nflog;
	struct watch watch;	/* only when the table is not owned */
	int watching;
	struct blocklog log;
	struct fold fold;
	struct ifcache ifaces;
	struct listenwatch listen;	/* who listens, off the packet path */
	struct lanwatch lanwatch;	/* the host's interfaces and addresses */
	int lan_watching;
	struct lan_host *host;
	struct lan *lan, *lan_next;	/* the effective LAN; the next one */
	/* first lines of ports whose listener the watcher does not know yet:
	 * written after its next look, so that the line can name it */
	struct fold_event pending[PENDING_MAX];
	unsigned npending;
	struct metrics metrics;
	time_t metrics_due;	/* 0: a new block, write at the next second */
	time_t metrics_last;
	int metrics_failed;	/* reported once, until a write works again */
	struct natscan_list nat;	/* published ports, for the log */
	time_t nat_expires;
	int nat_failed;
	uint8_t blocked[2][PORTMAP_BYTES];	/* ports in @blocked */
	unsigned long nblocked, malformed, block_failed;
	long apply_us;		/* duration of the last ruleset transaction */
	struct timespec last_drain;	/* when the queue last had packets */
	uint16_t eph_lo, eph_hi;	/* net.ipv4.ip_local_port_range */
};

/* Lines written at once a second, in log_rate units: the kernel path lets
 * log_rate a second through per source, so twice that leaves room for
 * other sources while one floods; past it new sources fold per port. */
#define LOG_LINES_PER_RATE	2

static volatile sig_atomic_t got_term, got_hup, got_usr1;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: poll() must return so the loop sees the flag */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* log rotated: reopen it, nothing else */
	signal(SIGPIPE, SIG_IGN);
}

/* Replies to the host's own UDP sockets arrive on ports of this range; a
 * UDP port in it is decided per datagram, never blocked in the kernel. */
static void read_ephemeral_range(struct daemon *d)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	unsigned lo = 32768, hi = 60999;

	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2 || lo > hi || hi > 65535) {
			lo = 32768;
			hi = 60999;
		}
		fclose(f);
	}
	d->eph_lo = (uint16_t)lo;
	d->eph_hi = (uint16_t)hi;
}

/* The table tells the host's own TCP connections from stray segments by
 * the socket early demultiplexing attaches; without it those connections
 * lose every segment to a blocked local port number. */
static void check_early_demux(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_early_demux", "re");
	int on = 1;

	if (!f)
		return;
	if (fscanf(f, "%d", &on) == 1 && !on)
		log_warnx("net.ipv4.tcp_early_demux is 0: the host's own connections from a "
			  "blocked port number will stall; set it to 1");
	fclose(f);
}

static int udp_in_ephemeral(const struct daemon *d, const struct packet_info *pkt)
{
	return pkt->proto == IPPROTO_UDP && pkt->dport >= d->eph_lo && pkt->dport <= d->eph_hi;
}

static int is_blocked(const struct daemon *d, uint8_t proto, uint16_t port)
{
	return portmap_has(d->blocked, proto, port);
}

static void mark_blocked(struct daemon *d, uint8_t proto, uint16_t port)
{
	portmap_set(d->blocked, proto, port, 1);
	d->nblocked++;
}

static long usec_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000L + (b->tv_nsec - a->tv_nsec) / 1000;
}

/* Adds the port to @blocked so the kernel drops further attempts itself. */
static void block_port(struct daemon *d, const struct packet_info *pkt,
		       const struct decision *dec, const struct timespec *arrived)
{
	char comment[128];
	struct timespec done;
	int ret;

	if (is_blocked(d, pkt->proto, pkt->dport) || udp_in_ephemeral(d, pkt))
		return;
	ruleset_entry_comment(comment, sizeof(comment), dec->entry);
	ret = firewall_block(&d->fw, pkt->proto, pkt->dport, comment);
	if (ret < 0) {
		/* the packet is still dropped; the next attempt comes here again */
		d->block_failed++;
		log_warnx("cannot add %u/%s to @blocked: %s", pkt->dport,
			  pkt->proto == IPPROTO_TCP ? "tcp" : "udp", strerror(-ret));
		return;
	}
	mark_blocked(d, pkt->proto, pkt->dport);
	d->metrics_due = 0;
	clock_gettime(CLOCK_MONOTONIC, &done);
	log_info("blocked %u/%s (%s, %s): kernel rule active %ld us after the first packet",
		 pkt->dport, pkt->proto == IPPROTO_TCP ? "tcp" : "udp", dec->entry->service,
		 policy_kind_name(dec->kind), usec_between(arrived, &done));
}

/* Published ports change when containers start: the DNAT rules are read
 * again at most every NAT_TTL seconds, and only when a line is written. */
#define NAT_TTL 5

static const struct natscan_entry *published(struct daemon *d, const struct packet_info *pkt,
					     time_t now)
{
	if (now >= d->nat_expires) {
		int ret = natscan_read(&d->nat);

		d->nat_expires = now + NAT_TTL;
		if (ret < 0 && !d->nat_failed++)
			log_warnx("cannot read DNAT rules for the log: %s", strerror(-ret));
	}
	return natscan_find(&d->nat, pkt->family, pkt->proto, pkt->dport, pkt->daddr);
}

/* One line of the blocked-connection log, annotated with the listener and,
 * for a published port, the target of its DNAT. */
static void write_line(void *ctx, const struct fold_event *ev, unsigned long count)
{
	struct daemon *d = ctx;
	const struct natscan_entry *nat;
	char nat_dst[INET6_ADDRSTRLEN], listener[64];
	struct blocklog_entry e = {
		.ts = ev->ts,
		.action = ev->action,
		.pkt = &ev->pkt,
		.iif = ev->iif,
		.service = ev->service,
		.policy = ev->policy,
		.path = ev->path,
		.count = count,
		.any_source = ev->any_source,
	};

	e.listener = listener_describe(&d->listen.table, ev->pkt.proto, ev->pkt.dport, listener,
				       sizeof(listener));
	nat = published(d, &ev->pkt, ev->ts.tv_sec);
	if (nat) {
		natscan_addr_text(nat, nat->to_addr, nat_dst, sizeof(nat_dst));
		e.nat_dst = nat_dst;
		e.nat_dport = natscan_target_port(nat, ev->pkt.dport);
	}
	if (blocklog_write(&d->log, &e) < 0 && d->log.failed == 1)
		log_warnx("cannot write %s; further failures are counted, not reported",
			  d->log.path);
	if (d->cfg.syslog || d->settings->verbose) {
		char src[INET6_ADDRSTRLEN] = "*", msg[256];

		if (!ev->any_source)
			inet_ntop(ev->pkt.family, ev->pkt.saddr, src, sizeof(src));
		snprintf(msg, sizeof(msg), "%s %u/%s from %s (%s, %s) via %s, count %lu", ev->action,
			 ev->pkt.dport, ev->pkt.proto == IPPROTO_UDP ? "udp" : "tcp", src, ev->service,
			 ev->policy, ev->path, count);
		log_debug("%s", msg);
		if (d->cfg.syslog)
			syslog(LOG_DAEMON | LOG_NOTICE, "%s", msg);
	}
}

/* snprintf("%s") without the format machinery: this runs for every event
 * that opens a fold window, which under a flood of spoofed sources is every
 * packet */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A line for a port nobody is known to listen on waits for the watcher's
 * next look (at most LISTENWATCH_ASKED_MS away): a listener that started
 * a moment ago is named then.  Lines of known listeners go out at once. */
static void write_soon(struct daemon *d, const struct fold_event *ev)
{
	const struct listener *l = listener_first(&d->listen.table, ev->pkt.proto, ev->pkt.dport);

	if ((l && l->owner.pid) || d->npending == PENDING_MAX) {
		write_line(d, ev, 1);
		return;
	}
	d->pending[d->npending++] = *ev;
	d->listen.wanted = 1;
}

static void write_pending(struct daemon *d)
{
	unsigned i;

	for (i = 0; i < d->npending; i++)
		write_line(d, &d->pending[i], 1);
	d->npending = 0;
}

static void record(struct daemon *d, const struct packet_info *pkt, const char *iif,
		   const struct policy_entry *entry, enum policy_kind kind,
		   const char *action, const char *path)
{
	struct fold_event ev;

	clock_gettime(CLOCK_REALTIME, &ev.ts);
	ev.action = action;
	ev.path = path;
	ev.pkt = *pkt;
	if (fold_repeat(&d->fold, &ev))
		return;	/* a flood: counted, nothing else to do */
	ev.policy = policy_kind_name(kind);
	ev.any_source = 0;
	copy_str(ev.iif, sizeof(ev.iif), iif);
	copy_str(ev.service, sizeof(ev.service), entry ? entry->service : "");
	if (fold_event(&d->fold, &ev))
		write_soon(d, &ev);
}

/* The kernel queued it because the port rules matched, so the packet was
 * meant for a guarded port, whatever our parser makes of it: dropped in
 * both fail modes (fail_mode = open only covers a worker that is gone or
 * overloaded), logged with what could be read, and its port blocked when
 * the port could be read. */
static int on_unreadable(struct daemon *d, const struct packet_info *pkt, const char *iif,
			 const struct timespec *now)
{
	struct decision dec = decide_unreadable(pkt, d->db, &d->cfg);

	d->malformed++;
	if (!pkt->family)
		return dec.verdict == VERDICT_WOULD_BLOCK ? NF_ACCEPT : NF_DROP;
	if (dec.verdict == VERDICT_WOULD_BLOCK) {
		record(d, pkt, iif, dec.entry, dec.kind, "would-block", "queue");
		return NF_ACCEPT;
	}
	if (dec.entry)
		block_port(d, pkt, &dec, now);
	record(d, pkt, iif, dec.entry, dec.kind, "blocked", "queue");
	return NF_DROP;
}

static int on_packet(void *ctx, const struct queue_packet *qp)
{
	struct daemon *d = ctx;
	struct packet_info pkt;
	struct decision dec;
	struct timespec now;
	const char *iif;

	clock_gettime(CLOCK_MONOTONIC, &now);
	iif = ifcache_name(&d->ifaces, qp->ifindex, now.tv_sec);
	/* without a payload, a length of 0 leaves pkt empty */
	if (packet_parse(qp->payload, qp->payload ? qp->len : 0, &pkt) < 0)
		return on_unreadable(d, &pkt, iif, &now);
	dec = decide(&pkt, iif, d->db, &d->cfg, d->lan,
		     listenpolicy_get(&d->listen.lp, pkt.proto, pkt.dport));
	if (dec.verdict != VERDICT_ACCEPT && udp_in_ephemeral(d, &pkt) &&
	    sockdiag_udp_is_reply(&d->listen.diag, pkt.family, pkt.saddr, pkt.sport, pkt.daddr,
				  pkt.dport) > 0)
		return NF_ACCEPT;	/* a reply to one of the host's own sockets */
	/* a server of the port may have started since the last look: look
	 * again after this drain, and undo the block if it is one */
	if (dec.verdict != VERDICT_ACCEPT && dec.entry && dec.entry->served_by)
		d->listen.wanted = 1;
	switch (dec.verdict) {
	case VERDICT_ACCEPT:
		return NF_ACCEPT;
	case VERDICT_WOULD_BLOCK:
		record(d, &pkt, iif, dec.entry, dec.kind, "would-block", "queue");
		return NF_ACCEPT;
	case VERDICT_BLOCK:
		block_port(d, &pkt, &dec, &now);
		metrics_count_queue(&d->metrics, pkt.proto, pkt.dport, 1);
		record(d, &pkt, iif, dec.entry, dec.kind, "blocked", "queue");
		break;
	}
	return NF_DROP;
}

/* A drop the kernel made and logged: after a port is in @blocked, or a
 * loopback address arriving from outside. */
static void on_kernel_drop(void *ctx, const struct nflog_packet *lp)
{
	struct daemon *d = ctx;
	const struct policy_entry *entry;
	struct packet_info pkt;
	enum policy_kind kind;
	struct timespec now;

	/* a packet our parser refuses is still logged when its port is known */
	packet_parse(lp->payload, lp->payload ? lp->len : 0, &pkt);
	if (!pkt.has_ports)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	entry = policy_lookup(d->db, pkt.proto, pkt.dport);
	if (!entry || entry->kind == POLICY_OPEN) {
		const struct listenpolicy_port *who = listenpolicy_get(&d->listen.lp, pkt.proto,
									pkt.dport);

		if (who && who->guard)
			entry = who->guard;
	}
	kind = entry ? (enum policy_kind)entry->kind : POLICY_OPEN;
	/* a loopback destination from outside is loopback-only whatever the port */
	if (!strncmp(lp->prefix, RULESET_LOG_PREFIX_MARTIAN, strlen(RULESET_LOG_PREFIX_MARTIAN)))
		kind = POLICY_LOOPBACK_ONLY;
	record(d, &pkt, ifcache_name(&d->ifaces, lp->ifindex, now.tv_sec), entry, kind,
	       "blocked", "kernel");
}

static void describe_sources(const struct settings *s, char *out, size_t cap)
{
	size_t used = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < s->ndb && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " + " : "", s->db_paths[i]);
	if (!s->ndb)
		snprintf(out, cap, "the shipped database and local.rules");
}

/* The ports currently in @blocked, for carrying them over a reload. */
static unsigned collect_blocked(const struct daemon *d, struct ruleset_port *out, unsigned cap)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned n = 0, p;
	int i;

	for (i = 0; i < 2; i++)
		for (p = 1; p <= 65535 && n < cap; p++)
			if (is_blocked(d, protos[i], (uint16_t)p))
				out[n++] = (struct ruleset_port){ protos[i], (uint16_t)p };
	return n;
}

static struct listenwatch_blocked blocked_of(struct daemon *d)
{
	return (struct listenwatch_blocked){ d->blocked, &d->nblocked };
}

static int apply(struct daemon *d, const struct policy_db *db, const struct config *cfg,
		 const struct lan *lan)
{
	struct ruleset_port *carried = calloc(d->nblocked + 1, sizeof(*carried));
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
	spec.nblocked = collect_blocked(d, carried, (unsigned)d->nblocked);
	/* what the listener watcher decided survives the new table */
	spec.extra = listenwatch_elems(&d->listen, db, &blocked, &spec.nextra, &comments);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = firewall_apply(&d->fw, &spec, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->apply_us = usec_between(&t0, &t1);
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
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned p;
	int i;

	for (i = 0; i < 2; i++)
		for (p = 1; p <= 65535; p++)
			if (is_blocked(d, protos[i], (uint16_t)p) &&
			    policy_kind_of(d->db, protos[i], (uint16_t)p) == POLICY_OPEN &&
			    !listenpolicy_get(&d->listen.lp, protos[i], (uint16_t)p)) {
				portmap_set(d->blocked, protos[i], (uint16_t)p, 0);
				d->nblocked--;
			}
}

/* Someone else removed (part of) our table: put the whole of it back. */
static void restore(struct daemon *d)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (apply(d, d->db, &d->cfg, d->lan) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (d->watch.last.pid)
		log_warnx("table inet %s was changed by another program (%s, pid %u, generation %u); "
			  "restored in %ld us", RULESET_TABLE, d->watch.last.comm, d->watch.last.pid,
			  d->watch.last.id, usec_between(&t0, &t1));
	else
		log_warnx("table inet %s was changed by another program; restored in %ld us",
			  RULESET_TABLE, usec_between(&t0, &t1));
	watch_remember(&d->watch);
}

/* Without the owner flag, ruleset events are the way to notice removal;
 * called after each of our transactions, which the watch remembers. */
static int start_watching(struct daemon *d)
{
	if (d->fw.table_flags)
		return 0;
	if (!d->watching) {
		int ret = watch_open(&d->watch, d->fw.nl.portid);

		if (ret < 0) {
			log_warnx("cannot watch ruleset events: %s", strerror(-ret));
			return ret;
		}
		d->watching = 1;
	}
	watch_remember(&d->watch);
	return 0;
}

/* The host's links and addresses now.  Unreadable, the LAN is what the
 * configuration names and link scope: fewer sources reach lan-only ports,
 * never more. */
static void read_host(struct daemon *d)
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

static void compute_lan(struct daemon *d, const struct config *cfg, struct lan *out)
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

/* An interface or address came or went: the LAN sets follow at once, in one
 * small transaction of set elements; the table stays as it is. */
static void lan_changed(struct daemon *d)
{
	char what[BATCH_WHAT_MAX];
	struct timespec t0, t1;
	int ret;

	/* an interface may have been renamed */
	ifcache_forget(&d->ifaces);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	read_host(d);
	compute_lan(d, &d->cfg, d->lan_next);
	if (lan_equal(d->lan, d->lan_next))
		return;
	ret = firewall_lan_update(&d->fw, d->lan, d->lan_next, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0) {
		log_warnx("updating the LAN sets failed at %s: %s; installing the table again", what,
			  strerror(-ret));
		if (apply(d, d->db, &d->cfg, d->lan_next) < 0)
			return;
	} else if (ret == 0) {
		return;
	}
	swap_lan(d);
	log_info("LAN changed: %d elements, read and applied in %ld us; %u parts now", ret,
		 usec_between(&t0, &t1), d->lan->nparts);
}

static const char *lan_mode_name(enum config_lan_mode m)
{
	return m == CONFIG_LAN_AUTO ? "auto" : m == CONFIG_LAN_NONE ? "none" : "listed";
}

/* SIGHUP: the new policy replaces the old in one transaction, or not at all. */
static void reload(struct daemon *d)
{
	struct policy_db *db;
	struct config cfg;

	log_info("reloading");
	db = settings_load(d->settings, &cfg, stderr);
	if (!db) {
		log_warnx("reload refused: configuration has errors; the previous policy stays");
		return;
	}
	policy_db_shed_text(db);
	if (cfg.queue_num != d->cfg.queue_num) {
		log_warnx("reload refused: queue changed from %u to %u; restart to change it",
			  d->cfg.queue_num, cfg.queue_num);
		policy_db_free(db);
		return;
	}
	read_host(d);
	compute_lan(d, &cfg, d->lan_next);
	/* the facts point into the database: the new one's before it applies */
	if (listenwatch_recompute(&d->listen, db) < 0 || apply(d, db, &cfg, d->lan_next) < 0) {
		log_warnx("reload failed; the previous policy stays");
		listenwatch_recompute(&d->listen, d->db);
		policy_db_free(db);
		return;
	}
	swap_lan(d);
	policy_db_free(d->db);
	d->db = db;
	d->cfg = cfg;
	fold_set_rate(&d->fold, LOG_LINES_PER_RATE * cfg.log_rate);
	forget_unguarded(d);
	start_watching(d);
	blocklog_set_max_size(&d->log, (off_t)d->cfg.log_max_kib * 1024);
	if (blocklog_reopen(&d->log) < 0)
		log_warn("cannot reopen %s", d->log.path);
	log_info("reloaded: %u entries", db->nentries);
}

struct metrics_ctx {
	const struct daemon *d;
	const struct kstate *ks;
};

static int format_metrics(FILE *out, const void *arg)
{
	const struct metrics_ctx *c = arg;

	return metrics_format(out, &c->d->metrics, c->ks, c->d->db);
}

#define METRICS_INTERVAL 15	/* seconds; node_exporter scrapes every 15-60 s */

/* Off the packet path: once per interval, with the kernel's counters. */
static void write_metrics(struct daemon *d, time_t now)
{
	struct metrics_ctx c = { d, NULL };
	struct kstate ks;
	int ret;

	if (!d->cfg.metrics_file[0] || now < d->metrics_due || now == d->metrics_last)
		return;
	d->metrics_due = now + METRICS_INTERVAL;
	d->metrics_last = now;
	if (kstate_read(&ks) == 0)
		c.ks = &ks;
	ret = metrics_write_file(d->cfg.metrics_file, format_metrics, &c);
	if (c.ks)
		kstate_free(&ks);
	if (ret < 0 && !d->metrics_failed)
		log_warnx("cannot write %s: %s", d->cfg.metrics_file, strerror(-ret));
	d->metrics_failed = ret < 0;
}

/* Moderation of the queue, as network cards moderate interrupts: a packet
 * after a quiet spell is answered at once, but while packets keep coming
 * the worker pauses briefly after each small drain, so that the next one
 * reads and answers a batch instead of waking up for every packet.  Costs
 * at most COALESCE_US of delay, and only under sustained load. */
#define COALESCE_US	200
#define BUSY_US		1000	/* drains this close together: sustained load */

static void moderate(struct daemon *d, int handled)
{
	static const struct timespec pause = { 0, COALESCE_US * 1000L };
	struct timespec now;

	if (handled <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (handled < QUEUE_RX_BATCH && usec_between(&d->last_drain, &now) < BUSY_US)
		nanosleep(&pause, NULL);
	d->last_drain = now;
}

/* Whose processes the watcher looks for: every TCP listener (dangerous
 * software may hold any port), but only UDP sockets on ports an entry
 * covers: unconnected UDP client sockets come and go by the second, and
 * each new one would cost a walk over /proc. */
static int want_owner(const void *ctx, const struct sock_entry *s)
{
	const struct daemon *d = ctx;

	return s->proto == IPPROTO_TCP || policy_lookup(d->db, s->proto, s->port);
}

/* Between drains: who listens now, and the kernel's sets in step. */
static void watch_listeners(struct daemon *d)
{
	const struct listenwatch_blocked blocked = blocked_of(d);
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (listenwatch_tick(&d->listen, &now, &d->fw, d->db, &blocked) == -ESTALE) {
		log_warnx("the table is out of step with the listeners; installing it again");
		restore(d);
	}
}

static int serve(struct daemon *d)
{
	struct pollfd pfd[4] = {
		{ .fd = queue_fd(&d->queue), .events = POLLIN },
		{ .fd = nflog_fd(&d->nflog), .events = POLLIN },
		{ .fd = d->watching ? watch_fd(&d->watch) : -1, .events = POLLIN },
		{ .fd = d->lan_watching ? lanwatch_fd(&d->lanwatch) : -1, .events = POLLIN },
	};

	while (!got_term) {
		struct timespec now;
		int n, ret;

		if (got_hup) {
			got_hup = 0;
			write_pending(d);
			fold_expire(&d->fold, 0, write_line, d);
			reload(d);
		}
		if (got_usr1) {
			got_usr1 = 0;
			if (blocklog_reopen(&d->log) < 0)
				log_warn("cannot reopen %s", d->log.path);
		}
		pfd[2].fd = d->watching ? watch_fd(&d->watch) : -1;
		/* wake twice a second to close folding windows and to look
		 * at the listeners once a second; sooner for waiting lines */
		n = poll(pfd, 4, d->npending ? LISTENWATCH_ASKED_MS : LISTENWATCH_INTERVAL_MS / 2);
		if (n < 0 && errno != EINTR) {
			log_warn("poll");
			return -1;
		}
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			ret = queue_drain(&d->queue, on_packet, d);
			if (ret < 0) {
				log_warnx("reading queue %u: %s", d->cfg.queue_num, strerror(-ret));
				return -1;
			}
			moderate(d, ret);
		}
		if (n > 0 && (pfd[1].revents & POLLIN) &&
		    (ret = nflog_drain(&d->nflog, on_kernel_drop, d)) < 0) {
			log_warnx("reading log group %u: %s", d->cfg.queue_num, strerror(-ret));
			return -1;
		}
		if (n > 0 && (pfd[2].revents & POLLIN) && watch_drain(&d->watch) > WATCH_QUIET)
			restore(d);
		watch_listeners(d);
		if (n > 0 && (pfd[3].revents & POLLIN) && lanwatch_drain(&d->lanwatch) > 0)
			lan_changed(d);
		if (d->npending && !d->listen.wanted)
			write_pending(d);	/* the watcher has looked since */
		clock_gettime(CLOCK_REALTIME, &now);
		fold_expire(&d->fold, now.tv_sec, write_line, d);
		write_metrics(d, now.tv_sec);
	}
	write_pending(d);
	fold_expire(&d->fold, 0, write_line, d);
	return 0;
}

static int start(struct daemon *d)
{
	int ret, existed;

	ret = firewall_open(&d->fw, d->cfg.table_owner);
	if (ret < 0) {
		log_warnx("netlink: %s", strerror(-ret));
		return ret;
	}
	ret = firewall_probe(&d->fw);
	if (ret < 0) {
		log_warnx("no queue backend works (neither nft queue nor nft_compat NFQUEUE): %s",
			  strerror(-ret));
		return ret;
	}
	if (d->fw.no_socket_match)
		log_warnx("this kernel has no socket match (meta cgroup needs CONFIG_CGROUP_NET_CLASSID): "
			  "segments without SYN to blocked ports are not filtered");
	/* bind before the table exists, so no queued packet waits for us */
	ret = queue_open(&d->queue, d->cfg.queue_num, d->cfg.fail_open);
	if (ret < 0) {
		log_warnx("cannot bind netfilter queue %u: %s%s", d->cfg.queue_num, strerror(-ret),
			  ret == -EBUSY ? " (another program serves it; set queue = N)" : "");
		return ret;
	}
	ret = nflog_open(&d->nflog, d->cfg.queue_num);
	if (ret < 0) {
		log_warnx("cannot bind log group %u: %s%s", d->cfg.queue_num, strerror(-ret),
			  ret == -EBUSY ? " (another program uses it; set queue = N)" : "");
		return ret;
	}
	ret = listenwatch_open(&d->listen);
	if (ret < 0) {
		log_warnx("cannot open a sock_diag socket: %s", strerror(-ret));
		return ret;
	}
	ret = blocklog_open(&d->log, d->cfg.log_file);
	if (ret < 0) {
		log_warnx("cannot open %s: %s", d->cfg.log_file,
			  ret == -EINVAL ? "not a regular file (FIFO, device or socket)" : strerror(-ret));
		return ret;
	}
	blocklog_set_max_size(&d->log, (off_t)d->cfg.log_max_kib * 1024);
	/* joined before the first read: no change falls in between */
	ret = lanwatch_open(&d->lanwatch);
	if (ret < 0)
		log_warnx("cannot watch interfaces and addresses: %s; the LAN is what "
			  "portwarden.conf names", strerror(-ret));
	d->lan_watching = ret == 0;
	read_host(d);
	compute_lan(d, &d->cfg, d->lan);
	d->listen.table.want = want_owner;
	d->listen.table.want_ctx = d;
	/* the first look at the listeners goes into the first table */
	ret = listener_refresh(&d->listen.table, &d->listen.diag, time(NULL));
	if (ret >= 0)
		ret = listenwatch_recompute(&d->listen, d->db);
	if (ret < 0)
		log_warnx("cannot list listening sockets: %s", strerror(-ret));
	/* a failed first install leaves nothing behind (a table whose queue
	 * nobody serves would close every guarded port for good); a table
	 * that was there before, from a stop, stays as it was */
	existed = kstate_table_exists(&d->fw.nl);
	ret = apply(d, d->db, &d->cfg, d->lan);
	if (ret < 0 && existed == 0 && firewall_remove(&d->fw) < 0)
		log_warnx("could not remove the half-installed table inet %s; "
			  "remove it with portwarden flush", RULESET_TABLE);
	if (ret == 0)
		ret = start_watching(d);
	return ret;
}

int daemon_run(const struct settings *s)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int status = 1, ret;

	if (!d)
		fatal("calloc");
	d->settings = s;
	d->log.fd = -1;
	d->host = calloc(1, sizeof(*d->host));
	d->lan = calloc(1, sizeof(*d->lan));
	d->lan_next = calloc(1, sizeof(*d->lan_next));
	if (!d->host || !d->lan || !d->lan_next)
		fatal("calloc");
	fold_init(&d->fold, FOLD_WINDOW);
	d->db = settings_load(s, &d->cfg, stderr);
	if (d->db && d->cfg.syslog)
		log_open_syslog();
	if (!d->db) {
		log_warnx("configuration refused, nothing applied");
		free(d->host);
		free(d->lan);
		free(d->lan_next);
		free(d);
		return 1;
	}
	fold_set_rate(&d->fold, LOG_LINES_PER_RATE * d->cfg.log_rate);
	/* the daemon quotes entries by service, file and line only */
	policy_db_shed_text(d->db);
	describe_sources(s, d->source, sizeof(d->source));
	read_ephemeral_range(d);
	check_early_demux();
	install_signals();
	if (start(d) < 0)
		goto out;
	log_info("table inet %s installed in %ld us; queue %u via %s; fail_mode %s; mode %s; "
		 "%u entries; %s", RULESET_TABLE, d->apply_us, d->cfg.queue_num, ruleset_backend_name(d->fw.backend),
		 d->cfg.fail_open ? "open" : "closed", d->cfg.monitor ? "monitor" : "enforce",
		 d->db->nentries, d->fw.table_flags ? "table owned and persistent" :
		 "table not owned: watching ruleset events");
	log_info("LAN: %u parts (lan_networks %s, lan_interfaces %s)%s; `portwarden status` lists them",
		 d->lan->nparts, lan_mode_name(d->cfg.lan_nets_mode),
		 lan_mode_name(d->cfg.lan_ifaces_mode),
		 d->lan->link_scope ? " and link scope" : "");
	ret = privdrop_apply();
	if (ret < 0)
		log_warnx("cannot drop privileges: %s", strerror(-ret));
	notify_state("READY=1");
	if (serve(d) == 0)
		status = 0;
	notify_state("STOPPING=1");
	/* A stop leaves the table as it is: with fail_mode closed the queue
	 * rule has no bypass, so guarded ports stay unreachable until the next
	 * start replaces the table in one transaction, and @blocked keeps
	 * dropping.  An owned table is persistent, so it outlives our socket.
	 * Removing it is an explicit act: portwarden flush. */
	log_info("stopped: %llu packets queued, %lu ports blocked (%lu block transactions failed), "
		 "%lu malformed, %llu ENOBUFS; log: %lu lines, %llu kernel drops, %llu events folded, "
		 "%llu lost to the fold cap",
		 d->queue.stats.packets, d->nblocked, d->block_failed, d->malformed,
		 d->queue.stats.enobufs,
		 d->log.written, d->nflog.packets, d->fold.folded, d->fold.lost);
out:
	blocklog_close(&d->log);
	if (d->watching)
		watch_close(&d->watch);
	if (d->lan_watching)
		lanwatch_close(&d->lanwatch);
	nflog_close(&d->nflog);
	listenwatch_close(&d->listen);
	queue_close(&d->queue);
	firewall_close(&d->fw);
	policy_db_free(d->db);
	natscan_free(&d->nat);
	free(d->host);
	free(d->lan);
	free(d->lan_next);
	free(d);
	return status;
}
