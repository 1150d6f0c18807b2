/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_DAEMONSTATE_H
#define PORTWARDEN_DAEMONSTATE_H

#include <time.h>

#include "beside.h"
#include "blocklog.h"
#include "elapsed.h"
#include "firewall.h"
#include "fold.h"
#include "ifcache.h"
#include "lan.h"
#include "lanwatch.h"
#include "listenwatch.h"
#include "metrics.h"
#include "natscan.h"
#include "nmwatch.h"
#include "nflog.h"
#include "pipeline.h"
#include "queue.h"
#include "settings.h"
#include "watch.h"

/* The state the daemon's files share (daemon.c: lifecycle and event loop;
 * reload.c: the policy into the kernel; effects.c: what a drain implies,
 * after its verdicts); nothing outside them uses it. */

#define DAEMON_PENDING_MAX 64
/* the longest a line waits for its listener's name or the DNAT rules */
#define DAEMON_PENDING_MS 1000
/* control clients connected whose request is still to come */
#define CONTROL_WAITING_MAX 8

struct daemon {
	const struct settings *settings;
	struct config cfg;
	struct policy_db *db;
	struct settings_stamp db_stamp;	/* the files db was read from */
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
	unsigned long long resyncs_seen;	/* lanwatch's whole reads reported */
	long lan_cpu_us;	/* CPU time spent following interfaces */
	int lan_pending;	/* events applied to host, not yet to the kernel */
	struct timespec lan_applied;	/* the last LAN transaction, CLOCK_MONOTONIC */
	struct nmwatch nm;	/* NetworkManager's connections and zones */
	struct lan_host *host;
	struct lan *lan, *lan_next;	/* the effective LAN; the next one */
	struct pipeline pipe;	/* verdicts, @blocked as we know it, effects */
	/* first lines of ports whose listener the watcher does not know yet:
	 * written after its next look, so that the line can name it */
	struct fold_event pending[DAEMON_PENDING_MAX];
	unsigned npending;
	struct timespec pending_since;	/* CLOCK_MONOTONIC, of the oldest */
	struct beside beside;	/* reads beside the worker: DNAT rules, /proc */
	struct metrics metrics;
	/* intervals, in CLOCK_MONOTONIC seconds */
	time_t metrics_due;	/* 0: a new block, write at the next second */
	time_t metrics_last;
	int metrics_failed;	/* reported once, until a write works again */
	struct natscan_list nat;	/* published ports, for the log, from beside */
	unsigned long block_failed;	/* ports whose @blocked transaction failed */
	unsigned long long enobufs_seen;	/* queue overflows already reported */
	time_t enobufs_warned;
	long apply_us;		/* duration of the last ruleset transaction */
	/* the host uses NAT: UDP is decided after conntrack (hostnat.c) */
	int host_nat, nat_chains, nat_gen_known;
	uint32_t nat_gen;	/* ruleset generation of the last chain dump */
	time_t nat_due;		/* CLOCK_MONOTONIC seconds */
	uint16_t eph_lo, eph_hi;	/* net.ipv4.ip_local_port_range */
	char apply_error[BATCH_WHAT_MAX + 128];	/* why the last one failed */
	int lan_stale;		/* the LAN changed, but no transaction took it yet */
	struct timespec lan_tried;	/* the last try of a stale LAN */
	int ctl_fd;		/* the control socket, -1 when not listening */
	/* clients connected whose request has not come yet: polled with the
	 * rest, never waited for (fd -1: a free place) */
	struct {
		int fd;
		struct timespec since;
	} ctl_waiting[CONTROL_WAITING_MAX];
	time_t expires_at;	/* the next entry whose time runs out (wall clock), 0: none */
	struct timespec last_drain;	/* when the queue last had packets */
};

/* Lines written at once a second, in log_rate units: the kernel path lets
 * log_rate a second through per source, so twice that leaves room for
 * other sources while one floods; past it new sources fold per port. */
#define DAEMON_LOG_LINES_PER_RATE	2

#endif
