// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding the running daemon from what the kernel knows. */
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemonctl.h"
#include "kstate.h"
#include "procfd.h"

static unsigned long daemonctl_netlink_inode(const char *table, uint32_t portid)
{
	const char *line = strchr(table, '\n');	/* past the heading */

	while (line && *++line) {
		unsigned long long sk, inode;
		unsigned proto, groups, rmem, wmem, dump, locks, drops;
		uint32_t pid;

		if (sscanf(line, "%llx %u %" SCNu32 " %x %u %u %u %u %u %llu", &sk, &proto, &pid,
			   &groups, &rmem, &wmem, &dump, &locks, &drops, &inode) == 10 &&
		    proto == NETLINK_NETFILTER && pid == portid)
			return (unsigned long)inode;
		line = strchr(line, '\n');
	}
	return 0;
}

static char *read_proc_netlink(void)
{
	FILE *f = fopen("/proc/net/netlink", "re");
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap), *p;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 < cap)
			continue;
		p = realloc(buf, cap *= 2);
		if (!p)
			break;
		buf = p;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

int daemonctl_find(uint16_t queue)
{
	struct proc_owner owner = { 0 };
	struct kstate ks;
	char *table;
	int ret = kstate_read(&ks);

	if (ret < 0)
		return ret;
	kstate_free(&ks);
	if (!ks.installed || !ks.worker || ks.queue_num != queue)
		return 0;
	errno = ENOMEM;
	table = read_proc_netlink();
	if (!table)
		return -errno;
	owner.inode = (uint32_t)daemonctl_netlink_inode(table, ks.worker_portid);
	free(table);
	if (!owner.inode)
		return 0;
	procfd_find(&owner, 1);
	return owner.pid;
}

#define APPLY_WAIT_MS	5000

int daemonctl_apply(uint16_t queue, int (*applied)(void *ctx), void *ctx)
{
	struct timespec tick = { 0, 50 * 1000000L };
	int pid = daemonctl_find(queue), waited;

	if (pid < 0) {
		fprintf(stderr, "portwarden: cannot look for the running daemon: %s\n", strerror(-pid));
		return 1;
	}
	if (pid == 0) {
		printf("no portwarden serves queue %u here; the change applies when it starts\n", queue);
		return 0;
	}
	if (kill(pid, SIGHUP) < 0) {
		fprintf(stderr, "portwarden: cannot signal the daemon (pid %d): %s\n", pid,
			strerror(errno));
		return 1;
	}
	for (waited = 0; waited < APPLY_WAIT_MS; waited += 50) {
		if (applied(ctx)) {
			printf("reloaded: the daemon (pid %d) enforces it\n", pid);
			return 0;
		}
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "portwarden: the daemon (pid %d) has not applied the change after %d s; "
		"see its log\n", pid, APPLY_WAIT_MS / 1000);
	return 1;
}
