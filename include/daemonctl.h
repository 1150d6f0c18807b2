/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_DAEMONCTL_H
#define PORTWARDEN_DAEMONCTL_H

#include <stdint.h>

/* The daemon that serves netfilter queue `queue` in this network
 * namespace: found through the kernel (the queue's bound netlink socket
 * and the process holding it), so no pid file can go stale. */

/* Its pid, 0 when no process serves the queue, or -errno. */
int daemonctl_find(uint16_t queue);

/* Has that daemon apply the files as they are now, and waits until
 * applied(ctx) finds the change in the kernel.  Says what happened on
 * stdout (or stderr); returns the exit status: 0 applied (or no daemon
 * runs, so the change applies when one starts), 1 not applied. */
int daemonctl_apply(uint16_t queue, int (*applied)(void *ctx), void *ctx);

#endif
