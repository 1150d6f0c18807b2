// SPDX-License-Identifier: GPL-2.0-or-later
/* The host's links, sorted by ifindex (the kernel hands out rising
 * numbers, so a new link is mostly appended), each with its addresses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lanhost.h"

/* The position of ifindex, or of where it would go */
static unsigned position(const struct lan_host *h, uint32_t ifindex)
{
	unsigned lo = 0, hi = h->nlinks;

	if (hi && h->links[hi - 1].ifindex < ifindex)
		return hi;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (h->links[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct lan_link *lanhost_find(const struct lan_host *h, uint32_t ifindex)
{
	unsigned i = position(h, ifindex);

	return i < h->nlinks && h->links[i].ifindex == ifindex ? &h->links[i] : NULL;
}

struct lan_link *lanhost_add(struct lan_host *h, uint32_t ifindex)
{
	unsigned i = position(h, ifindex);

	if (i < h->nlinks && h->links[i].ifindex == ifindex)
		return &h->links[i];
	if (h->nlinks == h->cap) {
		unsigned cap = h->cap ? 2 * h->cap : 64;
		struct lan_link *grown = realloc(h->links, cap * sizeof(*grown));

		if (!grown) {
			h->left_out++;
			return NULL;
		}
		h->links = grown;
		h->cap = cap;
	}
	memmove(&h->links[i + 1], &h->links[i], (h->nlinks - i) * sizeof(h->links[0]));
	h->nlinks++;
	memset(&h->links[i], 0, sizeof(h->links[i]));
	h->links[i].ifindex = ifindex;
	return &h->links[i];
}

void lanhost_del(struct lan_host *h, uint32_t ifindex)
{
	struct lan_link *l = lanhost_find(h, ifindex);
	unsigned i;

	if (!l)
		return;
	i = (unsigned)(l - h->links);
	free(l->addrs);
	memmove(l, l + 1, (h->nlinks - i - 1) * sizeof(*l));
	h->nlinks--;
}

static int same_addr(const struct lan_addr *a, const struct lan_addr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

int lanhost_addr_add(struct lan_host *h, struct lan_link *l, const struct lan_addr *a)
{
	unsigned i;

	for (i = 0; i < l->naddrs; i++)
		if (same_addr(&l->addrs[i], a))
			return 0;
	if (l->naddrs == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 4;
		struct lan_addr *grown = realloc(l->addrs, cap * sizeof(*grown));

		if (!grown) {
			h->left_out++;
			return -ENOMEM;
		}
		l->addrs = grown;
		l->cap = cap;
	}
	l->addrs[l->naddrs++] = *a;
	return 0;
}

void lanhost_addr_del(struct lan_link *l, const struct lan_addr *a)
{
	unsigned i;

	for (i = 0; i < l->naddrs; i++)
		if (same_addr(&l->addrs[i], a)) {
			l->addrs[i] = l->addrs[--l->naddrs];
			return;
		}
}

void lanhost_clear(struct lan_host *h)
{
	unsigned i;

	for (i = 0; i < h->nlinks; i++)
		free(h->links[i].addrs);
	h->nlinks = 0;
	h->left_out = 0;
}

void lanhost_free(struct lan_host *h)
{
	lanhost_clear(h);
	free(h->links);
	free(h->nm);
	memset(h, 0, sizeof(*h));
}

const struct zone_nm *lanhost_nm(const struct lan_host *h, const char *ifname)
{
	unsigned i;

	for (i = 0; i < h->nnm; i++)
		if (!strcmp(h->nm[i].ifname, ifname))
			return &h->nm[i];
	return NULL;
}
