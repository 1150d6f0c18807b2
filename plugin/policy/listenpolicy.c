// SPDX-License-Identifier: GPL-2.0-or-later
/* Served ports and dangerous software, from who listens. */
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

/* Every socket of the port that outsiders could reach is held by one of
 * the entry's served-by executables. */
static const char *served_by(const struct listener_table *t, const struct listener *first,
			     const struct policy_entry *e)
{
	const struct listener *l;
	const char *by = NULL;

	for (l = first; l; l = listener_next(t, l)) {
		if (sockdiag_is_loopback(&l->sock))
			continue;
		if (!l->owner.pid || !listenpolicy_served_by(e->served_by, l->owner.exe))
			return NULL;
		by = by ? by : l->owner.exe;
	}
	return by;
}

static void find_served(struct listenpolicy *lp, const struct listener_table *t,
			const struct policy_db *db, const struct listener *l)
{
	const struct policy_entry *e = policy_lookup(db, l->sock.proto, l->sock.port);
	struct listenpolicy_port *p;
	const char *by;

	/* only the first socket of each port speaks for the port */
	if (!e || !e->served_by || e->kind == POLICY_OPEN ||
	    listener_first(t, l->sock.proto, l->sock.port) != l)
		return;
	by = served_by(t, l, e);
	if (!by || !(p = port_of(lp, l->sock.proto, l->sock.port)))
		return;
	p->served = e;
	snprintf(p->who, sizeof(p->who), "%s", by);
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

	/* ports their own entry guards keep it */
	if (!l->owner.pid || sockdiag_is_loopback(&l->sock) || (own && own->kind != POLICY_OPEN))
		return;
	e = dangerous(db, l);
	if (!e || !(p = port_of(lp, l->sock.proto, l->sock.port)) || p->guard)
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
	for (i = 0; i < t->n; i++) {
		find_served(&next, t, db, &t->v[i]);
		if (has_programs)
			find_guard(&next, db, &t->v[i]);
	}
	listenpolicy_free(lp);
	*lp = next;
	return 0;
}

void listenpolicy_free(struct listenpolicy *lp)
{
	free(lp->v);
	free(lp->index);
	memset(lp, 0, sizeof(*lp));
}
