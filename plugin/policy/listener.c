// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of listening sockets and their processes. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listener.h"
#include "portmap.h"

/* an owner not found is looked for again after this long: kernel sockets
 * (nfsd, lockd) have none, and each look is a walk over /proc */
#define RETRY_SECONDS 10
#define NEVER ((time_t)1 << 62)	/* retry time of a socket not wanted */

static unsigned slot(uint8_t proto, uint16_t port)
{
	return (unsigned)portmap_slot(proto) * 65536u + port;
}

/* Only TCP and UDP sockets are looked up by port: a UDP-Lite, SCTP or DCCP
 * socket (audit lists them) is named and kept, never taken for one of
 * them */
static int by_port(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

const struct listener *listener_first(const struct listener_table *t, uint8_t proto,
				      uint16_t port)
{
	uint32_t i;

	if (!t->head || !by_port(proto))
		return NULL;
	i = t->head[slot(proto, port)];
	return i ? &t->v[i - 1] : NULL;
}

const struct listener *listener_next(const struct listener_table *t, const struct listener *l)
{
	return l->next ? &t->v[l->next - 1] : NULL;
}

const char *listener_describe(const struct listener_table *t, uint8_t proto, uint16_t port,
			      char *buf, size_t cap)
{
	const struct listener *l;

	buf[0] = '\0';
	for (l = listener_first(t, proto, port); l; l = listener_next(t, l))
		if (l->owner.pid) {
			snprintf(buf, cap, "%.40s[%d]", l->owner.comm, l->owner.pid);
			break;
		}
	return buf;
}

static int by_inode(const void *a, const void *b)
{
	const struct listener *x = *(const struct listener *const *)a;
	const struct listener *y = *(const struct listener *const *)b;

	return x->sock.inode < y->sock.inode ? -1 : x->sock.inode > y->sock.inode;
}

static const struct listener *find_inode(const struct listener **sorted, unsigned n,
					 uint32_t inode)
{
	struct listener key;
	const struct listener *k = &key, **hit;

	key.sock.inode = inode;
	hit = bsearch(&k, sorted, n, sizeof(*sorted), by_inode);
	return hit ? *hit : NULL;
}

/* Copies what the old table knew of each socket; returns how many sockets
 * came or went. */
static unsigned carry_over(struct listener *v, unsigned n, const struct listener_table *old)
{
	const struct listener **sorted = NULL;
	unsigned i, kept = 0;

	if (old->n && (sorted = malloc(old->n * sizeof(*sorted))) != NULL) {
		for (i = 0; i < old->n; i++)
			sorted[i] = &old->v[i];
		qsort(sorted, old->n, sizeof(*sorted), by_inode);
	}
	for (i = 0; i < n; i++) {
		const struct listener *was = sorted ? find_inode(sorted, old->n, v[i].sock.inode) : NULL;

		if (was && was->sock.port == v[i].sock.port && was->sock.proto == v[i].sock.proto) {
			v[i].owner = was->owner;
			if (v[i].retry != NEVER)	/* wanted now */
				v[i].retry = was->retry == NEVER ? 0 : was->retry;
			kept++;
		} else {
			v[i].owner.inode = v[i].sock.inode;
		}
	}
	free(sorted);
	return (n - kept) + (old->n - kept);
}

static int wanted_now(const struct listener *l, time_t now)
{
	return !l->owner.pid && l->retry <= now;
}

unsigned listener_unnamed(const struct listener_table *t, time_t now, uint32_t *inodes,
			  unsigned cap)
{
	unsigned i, m = 0;

	for (i = 0; i < t->n && m < cap; i++)
		if (wanted_now(&t->v[i], now))
			inodes[m++] = t->v[i].sock.inode;
	return m;
}

int listener_named(struct listener_table *t, const struct proc_owner *owners, unsigned n,
		   unsigned denied, time_t now)
{
	const struct listener **sorted;
	unsigned i;
	int found = 0;

	t->denied = denied;
	if (!t->n || !n || !(sorted = malloc(t->n * sizeof(*sorted))))
		return 0;
	for (i = 0; i < t->n; i++)
		sorted[i] = &t->v[i];
	qsort(sorted, t->n, sizeof(*sorted), by_inode);
	for (i = 0; i < n; i++) {
		struct listener *l = (struct listener *)find_inode(sorted, t->n, owners[i].inode);

		/* gone since it was asked for, or named meanwhile */
		if (!l || l->owner.pid)
			continue;
		if (owners[i].pid) {
			l->owner = owners[i];
			found = 1;
		} else {
			l->retry = now + RETRY_SECONDS;
		}
	}
	free(sorted);
	return found;
}

int listener_update(struct listener_table *t, struct sock_list *socks)
{
	struct listener *v = calloc(socks->n + 1, sizeof(*v));
	unsigned i, changes;

	if (!v || (!t->head && !(t->head = calloc(2 * 65536, sizeof(*t->head))))) {
		free(v);
		sockdiag_free(socks);
		return -ENOMEM;
	}
	for (i = 0; i < socks->n; i++) {
		v[i].sock = socks->v[i];
		/* never looked for: it stays unknown, and costs no walk */
		if (t->want && !t->want(t->want_ctx, &v[i].sock))
			v[i].retry = NEVER;
	}
	changes = carry_over(v, socks->n, t);
	for (i = 0; i < t->n; i++)
		if (by_port(t->v[i].sock.proto))
			t->head[slot(t->v[i].sock.proto, t->v[i].sock.port)] = 0;
	/* linked in reverse, so each port's list is in dump order */
	for (i = socks->n; i-- > 0;) {
		uint32_t *h;

		if (!by_port(v[i].sock.proto))
			continue;
		h = &t->head[slot(v[i].sock.proto, v[i].sock.port)];
		v[i].next = *h;
		*h = i + 1;
	}
	free(t->v);
	t->v = v;
	t->n = t->cap = socks->n;
	t->changes += changes;
	sockdiag_free(socks);
	return changes ? 1 : 0;
}

void listener_table_free(struct listener_table *t)
{
	free(t->v);
	free(t->head);
	memset(t, 0, sizeof(*t));
}
