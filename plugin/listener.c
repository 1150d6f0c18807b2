// SPDX-License-Identifier: GPL-2.0-or-later
/* Which process a blocked connection was headed for. */
#include <stdio.h>
#include <string.h>

#include "listener.h"
#include "procfd.h"
#include "sockdiag.h"

static void lookup(uint8_t proto, uint16_t port, char *out, size_t cap)
{
	struct sock_list socks = { 0 };
	struct proc_owner owner = { 0 };
	unsigned i;

	out[0] = '\0';
	if (sockdiag_list(proto, &socks) < 0)
		goto out;
	/* the first socket on the port names the service; IPv4 and IPv6
	 * listeners of one daemon have the same owner */
	for (i = 0; i < socks.n && !owner.inode; i++)
		if (socks.v[i].port == port)
			owner.inode = socks.v[i].inode;
	if (!owner.inode)
		goto out;
	procfd_find(&owner, 1);
	if (owner.pid)
		snprintf(out, cap, "%.40s[%d]", owner.comm, owner.pid);
out:
	sockdiag_free(&socks);
}

const char *listener_describe(struct listener_cache *c, uint8_t proto, uint16_t port, time_t now)
{
	unsigned i;

	for (i = 0; i < LISTENER_CACHE; i++)
		if (c->e[i].port == port && c->e[i].proto == proto && c->e[i].expires > now)
			return c->e[i].text;
	i = c->next++ % LISTENER_CACHE;
	c->e[i].proto = proto;
	c->e[i].port = port;
	c->e[i].expires = now + LISTENER_TTL;
	lookup(proto, port, c->e[i].text, sizeof(c->e[i].text));
	return c->e[i].text;
}
