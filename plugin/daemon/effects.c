// SPDX-License-Identifier: GPL-2.0-or-later
/* After a drain's verdicts: its blocks in one transaction, then its log
 * lines, each annotated with the listener and the DNAT target. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "effects.h"
#include "kstate.h"
#include "log.h"
#include "packet.h"
#include "ruleset.h"

/* one element's comment: the entry's service, file and line */
#define COMMENT_MAX 128

static void report_blocks(const struct pipeline_block *b, unsigned n)
{
	struct timespec done;
	unsigned i;

	clock_gettime(CLOCK_MONOTONIC, &done);
	for (i = 0; i < n; i++)
		log_info("blocked %u/%s (%s, %s): kernel rule active %ld us after the first packet",
			 b[i].port, packet_l4_name(b[i].proto), b[i].entry->service,
			 policy_kind_name(b[i].kind), elapsed_usec(&b[i].arrived, &done));
}

/* A transaction of blocks failed, perhaps after the kernel committed it
 * (a lost acknowledgement): believe what the kernel's @blocked holds. */
static void resync_blocked(struct daemon *d)
{
	static uint8_t map[2][PORTMAP_BYTES];
	struct kstate ks;
	unsigned i;

	if (kstate_read(&ks) < 0)
		return;	/* the next attempt at each port decides it again */
	portmap_clear(map);	/* pages that never held a port stay unbacked */
	for (i = 0; i < ks.nblocked; i++)
		portmap_set(map, ks.blocked[i].proto, ks.blocked[i].port, 1);
	kstate_free(&ks);
	pipeline_believe_blocked(&d->pipe, (const uint8_t (*)[PORTMAP_BYTES])map);
}

/* Adds the drain's new ports to @blocked, so the kernel drops further
 * attempts itself: one transaction, however many ports. */
static void block_ports(struct daemon *d)
{
	const struct pipeline_block *b = d->pipe.fx.block;
	unsigned n = d->pipe.fx.nblock;
	struct firewall_change *v;
	char *comments;
	int ret = -ENOMEM;

	if (!n)
		return;
	v = calloc(n, sizeof(*v));
	comments = malloc((size_t)n * COMMENT_MAX);
	if (v && comments) {
		unsigned i;

		for (i = 0; i < n; i++) {
			char *c = comments + (size_t)i * COMMENT_MAX;

			ruleset_entry_comment(c, COMMENT_MAX, b[i].entry);
			v[i].elem = (struct ruleset_elem){ RULESET_SET_BLOCKED, b[i].proto, b[i].port, c };
		}
		ret = firewall_change(&d->fw, v, n);
	}
	free(comments);
	free(v);
	pipeline_blocks_done(&d->pipe, ret == 0);
	if (ret < 0) {
		/* the packets are still dropped; the next attempt comes here again */
		d->block_failed += n;
		log_warnx("cannot add %u port%s (%u/%s first) to @blocked: %s", n, n > 1 ? "s" : "",
			  b[0].port, packet_l4_name(b[0].proto), strerror(-ret));
		resync_blocked(d);
		return;
	}
	d->metrics_due = 0;
	report_blocks(b, n);
}

/* Published ports change when containers start: the thread beside the
 * worker keeps the list current (by the ruleset's generation); a line
 * takes the latest it handed over and never waits for a read. */
static const struct natscan_entry *published(struct daemon *d, const struct packet_info *pkt)
{
	beside_take_nat(&d->beside, &d->nat);
	return natscan_find(&d->nat, pkt->family, pkt->proto, pkt->dport, pkt->daddr);
}

static void write_syslog(struct daemon *d, const struct fold_event *ev, unsigned long count)
{
	char src[INET6_ADDRSTRLEN] = "*", msg[256];

	if (!ev->any_source)
		inet_ntop(ev->pkt.family, ev->pkt.saddr, src, sizeof(src));
	snprintf(msg, sizeof(msg), "%s %u/%s from %s (%s, %s) via %s, count %lu", ev->action,
		 ev->pkt.dport, packet_l4_name(ev->pkt.proto), src, ev->service,
		 ev->policy, ev->path, count);
	log_debug("%s", msg);
	if (d->cfg.syslog)
		syslog(LOG_DAEMON | LOG_NOTICE, "%s", msg);
}

void effects_write_line(void *ctx, const struct fold_event *ev, unsigned long count)
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
	nat = published(d, &ev->pkt);
	if (nat) {
		natscan_addr_text(nat, nat->to_addr, nat_dst, sizeof(nat_dst));
		e.nat_dst = nat_dst;
		e.nat_dport = natscan_target_port(nat, ev->pkt.dport);
	}
	if (blocklog_write(&d->log, &e) < 0 && d->log.failed == 1)
		log_warnx("cannot write %s; further failures are counted, not reported",
			  d->log.path);
	if (d->cfg.syslog || d->settings->verbose)
		write_syslog(d, ev, count);
}

/* A line waits, at most DAEMON_PENDING_MS, for what names it: a port
 * nobody is known to listen on for the watcher's next look (at most
 * LISTENWATCH_ASKED_MS away), so that a listener that started a moment ago
 * is named; and every line for the thread beside the worker to say the
 * published ports it holds are current. */
static void write_soon(struct daemon *d, const struct fold_event *ev)
{
	const struct listener *l = listener_first(&d->listen.table, ev->pkt.proto, ev->pkt.dport);
	int unnamed = !l || !l->owner.pid;

	beside_want_nat(&d->beside);
	if ((!unnamed && !beside_nat_wanted(&d->beside)) || d->npending == DAEMON_PENDING_MAX) {
		effects_write_line(d, ev, 1);
		return;
	}
	if (!d->npending)
		clock_gettime(CLOCK_MONOTONIC, &d->pending_since);
	d->pending[d->npending++] = *ev;
	if (unnamed)
		d->listen.wanted = 1;
}

int effects_pending_due(struct daemon *d, const struct timespec *now)
{
	if (!d->npending)
		return 0;
	if (elapsed_usec(&d->pending_since, now) >= DAEMON_PENDING_MS * 1000L)
		return 1;
	return !d->listen.wanted && !beside_naming(&d->beside) && !beside_nat_wanted(&d->beside);
}

void effects_write_pending(struct daemon *d)
{
	unsigned i;

	for (i = 0; i < d->npending; i++)
		effects_write_line(d, &d->pending[i], 1);
	d->npending = 0;
}

void effects_run(struct daemon *d)
{
	unsigned i;

	block_ports(d);
	for (i = 0; i < d->pipe.fx.nline; i++)
		write_soon(d, &d->pipe.fx.line[i]);
	if (d->pipe.fx.want_listeners)
		d->listen.wanted = 1;
	pipeline_effects_clear(&d->pipe);
}
