/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SOCKDIAG_H
#define PORTWARDEN_SOCKDIAG_H

#include <stdint.h>

#include "nlsock.h"
#include "sockentry.h"

/* Listening TCP sockets and bound, unconnected UDP sockets of this network
 * namespace, through sock_diag netlink. */

/* A NETLINK_SOCK_DIAG socket for the requests below. */
int sockdiag_open(struct nlsock *nl);

/* Appends every listening socket of proto, both families; 0 or -errno. */
int sockdiag_list(struct nlsock *nl, uint8_t proto, struct sock_list *out);
/* The same through a socket of its own, for one-shot commands; _all for
 * TCP and UDP and, where the kernel has them, UDP-Lite, SCTP and DCCP. */
int sockdiag_list_once(uint8_t proto, struct sock_list *out);
int sockdiag_list_all(struct sock_list *out);

#endif
