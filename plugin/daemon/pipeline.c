// SPDX-License-Identifier: GPL-2.0-or-later
/* A queued packet's path, top to bottom: parse, decide, verdict, and the
 * effects the daemon carries out after the drain's verdicts are sent. */
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "pipeline.h"
#include "ruleset.h"

int pipeline_init(struct pipeline *p)
{
	p->fx.block = calloc(PIPELINE_EFFECTS_MAX, sizeof(*p->fx.block));
	p->fx.line = calloc(PIPELINE_EFFECTS_MAX, sizeof(*p->fx.line));
	if (!p->fx.block || !p->fx.line) {
		pipeline_free(p);
		return -ENOMEM;
	}
	return 0;
}

void pipeline_free(struct pipeline *p)
{
	free(p->fx.block);
	free(p->fx.line);
	p->fx.block = NULL;
	p->fx.line = NULL;
}

void pipeline_effects_clear(struct pipeline *p)
{
	p->fx.nblock = p->fx.nline = 0;
	p->fx.want_listeners = 0;
}

/* The port goes into this drain's transaction once: its next packets in
 * the same drain add nothing.  It counts as blocked only once the kernel
 * acknowledged the transaction (pipeline_blocks_done). */
static void block_port(struct pipeline *p, const struct packet_info *pkt,
		       const struct decision *dec, const struct timespec *arrived)
{
	struct pipeline_block *b;

	if (portmap_has(p->blocked, pkt->proto, pkt->dport) ||
	    portmap_has(p->pending, pkt->proto, pkt->dport))
		return;
	if (p->fx.nblock == PIPELINE_EFFECTS_MAX) {
		p->effects_lost++;	/* dropped anyway; the next attempt blocks it */
		return;
	}
	b = &p->fx.block[p->fx.nblock++];
	*b = (struct pipeline_block){ pkt->proto, pkt->dport, dec->entry, dec->kind, *arrived };
	portmap_set(p->pending, pkt->proto, pkt->dport, 1);
}

void pipeline_blocks_done(struct pipeline *p, int acked)
{
	unsigned i;

	for (i = 0; i < p->fx.nblock; i++) {
		const struct pipeline_block *b = &p->fx.block[i];

		portmap_set(p->pending, b->proto, b->port, 0);
		if (acked && !portmap_has(p->blocked, b->proto, b->port)) {
			portmap_set(p->blocked, b->proto, b->port, 1);
			p->nblocked++;
		}
	}
}

