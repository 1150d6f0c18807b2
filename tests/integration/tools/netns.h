// SPDX-License-Identifier: GPL-2.0-or-later
/* The test helpers' way into a namespace made by `ip netns add`. */
#ifndef TOOLS_NETNS_H
#define TOOLS_NETNS_H
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

/* enter_netns: joins /run/netns/NAME; sockets and /proc/net files opened
 * afterwards belong to it */
static inline int enter_netns(const char *name)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret;
}
#endif
