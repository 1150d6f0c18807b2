/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NLSOCK_H
#define PORTWARDEN_NLSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "batch.h"

struct nlmsghdr;

/* All of portwarden's netlink I/O: nf_tables transactions, the queue
 * socket, socket diagnostics and dumps.  Builders elsewhere only fill buffers. */

struct nlsock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/* the message type the kernel refused in the last transaction, as
	 * its error acknowledgement echoes it; 0 when none was refused */
	uint16_t refused_type;
};

/* NETLINK_NETFILTER */
int nlsock_open(struct nlsock *s);
/* Any netlink bus (NETLINK_SOCK_DIAG, NETLINK_ROUTE, ...), joined to the
 * groups bit mask. */
int nlsock_open_bus(struct nlsock *s, int bus, unsigned groups);
void nlsock_close(struct nlsock *s);
int nlsock_fd(const struct nlsock *s);
uint32_t nlsock_seq(struct nlsock *s);

/* Sends one nf_tables batch and reads every acknowledgement.  Returns 0, or
 * the first error as -errno with the failing object described in what. */
int nlsock_transact(struct nlsock *s, const struct batch *b, char *what, size_t cap);

/* Sends a request (a dump or one message with NLM_F_ACK) and feeds every
 * answer to cb until the dump ends or the acknowledgement arrives. */
typedef int (*nlsock_cb)(const struct nlmsghdr *nlh, void *data);
int nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb, void *data);

/* Reads until the socket is drained, handing every message to fn.  ENOBUFS
 * (the kernel had to drop messages for us) is counted in *lost and the
 * reading goes on.  buf needs NLWALK_SLACK bytes past what is read.
 * Returns 0 or -errno for a broken socket. */
typedef void (*nlsock_msg_fn)(void *ctx, const struct nlmsghdr *nlh);
int nlsock_drain(struct nlsock *s, char *buf, size_t cap, nlsock_msg_fn fn, void *ctx,
		 unsigned long long *lost);

int nlsock_send(struct nlsock *s, const void *buf, size_t len);
/* Non-blocking receive: bytes read, -EAGAIN when drained, or -errno
 * (-ENOBUFS when the kernel had to drop messages for us). */
ssize_t nlsock_recv(struct nlsock *s, void *buf, size_t cap);
/* Non-blocking receive of up to n datagrams in one system call: the number
 * read, -EAGAIN when there was none, or -errno as above. */
struct mmsghdr;
int nlsock_recv_batch(struct nlsock *s, struct mmsghdr *msgs, unsigned n);
int nlsock_set_rcvbuf(struct nlsock *s, int bytes);
/* A receive that waits longer fails with EAGAIN: for requests answered
 * while packets wait for their verdict. */
int nlsock_set_rcvtimeo(struct nlsock *s, unsigned ms);

#endif
