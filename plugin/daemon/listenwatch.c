// SPDX-License-Identifier: GPL-2.0-or-later
/* Keeping the kernel's sets in step with who listens. */
#include <errno.h>
#include <libnftnl/udata.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elapsed.h"
#include "listenscan.h"
#include "listenwatch.h"
#include "log.h"
#include "packet.h"
#include "sockdiag.h"

#define NOTE_MAX 512

/* The maps that take the next table's facts (listenwatch_elems) */
static void clear_next(struct listenwatch *w)
{
	portmap_clear(w->next_served);
	portmap_clear(w->next_guarded);
	portmap_clear(w->next_lan);
	portmap_clear(w->next_unlan);
	portmap_clear(w->next_relabel);
}

int listenwatch_open(struct listenwatch *w)
{
	/* the maps page by page, which leaves a zeroed page unbacked: the
	 * daemon comes from calloc, and 160 kB of maps hold a few ports */
	memset(w, 0, offsetof(struct listenwatch, served));
	portmap_clear(w->served);
	portmap_clear(w->guarded);
	portmap_clear(w->lan);
	portmap_clear(w->unlan);
	portmap_clear(w->relabel);
	clear_next(w);
	w->wanted = 1;
	return sockdiag_open(&w->diag);
}

void listenwatch_close(struct listenwatch *w)
{
	nlsock_close(&w->diag);
	listener_table_free(&w->table);
	listenpolicy_free(&w->lp);
}

static const char *proto_name(uint8_t proto)
{
	static char other[4];	/* only TCP and UDP sockets are watched */

	return packet_proto_name(proto, other, sizeof(other));
}

/* What one sync changes: set elements, a line for the log each, and which
 * of the watcher's maps the change sets or clears once the kernel took it. */
enum plan_map { MAP_NONE, MAP_SERVED, MAP_GUARDED, MAP_LAN, MAP_UNLAN, MAP_RELABEL, MAP_BLOCKED };

struct plan {
	struct firewall_change *v;
	char (*comment)[NFTNL_UDATA_COMMENT_MAXLEN];
	char (*note)[NOTE_MAX];
	uint8_t *map;		/* enum plan_map */
	unsigned n, cap;
};

static uint8_t (*map_of(struct listenwatch *w, const struct listenwatch_blocked *b,
			enum plan_map m))[PORTMAP_BYTES]
{
	switch (m) {
	case MAP_SERVED:
		return w->served;
	case MAP_GUARDED:
		return w->guarded;
	case MAP_LAN:
		return w->lan;
	case MAP_UNLAN:
		return w->unlan;
	case MAP_RELABEL:
		return w->relabel;
	case MAP_BLOCKED:
		return b->map;
	case MAP_NONE:
		break;
	}
	return NULL;
}

