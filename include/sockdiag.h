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
 * both protocols. */
int sockdiag_list_once(uint8_t proto, struct sock_list *out);
int sockdiag_list_all(struct sock_list *out);

/* Is this UDP datagram (addresses in network order, ports in host order)
 * a reply to a local socket connected to its sender?  1, 0, or -errno. */
int sockdiag_udp_is_reply(struct nlsock *nl, int family, const uint8_t *saddr, uint16_t sport,
			  const uint8_t *daddr, uint16_t dport);

#endif
