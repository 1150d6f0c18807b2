/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_DAEMONCTL_H
#define PORTWARDEN_DAEMONCTL_H

#include <stdint.h>

/* The daemon that serves netfilter queue `queue` in this network
 * namespace: found through the kernel (the queue's bound netlink socket
 * and the process holding it), so no pid file can go stale. */

/* Its pid, 0 when no process serves the queue, or -errno. */
int daemonctl_find(uint16_t queue);

#endif