static int plan_grow(struct plan *p)
{
	unsigned cap = p->cap ? p->cap * 2 : 16;
	struct firewall_change *v = realloc(p->v, cap * sizeof(*v));
	char (*c)[NFTNL_UDATA_COMMENT_MAXLEN];
	char (*t)[NOTE_MAX];
	uint8_t *m;

	if (!v)
		return -ENOMEM;
	p->v = v;
	c = realloc(p->comment, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	p->comment = c;
	t = realloc(p->note, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	p->note = t;
	m = realloc(p->map, cap * sizeof(*m));
	if (!m)
		return -ENOMEM;
	p->map = m;
	p->cap = cap;
	return 0;
}

/* map: the port's bit there is set (an add) or cleared (a delete) when the
 * transaction went through */
static int plan_add(struct plan *p, const char *set, uint8_t proto, uint16_t port, int del,
		    const char *comment, const char *note, enum plan_map map)
{
	if (p->n == p->cap && plan_grow(p) < 0)
		return -ENOMEM;
	snprintf(p->comment[p->n], sizeof(p->comment[0]), "%s", comment ? comment : "");
	snprintf(p->note[p->n], sizeof(p->note[0]), "%s", note ? note : "");
	p->v[p->n] = (struct firewall_change){ { set, proto, port, NULL }, del };
	p->map[p->n] = (uint8_t)map;
	p->n++;
	return 0;
}

static void plan_free(struct plan *p)
{
	free(p->v);
	free(p->comment);
	free(p->note);
	free(p->map);
}

static void entry_where(char *out, size_t cap, const struct policy_entry *e)
{
	const char *base = strrchr(e->file, '/');

	snprintf(out, cap, "%s:%u", base ? base + 1 : e->file, e->line);
}

static void served_comment(char *out, size_t cap, const struct listenpolicy_port *p)
{
	/* element comments hold 128 bytes: the path is what matters */
	snprintf(out, cap, "%.20s served by %.95s", p->served->service, p->who);
}

/* the entry whose policy the listener decided: its own, or the one of the
 * dangerous software */
static const struct policy_entry *deciding(const struct listenpolicy_port *p)
{
	return p->ruled ? p->ruled : p->guard;
}

/* "grafana lan-only (ports.db:812)" + RULESET_LISTENER_NOTE + "grafana[41]" */
static void listener_comment(char *out, size_t cap, const struct listenpolicy_port *p,
			     const struct policy_db *db)
{
	char where[64];

	entry_where(where, sizeof(where), deciding(p));
	snprintf(out, cap, "%.24s %s (%.32s)%s%.40s", deciding(p)->service,
		 policy_kind_name(listenpolicy_kind(p, db)), where, RULESET_LISTENER_NOTE, p->who);
}

static void served_note(char *out, size_t cap, const struct listenpolicy_port *p)
{
	char where[64];

	entry_where(where, sizeof(where), p->served);
	snprintf(out, cap, "served %u/%s by %s (%s, %.64s): accepted while it listens", p->port,
		 proto_name(p->proto), p->who, p->served->service, where);
}

static void listener_note(char *out, size_t cap, const struct listenpolicy_port *p,
			  const struct policy_db *db)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];

	listener_comment(comment, sizeof(comment), p, db);
	if (p->ruled)
		snprintf(out, cap, "%s %u/%s: %s (%s)", policy_kind_name(listenpolicy_kind(p, db)),
			 p->port, proto_name(p->proto), comment, p->rule);
	else
		snprintf(out, cap, "guarding %u/%s: %s", p->port, proto_name(p->proto), comment);
}

static void log_decided(const struct listenpolicy_port *p, const struct policy_db *db)
{
	char note[NOTE_MAX];

	if (p->served)
		served_note(note, sizeof(note), p);
	else
		listener_note(note, sizeof(note), p, db);
	log_info("%s", note);
}

/* Which of the LISTENPOLICY_SET_ facts the kernel holds for a port now */
static unsigned held(const struct listenwatch *w, uint8_t proto, uint16_t port)
{
	return (portmap_has(w->served, proto, port) ? LISTENPOLICY_SET_SERVED : 0) |
	       (portmap_has(w->guarded, proto, port) ? LISTENPOLICY_SET_GUARDED : 0) |
	       (portmap_has(w->lan, proto, port) ? LISTENPOLICY_SET_LAN : 0) |
	       (portmap_has(w->unlan, proto, port) ? LISTENPOLICY_SET_UNLAN : 0) |
	       (portmap_has(w->relabel, proto, port) ? LISTENPOLICY_SET_RELABEL : 0);
}

static int plan_new(struct plan *pl, struct listenwatch *w, const struct policy_db *db,
		    const struct listenwatch_blocked *b)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN], note[NOTE_MAX];
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < w->lp.n; i++) {
		const struct listenpolicy_port *p = &w->lp.v[i];
		unsigned want = listenpolicy_sets(p, db) & ~held(w, p->proto, p->port);
		uint8_t pr = p->proto;
		uint16_t po = p->port;

		if (!want)
			continue;
		if (want & LISTENPOLICY_SET_SERVED) {
			served_comment(comment, sizeof(comment), p);
			served_note(note, sizeof(note), p);
		} else {
			listener_comment(comment, sizeof(comment), p, db);
			listener_note(note, sizeof(note), p, db);
		}
		if (want & LISTENPOLICY_SET_SERVED) {
			ret = plan_add(pl, RULESET_SET_SERVED, pr, po, 0, comment, note, MAP_SERVED);
			if (ret == 0 && portmap_has(b->map, pr, po)) {
				snprintf(note, sizeof(note), "unblocked %u/%s: now served by %s", po,
					 proto_name(pr), p->who);
				ret = plan_add(pl, RULESET_SET_BLOCKED, pr, po, 1, NULL, note, MAP_BLOCKED);
			}
		}
		if (ret == 0 && (want & LISTENPOLICY_SET_GUARDED))
			ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 0, comment, note, MAP_GUARDED);
		/* one transaction takes the element out and puts it back under
		 * a comment that names the listener: never unguarded */
		if (ret == 0 && (want & LISTENPOLICY_SET_RELABEL)) {
			ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 1, NULL, NULL, MAP_NONE);
			if (ret == 0)
				ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 0, comment, note, MAP_RELABEL);
		}
		if (ret == 0 && (want & LISTENPOLICY_SET_LAN))
			ret = plan_add(pl, RULESET_SET_LAN_ONLY, pr, po, 0, comment, NULL, MAP_LAN);
		if (ret == 0 && (want & LISTENPOLICY_SET_UNLAN))
			ret = plan_add(pl, RULESET_SET_LAN_ONLY, pr, po, 1, NULL, NULL, MAP_UNLAN);
	}
	return ret;
}

