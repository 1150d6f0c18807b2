/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_FOLD_H
#define PORTWARDEN_FOLD_H

#include <net/if.h>
#include <stdint.h>
#include <time.h>

#include "blocklog.h"
#include "policy.h"

/* Folding of repeated log events: the first event of a (source, protocol,
 * port, path, action) is written at once; repeats inside the window are
 * counted and written as one line when the window closes.  Memory is
 * fixed: when the table is full, the second's line budget is spent or a
 * port has FOLD_PORT_SOURCES open windows (queue path), events fold per
 * port under source "*", and past that they are only counted. */

#define FOLD_SLOTS	4096
#define FOLD_WILD	256
#define FOLD_WINDOW	60	/* seconds */
/* open windows of one port on the queue path: past it, new sources of
 * that port fold under "*", so a flood from ever new (spoofed) sources to
 * a port decided per datagram writes a few dozen lines a window, not the
 * whole line budget every second */
#define FOLD_PORT_SOURCES	32

struct fold_event {
	struct timespec ts;	/* CLOCK_REALTIME: the line's timestamp */
	time_t at;		/* CLOCK_MONOTONIC seconds: windows and budgets,
				 * which a step of the wall clock must not move */
	const char *action;	/* static strings: "blocked", "would-block" */
	const char *path;	/* "queue", "kernel" */
	const char *policy;
	struct packet_info pkt;
	char iif[IF_NAMESIZE];
	char service[POLICY_SERVICE_MAX];
	int any_source;		/* folded per port: many sources */
};

struct fold_slot {
	uint8_t state;		/* 0 empty, 1 used, 2 deleted */
	time_t opened;
	unsigned long repeats;
	struct fold_event last;
};

struct fold {
	struct fold_slot slot[FOLD_SLOTS];
	struct fold_slot wild[FOLD_WILD];
	unsigned used, deleted, nwild;
	unsigned window;
	time_t oldest;		/* earliest open window: nothing to close before it ends */
	unsigned last_hit;	/* slot of the last event */
	uint8_t port_open[2][65536];	/* open queue-path windows per [TCP, UDP] port */
	unsigned per_second;	/* new lines a second; past it, fold per port */
	time_t budget_second;
	unsigned budget_used;
	unsigned long long folded, lost;
};

typedef void (*fold_emit_fn)(void *ctx, const struct fold_event *ev, unsigned long count);

/* f must be zeroed memory (calloc). */
void fold_init(struct fold *f, unsigned window);
/* At most n windows opened (lines written at once) a second, 0 for no
 * limit; further new sources fold per port under "*", so a flood from
 * ever new (spoofed) sources writes a bounded number of lines. */
void fold_set_rate(struct fold *f, unsigned n);
/* Returns 1 when ev opens a window (write it now, count 1), 0 when folded. */
int fold_event(struct fold *f, const struct fold_event *ev);
/* Counts ev as a repeat when its key has an open window: returns 1 then,
 * else 0 and nothing changes.  Reads only ts, at and the key (pkt,
 * action, path), so a caller can try it before filling in the rest of ev. */
int fold_repeat(struct fold *f, const struct fold_event *ev);
/* Writes and forgets windows older than now, in the events' `at` clock
 * (CLOCK_MONOTONIC seconds); all of them when now is 0. */
void fold_expire(struct fold *f, time_t now, fold_emit_fn emit, void *ctx);

#endif
