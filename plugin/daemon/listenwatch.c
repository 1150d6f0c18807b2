// SPDX-License-Identifier: GPL-2.0-or-later
/* Keeping the kernel's sets in step with who listens. */
#include <errno.h>
#include <libnftnl/udata.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elapsed.h"
#include "listenwatch.h"
#include "log.h"
#include "packet.h"

#define NOTE_MAX 512

int listenwatch_open(struct listenwatch *w)
{
	memset(w, 0, sizeof(*w));
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

/* What one sync changes: set elements, and a line for the log each. */
struct plan {
	struct firewall_change *v;
	char (*comment)[NFTNL_UDATA_COMMENT_MAXLEN];
	char (*note)[NOTE_MAX];
	unsigned n, cap;
};

static int plan_add(struct plan *p, const char *set, uint8_t proto, uint16_t port, int del,
		    const char *comment, const char *note)
{
	if (p->n == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 16;
		struct firewall_change *v = realloc(p->v, cap * sizeof(*v));
		char (*c)[NFTNL_UDATA_COMMENT_MAXLEN];
		char (*t)[NOTE_MAX];

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
		p->cap = cap;
	}
	snprintf(p->comment[p->n], sizeof(p->comment[0]), "%s", comment ? comment : "");
	snprintf(p->note[p->n], sizeof(p->note[0]), "%s", note ? note : "");
	p->v[p->n] = (struct firewall_change){ { set, proto, port, NULL }, del };
	p->n++;
	return 0;
}

static void plan_free(struct plan *p)
{
	free(p->v);
	free(p->comment);
	free(p->note);
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

static void guard_comment(char *out, size_t cap, const struct listenpolicy_port *p)
{
	char where[64];

	entry_where(where, sizeof(where), p->guard);
	snprintf(out, cap, "%.24s %s (%.32s): %.40s listens", p->guard->service,
		 policy_kind_name(p->guard->kind), where, p->who);
}

static void served_note(char *out, size_t cap, const struct listenpolicy_port *p)
{
	char where[64];

	entry_where(where, sizeof(where), p->served);
	snprintf(out, cap, "served %u/%s by %s (%s, %.64s): accepted while it listens", p->port,
		 proto_name(p->proto), p->who, p->served->service, where);
}

static void guard_note(char *out, size_t cap, const struct listenpolicy_port *p)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN];

	guard_comment(comment, sizeof(comment), p);
	snprintf(out, cap, "guarding %u/%s: %s", p->port, proto_name(p->proto), comment);
}

static void log_served(const struct listenpolicy_port *p)
{
	char note[NOTE_MAX];

	served_note(note, sizeof(note), p);
	log_info("%s", note);
}

static void log_guard(const struct listenpolicy_port *p)
{
	char note[NOTE_MAX];

	guard_note(note, sizeof(note), p);
	log_info("%s", note);
}

static int plan_new(struct plan *pl, struct listenwatch *w, const struct listenwatch_blocked *b)
{
	char comment[NFTNL_UDATA_COMMENT_MAXLEN], note[NOTE_MAX];
	unsigned i;
	int ret = 0;

	for (i = 0; ret == 0 && i < w->lp.n; i++) {
		const struct listenpolicy_port *p = &w->lp.v[i];

		if (p->served && !portmap_has(w->served, p->proto, p->port)) {
			served_comment(comment, sizeof(comment), p);
			served_note(note, sizeof(note), p);
			ret = plan_add(pl, RULESET_SET_SERVED, p->proto, p->port, 0, comment, note);
			if (ret == 0 && portmap_has(b->map, p->proto, p->port)) {
				snprintf(note, sizeof(note), "unblocked %u/%s: now served by %s", p->port,
					 proto_name(p->proto), p->who);
				ret = plan_add(pl, RULESET_SET_BLOCKED, p->proto, p->port, 1, NULL, note);
			}
		}
		if (ret == 0 && p->guard && !portmap_has(w->guarded, p->proto, p->port)) {
			guard_comment(comment, sizeof(comment), p);
			guard_note(note, sizeof(note), p);
			ret = plan_add(pl, RULESET_SET_GUARDED, p->proto, p->port, 0, comment, note);
			if (ret == 0 && p->guard->kind == POLICY_LAN_ONLY)
				ret = plan_add(pl, RULESET_SET_LAN_ONLY, p->proto, p->port, 0, comment, NULL);
		}
	}
	return ret;
}

/* Elements the kernel holds that the facts no longer call for. */
static int plan_gone(struct plan *pl, struct listenwatch *w, const struct listenwatch_blocked *b)
{
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	char note[NOTE_MAX];
	unsigned i, port;
	int ret = 0;

	for (i = 0; i < 2; i++)
		for (port = 0; ret == 0 && port < 65536; port++) {
			uint8_t pr = protos[i];
			uint16_t po = (uint16_t)port;
			const struct listenpolicy_port *p;

			if (!w->served[i][port / 8] && !w->guarded[i][port / 8]) {
				port |= 7;	/* nothing in this byte */
				continue;
			}
			p = listenpolicy_get(&w->lp, pr, po);
			if (portmap_has(w->served, pr, po) && !(p && p->served)) {
				snprintf(note, sizeof(note), "%u/%s no longer served: its listener changed",
					 port, proto_name(pr));
				ret = plan_add(pl, RULESET_SET_SERVED, pr, po, 1, NULL, note);
			}
			if (ret || !portmap_has(w->guarded, pr, po) || (p && p->guard))
				continue;
			snprintf(note, sizeof(note), "%u/%s no longer guarded: the software that made it "
				 "dangerous stopped listening", port, proto_name(pr));
			ret = plan_add(pl, RULESET_SET_GUARDED, pr, po, 1, NULL, note);
			if (ret == 0 && portmap_has(w->lan, pr, po))
				ret = plan_add(pl, RULESET_SET_LAN_ONLY, pr, po, 1, NULL, NULL);
			if (ret == 0 && portmap_has(b->map, pr, po))
				ret = plan_add(pl, RULESET_SET_BLOCKED, pr, po, 1, NULL, NULL);
		}
	return ret;
}

