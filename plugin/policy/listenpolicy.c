// SPDX-License-Identifier: GPL-2.0-or-later
/* Served ports, policies by listener and dangerous software, from who
 * listens. */
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listenpolicy.h"

#define WORD_MAX 256

/* Copies the next space-separated word of *list into w; 0 at the end. */
static int next_word(const char **list, char *w, size_t cap)
{
	const char *p = *list;
	size_t n;

	if (!p)
		return 0;
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if (!n)
		return 0;
	snprintf(w, cap, "%.*s", (int)n, p);
	*list = p + n;
	return 1;
}

int listenpolicy_served_by(const char *patterns, const char *exe)
{
	char w[WORD_MAX];

	if (!exe || exe[0] != '/')
		return 0;
	while (next_word(&patterns, w, sizeof(w)))
		if (fnmatch(w, exe, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int name_matches(const char *programs, const char *path)
{
	const char *name = base_name(path);
	char w[WORD_MAX];

	if (!name[0])
		return 0;
	while (next_word(&programs, w, sizeof(w)))
		if (fnmatch(w, name, 0) == 0)
			return 1;
	return 0;
}

int listenpolicy_is_program(const char *programs, const struct proc_owner *o)
{
	const char *arg0 = procfd_next_arg(o, NULL);
	const char *arg1 = arg0 ? procfd_next_arg(o, arg0) : NULL;

	if (!programs)
		return 0;
	/* the executable for binaries; argv[1] for a script run by an
	 * interpreter ("python3 /usr/bin/jupyter-lab") */
	return name_matches(programs, o->exe) || (arg0 && name_matches(programs, arg0)) ||
	       (arg1 && name_matches(programs, arg1));
}

/* One NAME or NAME:ARG pattern: the name is the base name of the
 * executable, argv[0] or argv[1]; ARG any argument after the one named. */
static int name_arg_matches(const char *w, const struct proc_owner *o)
{
	const char *colon = strchr(w, ':');
	const char *arg0 = procfd_next_arg(o, NULL);
	const char *arg1 = arg0 ? procfd_next_arg(o, arg0) : NULL;
	const char *from, *a;
	char name[WORD_MAX];

	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - w) : (int)strlen(w), w);
	if (name_matches(name, o->exe) || (arg0 && name_matches(name, arg0)))
		from = arg0;
	else if (arg1 && name_matches(name, arg1))
		from = arg1;
	else
		return 0;
	if (!colon)
		return 1;
	for (a = from ? procfd_next_arg(o, from) : NULL; a; a = procfd_next_arg(o, a))
		if (fnmatch(colon + 1, a, 0) == 0)
			return 1;
	return 0;
}

int listenpolicy_listener_matches(const char *patterns, const struct proc_owner *o,
				  char *matched, size_t cap)
{
	char w[WORD_MAX];

	while (next_word(&patterns, w, sizeof(w))) {
		int hit = w[0] == '/' ? o->exe[0] == '/' && fnmatch(w, o->exe, FNM_PATHNAME) == 0
				      : name_arg_matches(w, o);

		if (!hit)
			continue;
		if (matched)
			snprintf(matched, cap, "%s", w);
		return 1;
	}
	return 0;
}

/* "9230", "0.0.0.0:9230", "[::]:9230": the port, or 0 (none named) */
static uint16_t value_port(const char *v)
{
	const char *colon = strrchr(v, ':'), *digits = colon ? colon + 1 : v;
	unsigned long port;
	char *end;

	if (!digits[0] || digits[0] < '0' || digits[0] > '9')
		return 0;
	port = strtoul(digits, &end, 10);
	if (*end || port < 1 || port > 65535)
		return 0;
	return (uint16_t)port;
}

/* One argument against one option: 1 when it is the option, with the port
 * it names (or 0) in *port; *used_next when the port came from next. */
static int match_option(const char *opt, const char *arg, const char *next, uint16_t *port,
			int *used_next)
{
	size_t n = strlen(opt);

	*port = 0;
	*used_next = 0;
	if (strncmp(arg, opt, n))
		return 0;
	if (arg[n] == '=') {
		*port = value_port(arg + n + 1);
		return 1;
	}
	if (arg[n])
		return 0;	/* another option that starts alike: --inspect-brk */
	if (next && (*port = value_port(next)) != 0)
		*used_next = 1;
	return 1;
}

uint16_t listenpolicy_option_port(const char *options, const struct proc_owner *o, uint16_t dflt)
{
	const char *arg, *next;
	uint16_t named = 0;
	int given = 0;

	for (arg = procfd_next_arg(o, NULL); arg; arg = next) {
		const char *list = options;
		char w[WORD_MAX];

		next = procfd_next_arg(o, arg);
		while (next_word(&list, w, sizeof(w))) {
			uint16_t port;
			int used_next;

			if (!match_option(w, arg, next, &port, &used_next))
				continue;
			given = 1;
			if (port)
				named = port;	/* the last one named wins, as in node */
			if (used_next)
				next = procfd_next_arg(o, next);
			break;
		}
	}
	if (!given)
		return 0;
	return named ? named : dflt;
}

const struct listenpolicy_port *listenpolicy_get(const struct listenpolicy *lp, uint8_t proto,
						 uint16_t port)
{
	uint16_t i;

	if (!lp->index || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NULL;
	i = lp->index[(proto == IPPROTO_UDP ? 65536u : 0u) + port];
	return i ? &lp->v[i - 1] : NULL;
}

static struct listenpolicy_port *port_of(struct listenpolicy *lp, uint8_t proto, uint16_t port)
{
	uint16_t *i = &lp->index[(proto == IPPROTO_UDP ? 65536u : 0u) + port];

	if (*i)
		return &lp->v[*i - 1];
	if (lp->n == lp->cap) {
		unsigned cap = lp->cap ? lp->cap * 2 : 16;
		struct listenpolicy_port *v;

		if (cap > 65535 || !(v = realloc(lp->v, cap * sizeof(*v))))
			return NULL;
		lp->v = v;
		lp->cap = cap;
	}
	memset(&lp->v[lp->n], 0, sizeof(lp->v[0]));
	lp->v[lp->n].proto = proto;
	lp->v[lp->n].port = port;
	*i = (uint16_t)++lp->n;
	return &lp->v[lp->n - 1];
}

/* The policy one socket's listener gives its port under e, and the line
 * that said so in rule. */
static enum policy_kind socket_kind(const struct policy_entry *e, const struct listener *l,
				    char *rule, size_t cap)
{
	char m[WORD_MAX];

	rule[0] = '\0';
	if (!l->owner.pid)
		return (enum policy_kind)e->kind;	/* nobody to judge: the entry's */
	if (e->listen_loopback && listenpolicy_listener_matches(e->listen_loopback, &l->owner, m, sizeof(m))) {
		snprintf(rule, cap, "listener loopback-only %.60s", m);
		return POLICY_LOOPBACK_ONLY;
	}
	if (e->listen_lan && listenpolicy_listener_matches(e->listen_lan, &l->owner, m, sizeof(m))) {
		snprintf(rule, cap, "listener lan-only %.60s", m);
		return POLICY_LAN_ONLY;
	}
	if (e->served_by && listenpolicy_served_by(e->served_by, l->owner.exe)) {
		snprintf(rule, cap, "listener open %.60s", l->owner.exe);
		return POLICY_OPEN;
	}
	return (enum policy_kind)e->kind;
}

/* The port's own entry names listeners: every socket outsiders could reach
 * gives the port a policy (its listener's line, else the entry's), and the
 * strictest of them decides (loopback-only over lan-only over open). */
static void find_listener(struct listenpolicy *lp, const struct listener_table *t,
			  const struct policy_db *db, const struct listener *first)
{
	const struct policy_entry *e = policy_lookup(db, first->sock.proto, first->sock.port);
	const struct listener *l, *by = NULL;
	enum policy_kind kind = POLICY_OPEN;
	char rule[LISTENPOLICY_RULE_MAX] = "", r[LISTENPOLICY_RULE_MAX];
	struct listenpolicy_port *p;

	/* only the first socket of each port speaks for the port */
	if (!e || !policy_has_listener_rules(e) ||
	    listener_first(t, first->sock.proto, first->sock.port) != first)
		return;
	for (l = first; l; l = listener_next(t, l)) {
		enum policy_kind k;

		if (sockdiag_is_loopback(&l->sock))
			continue;
		k = socket_kind(e, l, r, sizeof(r));
		if (!by || k > kind) {
			kind = k;
			by = l;
			memcpy(rule, r, sizeof(rule));
		}
	}
	if (!by || kind == (enum policy_kind)e->kind || !(p = port_of(lp, first->sock.proto, first->sock.port)))
		return;
	memcpy(p->rule, rule, sizeof(p->rule));
	if (kind == POLICY_OPEN) {
		p->served = e;
		snprintf(p->who, sizeof(p->who), "%s", by->owner.exe);
		return;
	}
	p->ruled = e;
	p->kind = (uint8_t)kind;
	snprintf(p->who, sizeof(p->who), "%.40s[%d]", by->owner.comm, by->owner.pid);
}

/* The entry of dangerous software this socket belongs to, if any. */
static const struct policy_entry *dangerous(const struct policy_db *db, const struct listener *l)
{
	unsigned i;

	for (i = 0; i < db->nentries; i++) {
		const struct policy_entry *e = &db->entries[i];

		if (!e->programs || e->kind == POLICY_OPEN ||
		    !listenpolicy_is_program(e->programs, &l->owner))
			continue;
		/* with options, only the socket the option names */
		if (e->options && listenpolicy_option_port(e->options, &l->owner, e->lo) != l->sock.port)
			continue;
		return e;
	}
	return NULL;
}

static void find_guard(struct listenpolicy *lp, const struct policy_db *db,
		       const struct listener *l)
{
	const struct policy_entry *own = policy_lookup(db, l->sock.proto, l->sock.port);
	const struct policy_entry *e;
	struct listenpolicy_port *p;

	/* ports their own entry guards keep it, and so do ports whose own
	 * entry's listener line decided */
	if (!l->owner.pid || sockdiag_is_loopback(&l->sock) || (own && own->kind != POLICY_OPEN))
		return;
	p = (struct listenpolicy_port *)listenpolicy_get(lp, l->sock.proto, l->sock.port);
	if (p && (p->guard || p->ruled || p->served))
		return;
	e = dangerous(db, l);
	if (!e || !(p = port_of(lp, l->sock.proto, l->sock.port)))
		return;
	p->guard = e;
	snprintf(p->who, sizeof(p->who), "%.40s[%d]", l->owner.comm, l->owner.pid);
}

int listenpolicy_compute(struct listenpolicy *lp, const struct listener_table *t,
			 const struct policy_db *db)
{
	struct listenpolicy next = { 0 };
	int has_programs = 0;
	unsigned i;

	next.index = calloc(2 * 65536, sizeof(*next.index));
	if (!next.index)
		return -ENOMEM;
	for (i = 0; i < db->nentries && !has_programs; i++)
		has_programs = db->entries[i].programs && db->entries[i].kind != POLICY_OPEN;
	/* every port's own listener lines first: they outrank program */
	for (i = 0; i < t->n; i++)
		find_listener(&next, t, db, &t->v[i]);
	for (i = 0; has_programs && i < t->n; i++)
		find_guard(&next, db, &t->v[i]);
	listenpolicy_free(lp);
	*lp = next;
	return 0;
}

enum policy_kind listenpolicy_kind(const struct listenpolicy_port *p, const struct policy_db *db)
{
	enum policy_kind own = policy_kind_of(db, p->proto, p->port);

	if (p->served)
		return POLICY_OPEN;
	if (p->ruled)
		return (enum policy_kind)p->kind;
	if (p->guard && own == POLICY_OPEN)
		return (enum policy_kind)p->guard->kind;
	return own;
}

unsigned listenpolicy_sets(const struct listenpolicy_port *p, const struct policy_db *db)
{
	enum policy_kind own = policy_kind_of(db, p->proto, p->port);
	enum policy_kind now = listenpolicy_kind(p, db);

	if (p->served)
		return LISTENPOLICY_SET_SERVED;
	if (now == own || now == POLICY_OPEN)
		return 0;
	if (own == POLICY_OPEN)
		return LISTENPOLICY_SET_GUARDED | (now == POLICY_LAN_ONLY ? LISTENPOLICY_SET_LAN : 0);
	return LISTENPOLICY_SET_RELABEL |
	       (now == POLICY_LAN_ONLY ? LISTENPOLICY_SET_LAN : LISTENPOLICY_SET_UNLAN);
}

void listenpolicy_free(struct listenpolicy *lp)
{
	free(lp->v);
	free(lp->index);
	memset(lp, 0, sizeof(*lp));
}
