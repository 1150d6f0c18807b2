/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SOCKDIAG_H
#define PORTWARDEN_SOCKDIAG_H

#include <stdint.h>

#include "nlsock.h"

/* Listening TCP sockets and bound, unconnected UDP sockets of this network
 * namespace, through sock_diag netlink. */
struct sock_entry {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, _UDP (sockdiag_list_all: _UDPLITE, _SCTP, _DCCP) */
	uint16_t port;
	uint8_t addr[16];	/* bound address, network order */
	uint32_t inode;
	uint32_t uid;
	uint32_t ifindex;	/* SO_BINDTODEVICE, 0 when not bound */
};

struct sock_list {
	struct sock_entry *v;
	unsigned n, cap;
};

/* A NETLINK_SOCK_DIAG socket for the requests below. */
int sockdiag_open(struct nlsock *nl);

/* Appends every listening socket of proto, both families; 0 or -errno. */
int sockdiag_list(struct nlsock *nl, uint8_t proto, struct sock_list *out);
/* The same through a socket of its own, for one-shot commands; _all for
 * TCP and UDP and, where the kernel has them, UDP-Lite, SCTP and DCCP. */
int sockdiag_list_once(uint8_t proto, struct sock_list *out);
int sockdiag_list_all(struct sock_list *out);
void sockdiag_free(struct sock_list *l);

/* Bound to 127.0.0.0/8 or ::1 only */
int sockdiag_is_loopback(const struct sock_entry *e);

#endif
