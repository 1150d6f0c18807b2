// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon: start, signals, the event loop, stop.  A queued packet's
 * path is pipeline.c, what it implies effects.c, the policy into the
 * kernel reload.c. */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "control.h"
#include "daemon.h"
#include "effects.h"
#include "expiry.h"
#include "hostnat.h"
#include "kstate.h"
#include "listenscan.h"
#include "log.h"
#include "notify.h"
#include "privdrop.h"
#include "reload.h"

static volatile sig_atomic_t got_term, got_hup, got_usr1;
static struct timespec hup_at;	/* the first SIGHUP not served yet */

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		/* clock_gettime is async-signal-safe: the reload says how long
		 * the signal waited */
		if (!got_hup)
			clock_gettime(CLOCK_MONOTONIC, &hup_at);
		got_hup = 1;
	}
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

/* Replies to the host's own UDP sockets arrive on ports of this range: the
 * table without connection tracking decides them in the input hook. */
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

/* The table tells the host's own TCP connections from stray segments, and
 * replies to its UDP sockets from attempts (without NAT), by the socket
 * early demultiplexing attaches; without it those connections lose their
 * segments to a guarded local port number. */
static void check_early_demux(void)
{
	static const char *const knobs[] = { "ip_early_demux", "tcp_early_demux",
					     "udp_early_demux" };
	unsigned i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		char path[64];
		FILE *f;
		int on = 1;

		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", knobs[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%d", &on) == 1 && !on)
			log_warnx("net.ipv4.%s is 0: the host's own connections and replies to a "
				  "guarded port number will be dropped; set it to 1", knobs[i]);
		fclose(f);
	}
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

static const char *lan_mode_name(enum config_lan_mode m)
{
	return m == CONFIG_LAN_AUTO ? "auto" : m == CONFIG_LAN_NONE ? "none" : "listed";
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

/* Once per interval (now: CLOCK_MONOTONIC seconds), with the kernel's
 * counters: read and formatted here, put in place by the thread beside
 * (the file's fsyncs can take a good part of a second on a busy disk),
 * which says when that fails; what fails here is said here. */
static void write_metrics(struct daemon *d, time_t now)
{
	struct metrics_ctx c = { d, NULL };
	struct kstate ks;
	char *text;
	size_t len;
	int ret;

	if (!d->cfg.metrics_file[0] || now < d->metrics_due || now == d->metrics_last)
		return;
	d->metrics_due = now + METRICS_INTERVAL;
	d->metrics_last = now;
	if (kstate_read(&ks) == 0)
		c.ks = &ks;
	d->metrics.unlogged = d->fold.lost;
	ret = metrics_text(format_metrics, &c, &text, &len);
	if (c.ks)
		kstate_free(&ks);
	if (ret == 0) {
		ret = beside_write_file(&d->beside, d->cfg.metrics_file, text, len);
		if (ret == -ENOTCONN)
			ret = atomicfile_replace(d->cfg.metrics_file, text, len, 0644);
		free(text);
	}
	if (ret < 0 && !d->metrics_failed)
		log_warnx("cannot write %s: %s", d->cfg.metrics_file, atomicfile_strerror(ret));
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
	if (handled < QUEUE_RX_BATCH && elapsed_usec(&d->last_drain, &now) < BUSY_US)
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
	const struct listenwatch_blocked blocked = { d->pipe.blocked, &d->pipe.nblocked };
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (listenwatch_tick(&d->listen, &now, &d->fw, d->db, &blocked) == -ESTALE ||
	    listenwatch_named(&d->listen, now.tv_sec, &d->fw, d->db, &blocked) == -ESTALE) {
		log_warnx("the table is out of step with the listeners; installing it again");
		reload_restore(d);
	}
}

/* The facts a decision reads, as they are now: a reload or a LAN change
 * replaces them between drains. */
static void point_pipeline(struct daemon *d)
{
	d->pipe.db = d->db;
	d->pipe.cfg = &d->cfg;
	d->pipe.lp = &d->listen.lp;
}

#define OVERFLOW_WARN_EVERY 60	/* seconds */

/* The socket buffer overflowed (ENOBUFS): the kernel dropped packets of
 * the queue, which only a bigger buffer prevents.  Said at most once a
 * minute, with the setting to raise. */
static void warn_overflow(struct daemon *d)
{
	unsigned long long total = d->queue.stats.enobufs;
	struct timespec mono;
	time_t now;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	now = mono.tv_sec;

	if (total == d->enobufs_seen || now - d->enobufs_warned < OVERFLOW_WARN_EVERY)
		return;
	log_warnx("queue %u overflowed %llu time%s since the last warning: the kernel %s packets "
		  "it could not hand over; raise queue_buffer in %s (now %u KiB)", d->cfg.queue_num,
		  total - d->enobufs_seen, total - d->enobufs_seen > 1 ? "s" : "",
		  d->cfg.fail_open ? "let through (fail_mode open)" : "dropped",
		  d->settings->config_path, d->cfg.queue_buffer_kib);
	d->enobufs_seen = total;
	d->enobufs_warned = now;
}

/* Interfaces and addresses: every event changes the host model at once;
 * the kernel's sets follow at once after a quiet spell, and at most every
 * LAN_COALESCE_US while events keep coming (a node starting a thousand
 * containers), so that a burst costs a few transactions, not thousands. */
#define LAN_COALESCE_US	10000

static long lan_wait_us(const struct daemon *d, const struct timespec *now)
{
	long since = elapsed_usec(&d->lan_applied, now);

	return since >= LAN_COALESCE_US ? 0 : LAN_COALESCE_US - since;
}

/* A LAN change no transaction took yet is tried again once a second. */
static void retry_lan(struct daemon *d)
{
	struct timespec now;

	if (!d->lan_stale || d->lan_pending)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed_ms(&d->lan_tried, &now) < 1000)
		return;
	d->lan_tried = now;
	reload_lan_changed(d);
}

