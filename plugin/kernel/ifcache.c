// SPDX-License-Identifier: GPL-2.0-or-later
/* A small direct-mapped cache of interface names. */
#include <string.h>

#include "ifcache.h"

const char *ifcache_name(struct ifcache *c, uint32_t ifindex, time_t now)
{
	typeof(c->slot[0]) *s = &c->slot[ifindex % IFCACHE_SLOTS];

	if (ifindex == 0)
		return "";
	if (s->ifindex == ifindex && s->expires > now)
		return s->name;
	if (!if_indextoname(ifindex, s->name)) {
		s->ifindex = 0;
		return "";
	}
	s->ifindex = ifindex;
	s->expires = now + IFCACHE_TTL;
	return s->name;
}

void ifcache_forget(struct ifcache *c)
{
	memset(c, 0, sizeof(*c));
}
