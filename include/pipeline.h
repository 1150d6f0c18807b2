/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PIPELINE_H
#define PORTWARDEN_PIPELINE_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "fold.h"
#include "ifcache.h"
#include "listenpolicy.h"
#include "metrics.h"
#include "nflog.h"
#include "policy.h"
#include "portmap.h"
#include "queue.h"

/* What happens to a queued packet: parse, decide, verdict.  Everything
 * slow that a verdict implies (a transaction adding the port to @blocked,
 * the log line with its listener and DNAT target, a fresh look at the
 * listeners) is only collected here, as effects the daemon carries out
 * once the verdicts of the whole drain are sent. */

/* a drain reads at most this many packets, each with at most one effect */
#define PIPELINE_EFFECTS_MAX	(QUEUE_DRAIN_MAX + QUEUE_RX_BATCH)

struct pipeline_block {
	uint8_t proto;
	uint16_t port;
	const struct policy_entry *entry;
	enum policy_kind kind;
	struct timespec arrived;	/* CLOCK_MONOTONIC */
};

struct pipeline_effects {
	struct pipeline_block *block;	/* ports to add to @blocked */
	unsigned nblock;
	struct fold_event *line;	/* log lines that opened a fold window */
	unsigned nline;
	int want_listeners;	/* look at the listeners again soon */
};

/* How long after its arrival (the queue's timestamp) each packet was
 * decided: powers of two of microseconds, and the longest. */
#define PIPELINE_LATENCY_BUCKETS 24
struct pipeline_latency {
	unsigned long long n, bucket[PIPELINE_LATENCY_BUCKETS];
	long max_us;
};

struct pipeline {
	/* the facts a decision reads, owned by the daemon */
	const struct policy_db *db;
	const struct config *cfg;
	const struct listenpolicy *lp;
	struct ifcache *ifaces;
	struct fold *fold;
	struct metrics *metrics;
	/* ports the kernel acknowledged in @blocked */
	uint8_t blocked[2][PORTMAP_BYTES];
	/* ports in the transaction of this drain's effects, not yet acked */
	uint8_t pending[2][PORTMAP_BYTES];
	unsigned long nblocked, malformed, effects_lost;
	struct pipeline_latency latency;
	struct pipeline_effects fx;
};

/* p must be zeroed memory; 0 or -ENOMEM. */
int pipeline_init(struct pipeline *p);
void pipeline_free(struct pipeline *p);

/* A queue_decide_fn (ctx: the pipeline): NF_ACCEPT or NF_DROP, with the
 * packet's effects appended to p->fx. */
int pipeline_packet(void *ctx, const struct queue_packet *qp);
/* An nflog callback (ctx: the pipeline): a drop the kernel made and
 * logged, whose log line is appended to p->fx. */
void pipeline_kernel_drop(void *ctx, const struct nflog_packet *lp);

/* The transaction for the collected blocks is over: acked, the ports are
 * in @blocked from now on; otherwise their next attempt is decided (and
 * blocked) again.  Call before pipeline_effects_clear(). */
void pipeline_blocks_done(struct pipeline *p, int acked);
/* What the kernel's @blocked holds, read back after a transaction whose
 * outcome is unknown. */
void pipeline_believe_blocked(struct pipeline *p, const uint8_t (*kernel)[PORTMAP_BYTES]);
/* Writes (through emit) and closes the fold windows that ended by now. */
void pipeline_expire(struct pipeline *p, fold_emit_fn emit, void *ctx);
/* "N packets decided after arrival: median under X us, 99% under Y us,
 * the longest Z us" */
void pipeline_latency_text(const struct pipeline_latency *l, char *out, size_t cap);
/* Forgets the effects once carried out. */
void pipeline_effects_clear(struct pipeline *p);

#endif
