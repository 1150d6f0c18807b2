// SPDX-License-Identifier: GPL-2.0-or-later
/* The listener table from the kernel, for the commands and the daemon's
 * start; the running daemon names new sockets beside its worker instead
 * (daemon/beside.c). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "listenscan.h"
#include "sockdiag.h"

int listenscan_dump(struct nlsock *nl, struct sock_list *out)
{
	int ret = sockdiag_list(nl, IPPROTO_TCP, out);

	if (ret == 0)
		ret = sockdiag_list(nl, IPPROTO_UDP, out);
	if (ret < 0)
		sockdiag_free(out);
	return ret;
}

int listenscan_name(struct listener_table *t, time_t now)
{
	uint32_t *inodes = calloc(t->n + 1, sizeof(*inodes));
	struct proc_owner *owners = calloc(t->n + 1, sizeof(*owners));
	int ret = -ENOMEM;

	if (inodes && owners) {
		unsigned i, n = listener_unnamed(t, now, inodes, t->n);

		for (i = 0; i < n; i++)
			owners[i].inode = inodes[i];
		ret = listener_named(t, owners, n, n ? procfd_find(owners, n) : 0, now);
	}
	free(inodes);
	free(owners);
	return ret;
}

int listenscan_refresh(struct listener_table *t, struct nlsock *nl, time_t now)
{
	struct sock_list socks = { 0 };
	int ret = listenscan_dump(nl, &socks), named;

	if (ret < 0)
		return ret;
	ret = listener_update(t, &socks);
	if (ret < 0)
		return ret;
	named = listenscan_name(t, now);
	if (named < 0)
		return named;
	return ret || named;
}