static void watch_lan(struct daemon *d, int readable)
{
	struct timespec t0, t1, now;

	if (!readable && !d->lan_pending) {
		retry_lan(d);
		return;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	if (readable && lanwatch_drain(&d->lanwatch, d->host) > 0)
		d->lan_pending = 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (d->lan_pending && lan_wait_us(d, &now) == 0) {
		d->lan_pending = 0;
		reload_lan_changed(d);
		clock_gettime(CLOCK_MONOTONIC, &d->lan_applied);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	d->lan_cpu_us += elapsed_usec(&t0, &t1);
}

/* The poll timeout: wait_ms, or sooner when NetworkManager's watcher has
 * work without its descriptor (answers read already, a retry) or LAN
 * changes wait for their transaction */
static int poll_timeout(struct daemon *d, int wait_ms)
{
	struct timespec now;
	int nm;

	clock_gettime(CLOCK_MONOTONIC, &now);
	nm = nmwatch_timeout_ms(&d->nm, &now);
	if (nm >= 0 && nm < wait_ms)
		wait_ms = nm;
	if (d->lan_pending && lan_wait_us(d, &now) / 1000 + 1 < wait_ms)
		wait_ms = (int)(lan_wait_us(d, &now) / 1000 + 1);
	return wait_ms;
}

static void watch_nm(struct daemon *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (nmwatch_process(&d->nm, &now) > 0)
		reload_nm_changed(d);
}

static int serve(struct daemon *d)
{
	/* the control socket's entries last */
	struct pollfd pfd[6 + CONTROL_POLLFDS] = {
		{ .fd = queue_fd(&d->queue), .events = POLLIN },
		{ .fd = nflog_fd(&d->nflog), .events = POLLIN },
		{ .fd = d->watching ? watch_fd(&d->watch) : -1, .events = POLLIN },
		{ .fd = d->lan_watching ? lanwatch_fd(&d->lanwatch) : -1, .events = POLLIN },
		{ .fd = beside_fd(&d->beside), .events = POLLIN },
		{ .fd = -1 },
	};

	while (!got_term) {
		struct timespec now;
		int n, ret;

		if (got_hup) {
			got_hup = 0;
			reload_config(d, &hup_at, 0, NULL);
		}
		if (got_usr1) {
			got_usr1 = 0;
			if (blocklog_reopen(&d->log) < 0)
				log_warn("cannot reopen %s", d->log.path);
		}
		pfd[2].fd = d->watching ? watch_fd(&d->watch) : -1;
		pfd[5].fd = nmwatch_fd(&d->nm);
		pfd[5].events = nmwatch_events(&d->nm);
		control_pollfds(d, &pfd[6]);
		/* wake twice a second to close folding windows and to look
		 * at the listeners once a second; sooner for waiting lines */
		n = poll(pfd, 6 + CONTROL_POLLFDS,
			 poll_timeout(d, d->npending ? LISTENWATCH_ASKED_MS : LISTENWATCH_INTERVAL_MS / 2));
		if (n < 0 && errno != EINTR) {
			log_warn("poll");
			return -1;
		}
		point_pipeline(d);
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			ret = queue_drain(&d->queue, pipeline_packet, &d->pipe);
			if (ret < 0) {
				log_warnx("reading queue %u: %s", d->cfg.queue_num, strerror(-ret));
				return -1;
			}
			/* every verdict of the drain is sent: now the slow part */
			effects_run(d);
			warn_overflow(d);
			moderate(d, ret);
		}
		if (n > 0 && (pfd[1].revents & POLLIN)) {
			ret = nflog_drain(&d->nflog, pipeline_kernel_drop, &d->pipe);
			effects_run(d);
			if (ret < 0) {
				log_warnx("reading log group %u: %s", d->cfg.queue_num, strerror(-ret));
				return -1;
			}
		}
		if (n > 0 && (pfd[2].revents & POLLIN) && watch_drain(&d->watch) > WATCH_QUIET)
			reload_restore(d);
		if (n > 0 && (pfd[4].revents & POLLIN))
			beside_ack(&d->beside);	/* its answers are taken below */
		/* the LAN before the listeners, whose look can take long */
		watch_lan(d, n > 0 && (pfd[3].revents & POLLIN));
		watch_nm(d);
		watch_listeners(d);
		hostnat_tick(d);
		control_serve(d, &pfd[6]);
		reload_expired(d);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (effects_pending_due(d, &now))
			effects_write_pending(d);
		pipeline_expire(&d->pipe, effects_write_line, d);
		blocklog_sync_due(&d->log);
		write_metrics(d, now.tv_sec);
	}
	effects_write_pending(d);
	fold_expire(&d->fold, 0, effects_write_line, d);
	return 0;
}

static int start(struct daemon *d)
{
	struct timespec mono;
	int ret, existed;

	/* first: a second daemon for the same queue stops here, saying
	 * which process serves it */
	ret = control_open(d);
	if (ret < 0)
		return ret;
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
	ret = nlsock_set_rcvbuf(&d->queue.nl, (int)d->cfg.queue_buffer_kib * 1024);
	if (ret < 0) {
		log_warnx("cannot set queue_buffer = %u: %s", d->cfg.queue_buffer_kib, strerror(-ret));
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
			  ret == -EINVAL ? "not a regular file (FIFO, device or socket)" : atomicfile_strerror(ret));
		return ret;
	}
	blocklog_set_max_size(&d->log, (off_t)d->cfg.log_max_kib * 1024);
	/* joined before the first read: no change falls in between */
	ret = lanwatch_open(&d->lanwatch);
	if (ret < 0)
		log_warnx("cannot watch interfaces and addresses: %s; the LAN is what "
			  "portwarden.conf names", strerror(-ret));
	d->lan_watching = ret == 0;
	if (nmwatch_open(&d->nm) == -ENOTSUP)
		log_info("built without sd-bus: NetworkManager's zones are not followed");
	reload_read_host(d);
	reload_compute_lan(d, &d->cfg, d->lan);
	if (d->lan_watching) {
		unsigned n;
		int resync;

		lanwatch_take(&d->lanwatch, &n, &resync);	/* all of it is in d->lan */
	}
	d->listen.table.want = want_owner;
	d->listen.table.want_ctx = d;
	/* the first look at the listeners goes into the first table */
	clock_gettime(CLOCK_MONOTONIC, &mono);	/* the watcher's clock */
	ret = listenscan_refresh(&d->listen.table, &d->listen.diag, mono.tv_sec);
	if (ret >= 0)
		ret = listenwatch_recompute(&d->listen, d->db);
	if (ret < 0)
		log_warnx("cannot list listening sockets: %s", strerror(-ret));
	/* a failed first install leaves nothing behind (a table whose queue
	 * nobody serves would close every guarded port for good); a table
	 * that was there before, from a stop, stays as it was */
	existed = kstate_table_exists(&d->fw.nl);
	hostnat_read(d);
	ret = reload_apply(d, d->db, &d->cfg, d->lan);
	if (ret < 0 && existed == 0 && firewall_remove(&d->fw) < 0)
		log_warnx("could not remove the half-installed table inet %s; "
			  "remove it with portwarden flush", RULESET_TABLE);
	if (ret == 0)
		ret = reload_start_watching(d);
	return ret;
}