void pipeline_believe_blocked(struct pipeline *p, const uint8_t (*kernel)[PORTMAP_BYTES])
{
	struct portmap_pos pos = PORTMAP_START;

	portmap_copy(p->blocked, kernel);
	p->nblocked = 0;
	while (portmap_next(&pos))
		p->nblocked += portmap_has(p->blocked, pos.proto, pos.port);
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

/* Folding is memory only; the lines that open a window are written after
 * the drain. */
static void record(struct pipeline *p, const struct packet_info *pkt, const char *iif,
		   const struct policy_entry *entry, enum policy_kind kind,
		   const char *action, const char *path, const struct timespec *mono)
{
	struct fold_event ev;

	/* the line says when on the wall clock; its window runs on the
	 * monotonic one */
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	ev.at = mono->tv_sec;
	ev.action = action;
	ev.path = path;
	ev.pkt = *pkt;
	if (fold_repeat(p->fold, &ev))
		return;	/* a flood: counted, nothing else to do */
	ev.policy = policy_kind_name(kind);
	ev.any_source = 0;
	copy_str(ev.iif, sizeof(ev.iif), iif);
	copy_str(ev.service, sizeof(ev.service), entry ? entry->service : "");
	if (!fold_event(p->fold, &ev))
		return;
	if (p->fx.nline == PIPELINE_EFFECTS_MAX) {
		p->effects_lost++;
		return;
	}
	p->fx.line[p->fx.nline++] = ev;
}

/* The kernel queued it because the port rules matched, so the packet was
 * meant for a guarded port, whatever our parser makes of it: dropped in
 * both fail modes (fail_mode = open only covers a worker that is gone or
 * overloaded), logged with what could be read, and its port blocked when
 * the port could be read. */
static int on_unreadable(struct pipeline *p, const struct packet_info *pkt, const char *iif,
			 const struct timespec *now)
{
	struct decision dec = decide_unreadable(pkt, p->db, p->cfg);

	p->malformed++;
	if (!pkt->family)
		return dec.verdict == VERDICT_WOULD_BLOCK ? NF_ACCEPT : NF_DROP;
	if (dec.verdict == VERDICT_WOULD_BLOCK) {
		record(p, pkt, iif, dec.entry, dec.kind, "would-block", "queue", now);
		return NF_ACCEPT;
	}
	if (dec.entry)
		block_port(p, pkt, &dec, now);
	record(p, pkt, iif, dec.entry, dec.kind, "blocked", "queue", now);
	return NF_DROP;
}

/* How long ago the packet arrived (the kernel's stamp, real time), in
 * ns; -1 without a stamp or across a clock step. */
static long long since_arrival(const struct queue_packet *qp)
{
	struct timespec real;
	long long ago;

	if (!qp->stamp.tv_sec)
		return -1;
	clock_gettime(CLOCK_REALTIME, &real);
	ago = (long long)(real.tv_sec - qp->stamp.tv_sec) * 1000000000LL + (real.tv_nsec - qp->stamp.tv_nsec);
	return ago < 0 || ago > 60LL * 1000000000LL ? -1 : ago;
}

static void count_latency(struct pipeline_latency *l, long long ago_ns)
{
	long us = (long)(ago_ns / 1000);
	unsigned b = 0;

	while (b + 1 < PIPELINE_LATENCY_BUCKETS && (1L << (b + 1)) <= us + 1)
		b++;
	l->bucket[b]++;
	l->n++;
	if (us > l->max_us)
		l->max_us = us;
}

/* the bound of the bucket holding the q-th share of the packets */
static long bucket_bound(const struct pipeline_latency *l, double q)
{
	unsigned long long want = (unsigned long long)(q * (double)l->n), seen = 0;
	unsigned b;

	for (b = 0; b < PIPELINE_LATENCY_BUCKETS; b++) {
		seen += l->bucket[b];
		if (seen > want)
			break;
	}
	return 1L << (b + 1 < PIPELINE_LATENCY_BUCKETS ? b + 1 : b);
}

void pipeline_latency_text(const struct pipeline_latency *l, char *out, size_t cap)
{
	if (!l->n) {
		snprintf(out, cap, "no packet carried its arrival time");
		return;
	}
	snprintf(out, cap, "%llu packets decided after arrival: median under %ld us, 99%% under %ld us, "
		 "the longest %ld us", l->n, bucket_bound(l, 0.5), bucket_bound(l, 0.99), l->max_us);
}

/* When the packet arrived, on the monotonic clock: now moved back by how
 * long ago it arrived, else now. */
static struct timespec arrival(long long ago, const struct timespec *now)
{
	struct timespec at = *now;

	if (ago < 0)
		return at;
	at.tv_sec -= (time_t)(ago / 1000000000LL);
	at.tv_nsec -= (long)(ago % 1000000000LL);
	if (at.tv_nsec < 0) {
		at.tv_nsec += 1000000000L;
		at.tv_sec--;
	}
	return at;
}

int pipeline_packet(void *ctx, const struct queue_packet *qp)
{
	struct pipeline *p = ctx;
	struct packet_info pkt;
	struct decision dec;
	struct timespec now;
	const char *iif;
	long long ago = since_arrival(qp);

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ago >= 0)
		count_latency(&p->latency, ago);
	iif = ifcache_name(p->ifaces, qp->ifindex, now.tv_sec);
	/* without a payload, a length of 0 leaves pkt empty */
	if (packet_parse(qp->payload, qp->payload ? qp->len : 0, &pkt) < 0)
		return on_unreadable(p, &pkt, iif, &now);
	/* replies never get here: the table accepts them in the kernel */
	dec = decide(&pkt, iif, p->db, p->cfg, listenpolicy_get(p->lp, pkt.proto, pkt.dport));
	/* a server of the port may have started since the last look: look
	 * again after this drain, and undo the block if it is one */
	if (dec.verdict != VERDICT_ACCEPT && dec.entry && policy_has_listener_rules(dec.entry))
		p->fx.want_listeners = 1;
	switch (dec.verdict) {
	case VERDICT_ACCEPT:
		return NF_ACCEPT;
	case VERDICT_WOULD_BLOCK:
		record(p, &pkt, iif, dec.entry, dec.kind, "would-block", "queue", &now);
		return NF_ACCEPT;
	case VERDICT_BLOCK:
		now = arrival(ago, &now);
		block_port(p, &pkt, &dec, &now);
		metrics_count_queue(p->metrics, pkt.proto, pkt.dport, 1);
		record(p, &pkt, iif, dec.entry, dec.kind, "blocked", "queue", &now);
		break;
	}
	return NF_DROP;
}

void pipeline_kernel_drop(void *ctx, const struct nflog_packet *lp)
{
	struct pipeline *p = ctx;
	const struct listenpolicy_port *who;
	const struct policy_entry *entry;
	struct packet_info pkt;
	enum policy_kind kind;
	struct timespec now;

	/* a packet our parser refuses is still logged when its port is known */
	packet_parse(lp->payload, lp->payload ? lp->len : 0, &pkt);
	if (!pkt.has_ports)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	entry = policy_lookup(p->db, pkt.proto, pkt.dport);
	who = listenpolicy_get(p->lp, pkt.proto, pkt.dport);
	if ((!entry || entry->kind == POLICY_OPEN) && who && who->guard)
		entry = who->guard;
	kind = entry ? (enum policy_kind)entry->kind : POLICY_OPEN;
	if (who && who->ruled && who->ruled == entry)
		kind = (enum policy_kind)who->kind;
	/* a loopback destination from outside is loopback-only whatever the port */
	if (!strncmp(lp->prefix, RULESET_LOG_PREFIX_MARTIAN, strlen(RULESET_LOG_PREFIX_MARTIAN)))
		kind = POLICY_LOOPBACK_ONLY;
	record(p, &pkt, ifcache_name(p->ifaces, lp->ifindex, now.tv_sec), entry, kind,
	       !strncmp(lp->prefix, RULESET_LOG_PREFIX_WOULD_BLOCK,
			strlen(RULESET_LOG_PREFIX_WOULD_BLOCK)) ? "would-block" : "blocked", "kernel",
	       &now);
}

void pipeline_expire(struct pipeline *p, fold_emit_fn emit, void *ctx)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fold_expire(p->fold, now.tv_sec, emit, ctx);
}