/* The transaction went through: remember what the kernel holds now. */
static void plan_done(struct plan *pl, struct listenwatch *w, const struct listenwatch_blocked *b)
{
	unsigned i;

	for (i = 0; i < pl->n; i++) {
		const struct firewall_change *c = &pl->v[i];
		const char *set = c->elem.set;
		uint8_t (*map)[PORTMAP_BYTES] = !strcmp(set, RULESET_SET_SERVED) ? w->served :
					    !strcmp(set, RULESET_SET_GUARDED) ? w->guarded :
					    !strcmp(set, RULESET_SET_LAN_ONLY) ? w->lan : b->map;

		if (map == b->map && c->del && portmap_has(map, c->elem.proto, c->elem.port))
			(*b->count)--;
		portmap_set(map, c->elem.proto, c->elem.port, !c->del);
		if (pl->note[i][0])
			log_info("%s", pl->note[i]);
	}
}

static int sync_kernel(struct listenwatch *w, struct firewall *fw,
		       const struct listenwatch_blocked *b)
{
	struct plan pl = { 0 };
	unsigned i;
	int ret;

	ret = plan_new(&pl, w, b);
	if (ret == 0)
		ret = plan_gone(&pl, w, b);
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

int listenwatch_tick(struct listenwatch *w, const struct timespec *now, struct firewall *fw,
		     const struct policy_db *db, const struct listenwatch_blocked *blocked)
{
	long since = elapsed_ms(&w->last, now);
	int ret;

	/* asked for by packets: at most every LISTENWATCH_ASKED_MS, so that
	 * a flood of them (monitor mode queues every attempt) costs few dumps */
	if (since < (w->wanted ? LISTENWATCH_ASKED_MS : LISTENWATCH_INTERVAL_MS))
		return 0;
	w->wanted = 0;
	w->last = *now;
	ret = listener_refresh(&w->table, &w->diag, now->tv_sec);
	if (ret < 0) {
		log_warnx("cannot list listening sockets: %s", strerror(-ret));
		ret = 0;	/* the facts stay as they were */
	} else if (ret > 0 && listenwatch_recompute(w, db) < 0) {
		ret = 0;
	}
	if (ret > 0 && !w->out_of_step)
		sync_kernel(w, fw, blocked);
	return w->out_of_step ? -ESTALE : 0;
}

struct ruleset_elem *listenwatch_elems(struct listenwatch *w, const struct policy_db *db,
				       const struct listenwatch_blocked *blocked, unsigned *n,
				       char **comments)
{
	struct ruleset_elem *v = calloc(3 * w->lp.n + 1, sizeof(*v));
	char (*c)[NFTNL_UDATA_COMMENT_MAXLEN] = calloc(3 * w->lp.n + 1, sizeof(*c));
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
	memset(w->next_served, 0, sizeof(w->next_served));
	memset(w->next_guarded, 0, sizeof(w->next_guarded));
	memset(w->next_lan, 0, sizeof(w->next_lan));
	for (i = 0; i < w->lp.n; i++) {
		const struct listenpolicy_port *p = &w->lp.v[i];
		const struct policy_entry *own = policy_lookup(db, p->proto, p->port);

		if (p->served) {
			served_comment(c[m], sizeof(c[m]), p);
			v[m] = (struct ruleset_elem){ RULESET_SET_SERVED, p->proto, p->port, c[m] };
			m++;
			portmap_set(w->next_served, p->proto, p->port, 1);
		}
		if (!p->guard)
			continue;
		guard_comment(c[m], sizeof(c[m]), p);
		v[m] = (struct ruleset_elem){ RULESET_SET_GUARDED, p->proto, p->port, c[m] };
		m++;
		portmap_set(w->next_guarded, p->proto, p->port, 1);
		if (p->guard->kind == POLICY_LAN_ONLY) {
			v[m] = (struct ruleset_elem){ RULESET_SET_LAN_ONLY, p->proto, p->port, c[m - 1] };
			m++;
			portmap_set(w->next_lan, p->proto, p->port, 1);
		}
		/* a port only the watcher guards keeps its block over a
		 * reload, unless a public server holds it now: @blocked is
		 * matched before @served */
		if (portmap_has(blocked->map, p->proto, p->port) && (!own || own->kind == POLICY_OPEN) &&
		    !p->served) {
			v[m] = (struct ruleset_elem){ RULESET_SET_BLOCKED, p->proto, p->port, c[m - 1] };
			m++;
		}
	}
	*n = m;
	return v;
}

void listenwatch_commit(struct listenwatch *w)
{
	unsigned i;

	for (i = 0; i < w->lp.n; i++) {
		const struct listenpolicy_port *p = &w->lp.v[i];

		if (p->served && !portmap_has(w->served, p->proto, p->port))
			log_served(p);
		if (p->guard && !portmap_has(w->guarded, p->proto, p->port))
			log_guard(p);
	}
	memcpy(w->served, w->next_served, sizeof(w->served));
	memcpy(w->guarded, w->next_guarded, sizeof(w->guarded));
	memcpy(w->lan, w->next_lan, sizeof(w->lan));
	w->out_of_step = 0;
}