/* Undoes for one port what the kernel holds beyond the database and the
 * listener no longer calls for. */
static int plan_undo(struct plan *pl, const struct policy_db *db,
		     const struct listenwatch_blocked *b, uint8_t pr, uint16_t po, unsigned gone)
{
	const struct policy_entry *own = policy_lookup(db, pr, po);
	char comment[NFTNL_UDATA_COMMENT_MAXLEN], note[NOTE_MAX];
	int ret = 0;

	if (gone & LISTENPOLICY_SET_SERVED) {
		snprintf(note, sizeof(note), "%u/%s no longer served: its listener changed", po,
			 proto_name(pr));
		ret = plan_add(pl, RULESET_SET_SERVED, pr, po, 1, NULL, note, MAP_SERVED);
	}
	if (ret == 0 && (gone & LISTENPOLICY_SET_GUARDED)) {
		snprintf(note, sizeof(note), "%u/%s no longer guarded: the software that made it "
			 "dangerous stopped listening", po, proto_name(pr));
		ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 1, NULL, note, MAP_GUARDED);
		if (ret == 0 && portmap_has(b->map, pr, po))
			ret = plan_add(pl, RULESET_SET_BLOCKED, pr, po, 1, NULL, NULL, MAP_BLOCKED);
	}
	if (ret == 0 && (gone & LISTENPOLICY_SET_LAN))
		ret = plan_add(pl, RULESET_SET_LAN_ONLY, pr, po, 1, NULL, NULL, MAP_LAN);
	if (!own || (gone & (LISTENPOLICY_SET_UNLAN | LISTENPOLICY_SET_RELABEL)) == 0)
		return ret;
	/* back to what the database says */
	ruleset_entry_comment(comment, sizeof(comment), own);
	if (ret == 0 && (gone & LISTENPOLICY_SET_UNLAN))
		ret = plan_add(pl, RULESET_SET_LAN_ONLY, pr, po, 0, comment, NULL, MAP_UNLAN);
	if (ret == 0 && (gone & LISTENPOLICY_SET_RELABEL)) {
		snprintf(note, sizeof(note), "%u/%s %s again: its listener changed", po,
			 proto_name(pr), policy_kind_name((enum policy_kind)own->kind));
		ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 1, NULL, NULL, MAP_NONE);
		if (ret == 0)
			ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 0, comment, note, MAP_RELABEL);
	}
	return ret;
}

/* Elements the kernel holds that the facts no longer call for. */
static int plan_gone(struct plan *pl, struct listenwatch *w, const struct policy_db *db,
		     const struct listenwatch_blocked *b)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned i, port;
	int ret = 0;

	for (i = 0; i < 2; i++)
		for (port = 0; ret == 0 && port < 65536; port++) {
			uint8_t pr = protos[i];
			uint16_t po = (uint16_t)port;
			const struct listenpolicy_port *p;
			unsigned has, gone;

			if (!w->served[i][port / 8] && !w->guarded[i][port / 8] &&
			    !w->lan[i][port / 8] && !w->unlan[i][port / 8] && !w->relabel[i][port / 8]) {
				port |= 7;	/* nothing in this byte */
				continue;
			}
			has = held(w, pr, po);
			if (!has)
				continue;
			p = listenpolicy_get(&w->lp, pr, po);
			gone = has & ~(p ? listenpolicy_sets(p, db) : 0);
			if (gone)
				ret = plan_undo(pl, db, b, pr, po, gone);
		}
	return ret;
}

