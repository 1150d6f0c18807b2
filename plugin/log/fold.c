// SPDX-License-Identifier: GPL-2.0-or-later
/* Folding repeated events of the blocked-connection log in fixed memory. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fnv1a.h"
#include "fold.h"
#include "portmap.h"

#define MAX_PROBE 32

void fold_init(struct fold *f, unsigned window)
{
	/* f comes zeroed (calloc): writing 600 kB of zeros here would only
	 * make every page of the table resident before it is used */
	f->window = window;
}

static int same_source(const struct fold_event *a, const struct fold_event *b)
{
	return a->pkt.family == b->pkt.family && a->pkt.proto == b->pkt.proto &&
	       a->pkt.dport == b->pkt.dport && a->path == b->path && a->action == b->action &&
	       !memcmp(a->pkt.saddr, b->pkt.saddr, sizeof(a->pkt.saddr));
}

static int same_port(const struct fold_event *a, const struct fold_event *b)
{
	return a->pkt.proto == b->pkt.proto && a->pkt.dport == b->pkt.dport &&
	       a->path == b->path && a->action == b->action;
}

/* The folding key: source, protocol, port (low byte first) */
static unsigned hash(const struct fold_event *ev)
{
	const uint8_t port[2] = { ev->pkt.dport & 0xff, ev->pkt.dport >> 8 };
	uint32_t h = fnv1a(FNV1A_START, ev->pkt.saddr, sizeof(ev->pkt.saddr));

	h = fnv1a(h, &ev->pkt.proto, 1);
	return fnv1a(h, port, sizeof(port)) % FOLD_SLOTS;
}

static void open_window(struct fold *f, struct fold_slot *s, const struct fold_event *ev)
{
	if (!f->used && !f->nwild)
		f->oldest = ev->at;
	else if (ev->at < f->oldest)
		f->oldest = ev->at;
	s->state = 1;
	s->opened = ev->at;
	s->repeats = 0;
	s->last = *ev;
}

static int fold_wild(struct fold *f, const struct fold_event *ev)
{
	unsigned i;

	for (i = 0; i < f->nwild; i++)
		if (same_port(&f->wild[i].last, ev)) {
			f->wild[i].repeats++;
			f->wild[i].last.ts = ev->ts;
			f->folded++;
			return 0;
		}
	if (f->nwild == FOLD_WILD) {
		f->lost++;
		return 0;
	}
	open_window(f, &f->wild[f->nwild], ev);
	f->wild[f->nwild].last.any_source = 1;
	f->wild[f->nwild++].repeats = 1;
	f->folded++;
	return 0;
}

/* The open window of ev's key, or NULL.  Floods repeat one key, so the
 * slot of the last hit is tried before the hash. */
static struct fold_slot *find_open(struct fold *f, const struct fold_event *ev, unsigned *h)
{
	struct fold_slot *s = &f->slot[f->last_hit];
	unsigned i;

	if (s->state == 1 && same_source(&s->last, ev))
		return s;
	*h = hash(ev);
	for (i = 0; i < MAX_PROBE; i++) {
		s = &f->slot[(*h + i) % FOLD_SLOTS];
		if (s->state == 0)
			break;
		if (s->state == 1 && same_source(&s->last, ev)) {
			f->last_hit = (*h + i) % FOLD_SLOTS;
			return s;
		}
	}
	return NULL;
}

static void count_repeat(struct fold *f, struct fold_slot *s, const struct fold_event *ev)
{
	s->repeats++;
	s->last.ts = ev->ts;
	f->folded++;
}

int fold_repeat(struct fold *f, const struct fold_event *ev)
{
	unsigned h = 0;
	struct fold_slot *s = find_open(f, ev, &h);

	if (!s)
		return 0;
	count_repeat(f, s, ev);
	return 1;
}

void fold_set_rate(struct fold *f, unsigned n)
{
	f->per_second = n;
}

/* Takes one new line from this second's budget; 0 when it is spent. */
static int take_budget(struct fold *f, time_t now)
{
	if (!f->per_second)
		return 1;
	if (now != f->budget_second) {
		f->budget_second = now;
		f->budget_used = 0;
	}
	if (f->budget_used >= f->per_second)
		return 0;
	f->budget_used++;
	return 1;
}

/* A port's share of the second's line budget: half of it, so a flood of
 * ever new sources to one port leaves the other half to the rest. */
static unsigned port_share(const struct fold *f)
{
	unsigned share = f->per_second / 2;

	return share < 1 ? 1 : share > UINT8_MAX ? UINT8_MAX : share;
}

/* The ports counted this second are cleared when it turns: one by one, or
 * all at once after more than FOLD_PORTS_TOUCHED of them */
static void new_port_second(struct fold *f, time_t now)
{
	if (f->ntouched <= FOLD_PORTS_TOUCHED)
		for (unsigned i = 0; i < f->ntouched; i++)
			f->port_lines[f->touched[i] >> 16][f->touched[i] & 0xffff] = 0;
	else
		memset(f->port_lines, 0, sizeof(f->port_lines));
	f->ntouched = 0;
	f->port_second = now;
}

