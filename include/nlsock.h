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
	int wait_ms;		/* the longest wait for an answer */
	char *rx;		/* a reader's buffer (nlsock_open_reader), or NULL */
	size_t rx_cap;
};

/* NETLINK_NETFILTER */
int nlsock_open(struct nlsock *s);
/* Any netlink bus (NETLINK_SOCK_DIAG, NETLINK_ROUTE, ...), joined to the
 * groups bit mask. */
int nlsock_open_bus(struct nlsock *s, int bus, unsigned groups);
/* A socket that reads packets or events as they come (nlsock_drain): with
 * a buffer of rx_cap bytes of its own and, unless rcvbuf is 0, a kernel
 * receive buffer of rcvbuf bytes so that bursts wait instead of being lost. */
int nlsock_open_reader(struct nlsock *s, int bus, unsigned groups, size_t rx_cap, int rcvbuf);
/* Safe on a socket that failed to open or is closed already. */
void nlsock_close(struct nlsock *s);
int nlsock_fd(const struct nlsock *s);
uint32_t nlsock_seq(struct nlsock *s);
uint32_t nlsock_portid(const struct nlsock *s);
/* A reader's buffer, for callers that receive several datagrams at once */
char *nlsock_rx(const struct nlsock *s);
/* The kernel drops messages whose first header carries this sender port
 * before they reach the socket: events of our own transactions. */
int nlsock_drop_sender(struct nlsock *s, uint32_t portid);

/* Sends one nf_tables batch and reads every acknowledgement: those that
 * carry the batch's sequence numbers (a late one of an earlier batch is
 * not taken for this one's).  Returns 0, or the first error as -errno
 * with the failing object described in what.  The socket's sequence
 * numbers continue after the batch's. */
int nlsock_transact(struct nlsock *s, const struct batch *b, char *what, size_t cap);
/* The type of the message the last transaction's first error echoes, 0
 * when none was refused */
uint16_t nlsock_refused_type(const struct nlsock *s);

/* Sends a request (a dump or one message with NLM_F_ACK) and feeds every
 * answer to cb until the dump ends or the acknowledgement arrives: only
 * answers to this request (its sequence number, to our port), and never
 * a datagram the kernel had to cut (-EMSGSIZE).  A dump is always read to
 * its end; -EINTR when the kernel marked it interrupted (NLM_F_DUMP_INTR:
 * the objects changed meanwhile; ask again, see nftdump.h), or cb's first
 * error. */
typedef int (*nlsock_cb)(const struct nlmsghdr *nlh, void *data);
int nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb, void *data);

/* Reads a reader socket until it is drained, handing every message to fn.
 * ENOBUFS (the kernel had to drop messages for us) and a datagram cut to
 * the buffer (MSG_TRUNC) are counted in *lost and the reading goes on.
 * Returns 0 or -errno for a broken socket. */
typedef void (*nlsock_msg_fn)(void *ctx, const struct nlmsghdr *nlh);
int nlsock_drain(struct nlsock *s, nlsock_msg_fn fn, void *ctx, unsigned long long *lost);

int nlsock_send(struct nlsock *s, const void *buf, size_t len);
/* Non-blocking receive of up to n datagrams in one system call: the number
 * read, -EAGAIN when there was none, or -errno as above. */
struct mmsghdr;
int nlsock_recv_batch(struct nlsock *s, struct mmsghdr *msgs, unsigned n);
int nlsock_set_rcvbuf(struct nlsock *s, int bytes);
/* A request or transaction whose answer takes longer fails with
 * ETIMEDOUT: for requests answered while packets wait for their verdict. */
int nlsock_set_rcvtimeo(struct nlsock *s, unsigned ms);

#endif