/* The transaction went through: remember what the kernel holds now. */
static void plan_done(struct plan *pl, struct listenwatch *w, const struct listenwatch_blocked *b)
{
	unsigned i;

	for (i = 0; i < pl->n; i++) {
		const struct firewall_change *c = &pl->v[i];
		uint8_t (*map)[PORTMAP_BYTES] = map_of(w, b, (enum plan_map)pl->map[i]);

		if (map == b->map && c->del && portmap_has(map, c->elem.proto, c->elem.port))
			(*b->count)--;
		if (map)
			portmap_set(map, c->elem.proto, c->elem.port, !c->del);
		if (pl->note[i][0])
			log_info("%s", pl->note[i]);
	}
}

static int sync_kernel(struct listenwatch *w, struct firewall *fw, const struct policy_db *db,
		       const struct listenwatch_blocked *b)
{
	struct plan pl = { 0 };
	unsigned i;
	int ret;

	/* what goes first, so that a port whose listener changed from one
	 * decision to another is taken back before it is decided again */
	ret = plan_gone(&pl, w, db, b);
	if (ret == 0)
		ret = plan_new(&pl, w, db, b);
	for (i = 0; ret == 0 && i < pl.n; i++)
		pl.v[i].elem.comment = pl.v[i].del ? NULL : pl.comment[i];
	if (ret == 0)
		ret = firewall_change(fw, pl.v, pl.n);
	if (ret == 0) {
		plan_done(&pl, w, b);
	} else {
		log_warnx("cannot bring the sets in step with the listeners: %s", strerror(-ret));
		w->out_of_step = 1;
	}
	plan_free(&pl);
	return ret;
}

int listenwatch_recompute(struct listenwatch *w, const struct policy_db *db)
{
	return listenpolicy_compute(&w->lp, &w->table, db);
}

/* The processes of sockets not named yet: asked of the thread beside the
 * worker when there is one (one request out at a time; the next look asks
 * for what is still unnamed), else looked for here. */
static int ask_names(struct listenwatch *w, time_t now)
{
	uint32_t *inodes;
	unsigned n;
	int ret;

	if (!w->namer)
		return listenscan_name(&w->table, now);
	inodes = malloc((w->table.n + 1) * sizeof(*inodes));
	if (!inodes)
		return -ENOMEM;
	n = listener_unnamed(&w->table, now, inodes, w->table.n);
	ret = n && !beside_naming(w->namer) ? beside_ask_names(w->namer, inodes, n) : 0;
	free(inodes);
	w->awaiting = n > 0;
	return ret < 0 ? ret : 0;
}

/* Sockets from sock_diag into the table: 1 when they (or, looked up
 * here, their owners) changed, 0 when not, -errno. */
static int look(struct listenwatch *w, time_t now)
{
	struct sock_list socks = { 0 };
	int ret = listenscan_dump(&w->diag, &socks), named;

	if (ret < 0)
		return ret;
	ret = listener_update(&w->table, &socks);
	if (ret < 0)
		return ret;
	named = ask_names(w, now);
	return named < 0 ? named : ret || named;
}

/* New facts: recomputed, and the kernel brought in step. */
static void apply(struct listenwatch *w, struct firewall *fw, const struct policy_db *db,
		  const struct listenwatch_blocked *blocked)
{
	if (listenwatch_recompute(w, db) < 0)
		return;
	if (!w->out_of_step)
		sync_kernel(w, fw, db, blocked);
}

int listenwatch_tick(struct listenwatch *w, const struct timespec *now, struct firewall *fw,
		     const struct policy_db *db, const struct listenwatch_blocked *blocked)
{
	long since = elapsed_ms(&w->last, now);
	int ret;

	/* asked for by packets: at most every LISTENWATCH_ASKED_MS, so that
	 * a flood of them (monitor mode queues every attempt) costs few dumps */
	if (since < (w->wanted ? LISTENWATCH_ASKED_MS : LISTENWATCH_INTERVAL_MS))
		return w->out_of_step ? -ESTALE : 0;
	w->wanted = 0;
	w->last = *now;
	ret = look(w, now->tv_sec);
	if (ret < 0) {
		log_warnx("cannot list listening sockets: %s", strerror(-ret));	/* the facts stay */
	} else if ((ret > 0 || w->apply_pending) && w->awaiting && !w->apply_pending) {
		/* a new socket whose process the thread is naming: a served
		 * port would leave @served until the answer comes, a moment
		 * later.  Applied with the answer, or at the next look */
		w->apply_pending = 1;
	} else if (ret > 0 || w->apply_pending) {
		w->apply_pending = 0;
		apply(w, fw, db, blocked);
	}
	return w->out_of_step ? -ESTALE : 0;
}