static int take_port_budget(struct fold *f, const struct fold_event *ev, time_t now)
{
	unsigned slot = (unsigned)portmap_slot(ev->pkt.proto);
	uint8_t *used = &f->port_lines[slot][ev->pkt.dport];

	if (!f->per_second)
		return 1;
	if (now != f->port_second)
		new_port_second(f, now);
	if (*used >= port_share(f))
		return 0;
	if (!*used) {
		if (f->ntouched < FOLD_PORTS_TOUCHED)
			f->touched[f->ntouched] = slot << 16 | ev->pkt.dport;
		f->ntouched++;
	}
	(*used)++;
	return 1;
}

/* Open windows per port are counted on the queue path only: the kernel
 * path is already limited per source in the kernel, and capping it here
 * would let a spoofed flood hide a real source's attempt for the rest of
 * the window. */
static uint8_t *port_open(struct fold *f, const struct fold_event *ev)
{
	return &f->port_open[portmap_slot(ev->pkt.proto)][ev->pkt.dport];
}

static int on_queue_path(const struct fold_event *ev)
{
	return !strcmp(ev->path, "queue");
}

static int port_full(struct fold *f, const struct fold_event *ev)
{
	return on_queue_path(ev) && *port_open(f, ev) >= FOLD_PORT_SOURCES;
}

static void count_open(struct fold *f, const struct fold_event *ev, int delta)
{
	if (on_queue_path(ev))
		*port_open(f, ev) = (uint8_t)(*port_open(f, ev) + delta);
}

int fold_event(struct fold *f, const struct fold_event *ev)
{
	unsigned h = 0, i, free_slot = FOLD_SLOTS;
	struct fold_slot *s = find_open(f, ev, &h);	/* on a miss, h is the hash */

	if (s) {
		count_repeat(f, s, ev);
		return 0;
	}
	for (i = 0; i < MAX_PROBE && free_slot == FOLD_SLOTS; i++)
		if (f->slot[(h + i) % FOLD_SLOTS].state != 1)
			free_slot = (h + i) % FOLD_SLOTS;
	if (free_slot == FOLD_SLOTS || f->used >= FOLD_SLOTS * 3 / 4 ||
	    port_full(f, ev) || !take_port_budget(f, ev, ev->at) ||
	    !take_budget(f, ev->at))
		return fold_wild(f, ev);
	if (f->slot[free_slot].state == 2)
		f->deleted--;
	open_window(f, &f->slot[free_slot], ev);
	count_open(f, ev, 1);
	f->used++;
	f->last_hit = free_slot;
	return 1;
}

static void close_slot(struct fold_slot *s, fold_emit_fn emit, void *ctx)
{
	if (s->repeats)
		emit(ctx, &s->last, s->repeats);
}

/* Rehash in place when deletions make probe chains long. */
static void compact(struct fold *f)
{
	struct fold_slot *keep = malloc(FOLD_SLOTS * sizeof(*keep));
	unsigned i, n = 0;

	if (!keep)
		return;	/* long probe chains cost time, not correctness */
	for (i = 0; i < FOLD_SLOTS; i++)
		if (f->slot[i].state == 1)
			keep[n++] = f->slot[i];
	memset(f->slot, 0, sizeof(f->slot));
	f->deleted = 0;
	for (i = 0; i < n; i++) {
		unsigned h = hash(&keep[i].last);

		while (f->slot[h].state)
			h = (h + 1) % FOLD_SLOTS;
		f->slot[h] = keep[i];
	}
	free(keep);
}

static int window_open(const struct fold *f, const struct fold_slot *s, time_t now)
{
	return now && now - s->opened < (time_t)f->window;
}

/* Called on every wake-up of the daemon: returns at once until the oldest
 * window ends, instead of walking the whole table each time. */
void fold_expire(struct fold *f, time_t now, fold_emit_fn emit, void *ctx)
{
	time_t oldest = 0;
	unsigned i, w = 0;

	if ((!f->used && !f->nwild) || (now && now - f->oldest < (time_t)f->window))
		return;
	for (i = 0; i < FOLD_SLOTS; i++) {
		struct fold_slot *s = &f->slot[i];

		if (s->state != 1)
			continue;
		if (window_open(f, s, now)) {
			if (!oldest || s->opened < oldest)
				oldest = s->opened;
			continue;
		}
		close_slot(s, emit, ctx);
		count_open(f, &s->last, -1);
		s->state = 2;
		f->used--;
		f->deleted++;
	}
	for (i = 0; i < f->nwild; i++) {
		if (window_open(f, &f->wild[i], now)) {
			if (!oldest || f->wild[i].opened < oldest)
				oldest = f->wild[i].opened;
			f->wild[w++] = f->wild[i];
			continue;
		}
		close_slot(&f->wild[i], emit, ctx);
	}
	f->nwild = w;
	f->oldest = oldest;
	if (f->deleted > FOLD_SLOTS / 4)
		compact(f);
}
