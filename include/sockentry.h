/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SOCKENTRY_H
#define PORTWARDEN_SOCKENTRY_H

#include <stdint.h>

/* A listening TCP or bound, unconnected UDP socket, as sock_diag tells
 * it (sockdiag.c reads them; the policy reads only this). */
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

void sockdiag_free(struct sock_list *l);
/* Bound to 127.0.0.0/8 or ::1 only */
int sockdiag_is_loopback(const struct sock_entry *e);

#endif
