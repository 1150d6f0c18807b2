/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_QUEUE_H
#define PORTWARDEN_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "nlsock.h"

/* The NFQUEUE worker's socket, through libnetfilter_queue's libmnl API. */

/* IP header, extension headers, ports: an IPv6 header chain as long as a
 * standard Ethernet frame fits, so its port can be read and blocked */
#define QUEUE_COPY_RANGE	2048
#define QUEUE_MAXLEN		4096
#define QUEUE_RCVBUF		(4 << 20)
#define QUEUE_RX_BATCH		64	/* packet messages read per recvmmsg */
#define QUEUE_RX_SLOT		4096	/* one message: copy range, attributes, room */
#define QUEUE_DRAIN_MAX		1024	/* packets per drain before the loop looks around */

struct queue_packet {
	uint32_t id;
	uint32_t ifindex;	/* input interface, 0 when unknown */
	/* when the packet arrived (NFQA_TIMESTAMP, CLOCK_REALTIME); zero when
	 * the kernel stamped none */
	struct timespec stamp;
	const uint8_t *payload;
	size_t len;
};

struct queue_stats {
	unsigned long long packets, verdicts, malformed, enobufs, errors;
};

struct queue_verdict {
	uint32_t id;
	int verdict;
};

struct queue {
	struct nlsock nl;
	uint16_t num;
	/* QUEUE_RX_BATCH slots of QUEUE_RX_SLOT in the socket's buffer */
	struct mmsghdr rxmsg[QUEUE_RX_BATCH];
	struct iovec rxiov[QUEUE_RX_BATCH];
	char *tx;
	struct queue_verdict pending[QUEUE_RX_BATCH];
	unsigned npending;
	struct queue_stats stats;
	int stamp_fd;		/* asks the kernel to stamp arriving packets */
};

/* Returns the verdict (NF_ACCEPT or NF_DROP) for one packet. */
typedef int (*queue_decide_fn)(void *ctx, const struct queue_packet *pkt);

int queue_open(struct queue *q, uint16_t num, int fail_open);
void queue_close(struct queue *q);
int queue_fd(const struct queue *q);
/* Reads pending packets, up to QUEUE_RX_BATCH per system call and about
 * QUEUE_DRAIN_MAX per call, decides each and answers each batch with one
 * sendmsg.  Returns the number of packets handled or -errno for a broken
 * socket. */
int queue_drain(struct queue *q, queue_decide_fn verdict_of, void *ctx);

/* Pure message helpers, unit-tested and fuzzed without a kernel. */
int queue_msg_parse(const struct nlmsghdr *nlh, struct queue_packet *pkt);
/* The verdicts of packets read in id order, as one batch verdict message
 * per run of equal verdicts.  buf holds n * QUEUE_VERDICT_MSG_MAX bytes. */
#define QUEUE_VERDICT_MSG_MAX	64
size_t queue_verdicts_put(char *buf, uint16_t num, const struct queue_verdict *v, unsigned n);
size_t queue_config_put(char *buf, uint16_t num, uint32_t seq, int fail_open);

#endif
