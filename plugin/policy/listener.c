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

const struct listener *listener_first(const struct listener_table *t, uint8_t proto,
				      uint16_t port)
{
	uint32_t i;

	if (!t->head || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
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
 * need their owner looked for now. */
static unsigned carry_over(struct listener *v, unsigned n, const struct listener_table *old,
			   time_t now, unsigned *changes)
{
	const struct listener **sorted = NULL;
	unsigned i, todo = 0, kept = 0;

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
		if (!v[i].owner.pid && v[i].retry <= now)
			todo++;
	}
	*changes = (n - kept) + (old->n - kept);
	free(sorted);
	return todo;
}

/* One pass over /proc for every socket whose owner is wanted now. */
static unsigned resolve(struct listener *v, unsigned n, time_t now)
{
	struct proc_owner *want = calloc(n, sizeof(*want));
	unsigned i, m = 0, denied;

	if (!want)
		return 0;
	for (i = 0; i < n; i++)
		if (!v[i].owner.pid && v[i].retry <= now)
			want[m++].inode = v[i].sock.inode;
	denied = procfd_find(want, m);
	for (i = 0, m = 0; i < n; i++) {
		if (v[i].owner.pid || v[i].retry > now)
			continue;
		v[i].owner = want[m++];
		if (!v[i].owner.pid)
			v[i].retry = now + RETRY_SECONDS;
	}
	free(want);
	return denied;
}

int listener_update(struct listener_table *t, struct sock_list *socks, time_t now)
{
	struct listener *v = calloc(socks->n + 1, sizeof(*v));
	unsigned i, changes, todo;

	if (!v)
		return -ENOMEM;
	if (!t->head && !(t->head = calloc(2 * 65536, sizeof(*t->head)))) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < socks->n; i++) {
		v[i].sock = socks->v[i];
		/* never looked for: it stays unknown, and costs no walk */
		if (t->want && !t->want(t->want_ctx, &v[i].sock))
			v[i].retry = NEVER;
	}
	todo = carry_over(v, socks->n, t, now, &changes);
	if (todo)
		t->denied = resolve(v, socks->n, now);
	for (i = 0; i < t->n; i++)
		t->head[slot(t->v[i].sock.proto, t->v[i].sock.port)] = 0;
	/* linked in reverse, so each port's list is in dump order */
	for (i = socks->n; i-- > 0;) {
		uint32_t *h = &t->head[slot(v[i].sock.proto, v[i].sock.port)];

		v[i].next = *h;
		*h = i + 1;
	}
	free(t->v);
	t->v = v;
	t->n = t->cap = socks->n;
	t->changes += changes;
	sockdiag_free(socks);
	/* an owner found late changes what the port's listener means too */
	return changes || todo ? 1 : 0;
}

int listener_refresh(struct listener_table *t, struct nlsock *nl, time_t now)
{
	struct sock_list socks = { 0 };
	int ret = sockdiag_list(nl, IPPROTO_TCP, &socks);

	if (ret == 0)
		ret = sockdiag_list(nl, IPPROTO_UDP, &socks);
	if (ret < 0) {
		sockdiag_free(&socks);
		return ret;
	}
	return listener_update(t, &socks, now);
}

void listener_table_free(struct listener_table *t)
{
	free(t->v);
	free(t->head);
	memset(t, 0, sizeof(*t));
}