int daemon_run(const struct settings *s)
{
	struct daemon *d;
	char latency[160];
	int status = 1, ret;

#ifdef M_MMAP_THRESHOLD
	/* glibc raises its threshold past every big block freed, and then
	 * carves the port tables (256-512 kB each) from the heap, where calloc
	 * clears every byte: kept at its default, they come as fresh zero
	 * pages that only the ports in use make resident (640 kB less) */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	d = calloc(1, sizeof(*d));
	if (!d)
		fatal("calloc");
	d->settings = s;
	d->log.fd = -1;
	d->ctl_fd = -1;
	for (unsigned i = 0; i < CONTROL_WAITING_MAX; i++)
		d->ctl_waiting[i].fd = -1;
	d->host = calloc(1, sizeof(*d->host));
	d->lan = calloc(1, sizeof(*d->lan));
	d->lan_next = calloc(1, sizeof(*d->lan_next));
	if (!d->host || !d->lan || !d->lan_next || pipeline_init(&d->pipe) < 0)
		fatal("calloc");
	d->pipe.fold = &d->fold;
	d->pipe.metrics = &d->metrics;
	d->pipe.ifaces = &d->ifaces;
	fold_init(&d->fold, FOLD_WINDOW);
	settings_db_stamp(s, &d->db_stamp);
	d->db = settings_load(s, &d->cfg, stderr);
	if (d->db && d->cfg.syslog)
		log_open_syslog();
	if (!d->db) {
		log_warnx("configuration refused, nothing applied");
		pipeline_free(&d->pipe);
		free(d->host);
		free(d->lan);
		free(d->lan_next);
		free(d);
		return 1;
	}
	fold_set_rate(&d->fold, DAEMON_LOG_LINES_PER_RATE * d->cfg.log_rate);
	/* the daemon quotes entries by service, file and line only */
	policy_db_shed_text(d->db);
	d->expires_at = expiry_next(d->db, (int64_t)time(NULL));
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
	log_info("LAN: %u interfaces, %u in zone lan (lan_networks %s, lan_interfaces %s)%s; "
		 "`portwarden status` lists them", d->lan->nifaces, lan_count_zone(d->lan, ZONE_LAN),
		 lan_mode_name(d->cfg.lan_nets_mode), lan_mode_name(d->cfg.lan_ifaces_mode),
		 d->lan->link_scope ? " and link scope" : "");
	ret = privdrop_apply();
	if (ret < 0)
		log_warnx("cannot drop privileges: %s", strerror(-ret));
	/* after the drop: the thread has what the worker kept */
	ret = beside_start(&d->beside);
	if (ret < 0)
		log_warnx("cannot start the thread that reads DNAT rules and names listeners: %s; "
			  "listeners are named between drains, log lines go without DNAT targets",
			  strerror(-ret));
	else {
		d->listen.namer = &d->beside;
		/* a sync of the log waits for the disk, never the worker */
		d->log.sync_elsewhere = beside_sync;
		d->log.sync_ctx = &d->beside;
	}
	notify_state("READY=1");
	if (serve(d) == 0)
		status = 0;
	notify_state("STOPPING=1");
	pipeline_latency_text(&d->pipe.latency, latency, sizeof(latency));
	log_info("%s", latency);
	/* A stop leaves the table as it is: with fail_mode closed the queue
	 * rule has no bypass, so guarded ports stay unreachable until the next
	 * start replaces the table in one transaction, and @blocked keeps
	 * dropping.  An owned table is persistent, so it outlives our socket.
	 * Removing it is an explicit act: portwarden flush. */
	log_info("stopped: %llu packets queued, %lu ports blocked (%lu could not be), "
		 "%lu malformed, %llu ENOBUFS; log: %lu lines, %llu kernel drops, %llu events folded, "
		 "%llu lost to the fold cap, %lu effects past a drain's room",
		 d->queue.stats.packets, d->pipe.nblocked, d->block_failed, d->pipe.malformed,
		 d->queue.stats.enobufs, d->log.written, d->nflog.packets, d->fold.folded,
		 d->fold.lost, d->pipe.effects_lost);
	beside_stop(&d->beside);
	log_info("interfaces: %llu events, read whole %llu times, %ld ms of CPU following them",
		 d->lanwatch.events_seen, d->lanwatch.resyncs, d->lan_cpu_us / 1000);
out:
	control_close(d);
	blocklog_close(&d->log);
	if (d->watching)
		watch_close(&d->watch);
	if (d->lan_watching)
		lanwatch_close(&d->lanwatch);
	nmwatch_close(&d->nm);
	nflog_close(&d->nflog);
	listenwatch_close(&d->listen);
	queue_close(&d->queue);
	firewall_close(&d->fw);
	policy_db_free(d->db);
	natscan_free(&d->nat);
	pipeline_free(&d->pipe);
	lanhost_free(d->host);
	lan_free(d->lan);
	lan_free(d->lan_next);
	free(d->host);
	free(d->lan);
	free(d->lan_next);
	free(d);
	return status;
}
