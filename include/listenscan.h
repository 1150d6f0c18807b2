/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENSCAN_H
#define PORTWARDEN_LISTENSCAN_H

#include <time.h>

#include "listener.h"
#include "nlsock.h"

/* The listener table filled from the kernel: the sockets through
 * sock_diag, their processes through /proc (procfd.c). */

/* Both protocols' sockets through nl (a sock_diag socket); 0 or -errno. */
int listenscan_dump(struct nlsock *nl, struct sock_list *out);
/* Looks for the processes of the table's unnamed sockets now.  Returns 1
 * when one was found, 0 when not, -ENOMEM. */
int listenscan_name(struct listener_table *t, time_t now);
/* Dump, update and name: 1 when the sockets or their owners changed, 0
 * when not, or -errno (then the table is unchanged). */
int listenscan_refresh(struct listener_table *t, struct nlsock *nl, time_t now);

#endif