int listenwatch_named(struct listenwatch *w, time_t now, struct firewall *fw,
		      const struct policy_db *db, const struct listenwatch_blocked *blocked)
{
	struct beside_names *a = w->namer ? beside_take_names(w->namer) : NULL;
	int found;

	if (!a)
		return 0;
	found = listener_named(&w->table, a->v, a->n, a->denied, now);
	free(a);
	if (found || w->apply_pending) {
		w->apply_pending = 0;
		apply(w, fw, db, blocked);
	}
	return w->out_of_step ? -ESTALE : 0;
}

struct ruleset_elem *listenwatch_elems(struct listenwatch *w, const struct policy_db *db,
				       const struct listenwatch_blocked *blocked, unsigned *n,
				       char **comments)
{
	/* at most five elements a port: served, guarded (or its relabel, a
	 * delete and an add), lan_only, blocked */
	struct ruleset_elem *v = calloc(5 * w->lp.n + 1, sizeof(*v));
	char (*c)[NFTNL_UDATA_COMMENT_MAXLEN] = calloc(w->lp.n + 1, sizeof(*c));
	unsigned i, m = 0;

	*n = 0;
	*comments = (char *)c;
	if (!v || !c) {
		free(v);
		free(c);
		*comments = NULL;
		return NULL;
	}
	/* believed only once the kernel took them: listenwatch_commit() */
	clear_next(w);
	for (i = 0; i < w->lp.n; i++) {
		const struct listenpolicy_port *p = &w->lp.v[i];
		unsigned sets = listenpolicy_sets(p, db);
		uint8_t pr = p->proto;
		uint16_t po = p->port;

		if (!sets)
			continue;
		if (sets & LISTENPOLICY_SET_SERVED)
			served_comment(c[i], sizeof(c[i]), p);
		else
			listener_comment(c[i], sizeof(c[i]), p, db);
		if (sets & LISTENPOLICY_SET_SERVED) {
			v[m++] = (struct ruleset_elem){ RULESET_SET_SERVED, pr, po, c[i] };
			portmap_set(w->next_served, pr, po, 1);
		}
		if (sets & LISTENPOLICY_SET_GUARDED) {
			v[m++] = (struct ruleset_elem){ RULESET_SET_GUARDED, pr, po, c[i] };
			portmap_set(w->next_guarded, pr, po, 1);
			/* a port only the watcher guards keeps its block over a
			 * reload (a port a public server holds is served, never
			 * guarded: @blocked is matched before @served) */
			if (portmap_has(blocked->map, pr, po))
				v[m++] = (struct ruleset_elem){ RULESET_SET_BLOCKED, pr, po, c[i] };
		}
		if (sets & LISTENPOLICY_SET_RELABEL) {
			v[m++] = (struct ruleset_elem){ RULESET_SET_GUARDED, pr, po, NULL };
			v[m++] = (struct ruleset_elem){ RULESET_SET_GUARDED, pr, po, c[i] };
			portmap_set(w->next_relabel, pr, po, 1);
		}
		if (sets & LISTENPOLICY_SET_LAN) {
			v[m++] = (struct ruleset_elem){ RULESET_SET_LAN_ONLY, pr, po, c[i] };
			portmap_set(w->next_lan, pr, po, 1);
		}
		if (sets & LISTENPOLICY_SET_UNLAN) {
			v[m++] = (struct ruleset_elem){ RULESET_SET_LAN_ONLY, pr, po, NULL };
			portmap_set(w->next_unlan, pr, po, 1);
		}
	}
	*n = m;
	return v;
}

void listenwatch_commit(struct listenwatch *w, const struct policy_db *db)
{
	unsigned i;

	for (i = 0; i < w->lp.n; i++) {
		const struct listenpolicy_port *p = &w->lp.v[i];

		if (listenpolicy_sets(p, db) && !held(w, p->proto, p->port))
			log_decided(p, db);
	}
	portmap_copy(w->served, (const uint8_t (*)[PORTMAP_BYTES])w->next_served);
	portmap_copy(w->guarded, (const uint8_t (*)[PORTMAP_BYTES])w->next_guarded);
	portmap_copy(w->lan, (const uint8_t (*)[PORTMAP_BYTES])w->next_lan);
	portmap_copy(w->unlan, (const uint8_t (*)[PORTMAP_BYTES])w->next_unlan);
	portmap_copy(w->relabel, (const uint8_t (*)[PORTMAP_BYTES])w->next_relabel);
	w->out_of_step = 0;
}
