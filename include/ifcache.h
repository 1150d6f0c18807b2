/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_IFCACHE_H
#define PORTWARDEN_IFCACHE_H

#include <net/if.h>
#include <stdint.h>
#include <time.h>

/* Interface index to name, cached: the queue hot path must not pay three
 * system calls per packet for if_indextoname(). */

#define IFCACHE_SLOTS 64
#define IFCACHE_TTL 10	/* seconds; interfaces can be renamed */

struct ifcache {
	struct {
		uint32_t ifindex;
		time_t expires;
		char name[IF_NAMESIZE];
	} slot[IFCACHE_SLOTS];
};

/* "" when the index is 0 or unknown */
const char *ifcache_name(struct ifcache *c, uint32_t ifindex, time_t now);
/* Forgets every name: links changed (rtnetlink said so), a name may be
 * stale before its TTL runs out. */
void ifcache_forget(struct ifcache *c);

#endif
