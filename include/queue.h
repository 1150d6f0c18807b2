/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_QUEUE_H
#define PORTWARDEN_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "nlsock.h"

/* The NFQUEUE worker's socket, through libnetfilter_queue's libmnl API. */

#define QUEUE_COPY_RANGE	256	/* IP header, extension headers, ports */
#define QUEUE_MAXLEN		4096
#define QUEUE_RCVBUF		(4 << 20)

struct queue_packet {
	uint32_t id;
	uint16_t hw_protocol;
	uint32_t ifindex;	/* input interface, 0 when unknown */
	const uint8_t *payload;
	size_t len;
};

struct queue_stats {
	unsigned long long packets, verdicts, malformed, enobufs, errors;
};

struct queue {
	struct nlsock nl;
	uint16_t num;
	char *rx;
	char *tx;
	size_t txlen;
	struct queue_stats stats;
};

/* Returns the verdict (NF_ACCEPT or NF_DROP) for one packet. */
typedef int (*queue_decide_fn)(void *ctx, const struct queue_packet *pkt);

int queue_open(struct queue *q, uint16_t num, int fail_open);
void queue_close(struct queue *q);
int queue_fd(const struct queue *q);
/* Reads every pending packet, decides each and sends the verdicts, several
 * per sendmsg.  Returns 0 or -errno for a broken socket. */
int queue_drain(struct queue *q, queue_decide_fn decide, void *ctx);

/* Pure message helpers, unit-tested and fuzzed without a kernel. */
int queue_msg_parse(const struct nlmsghdr *nlh, struct queue_packet *pkt);
size_t queue_verdict_put(char *buf, uint16_t num, uint32_t id, int verdict);
size_t queue_config_put(char *buf, uint16_t num, uint32_t seq, int fail_open);
size_t queue_bind_put(char *buf, uint16_t num, uint32_t seq);

#endif
