// SPDX-License-Identifier: GPL-2.0-or-later
/* NFQUEUE: bind, configure, read packets, answer with batched verdicts. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <stdlib.h>
#include <string.h>

#include "nlwalk.h"
#include "queue.h"

#define RX_SIZE		(QUEUE_RX_BATCH * QUEUE_RX_SLOT)
#define TX_SIZE		(QUEUE_RX_BATCH * QUEUE_VERDICT_MSG_MAX)

static size_t queue_bind_put(char *buf, uint16_t num, uint32_t seq)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	return nlh->nlmsg_len;
}

size_t queue_config_put(char *buf, uint16_t num, uint32_t seq, int fail_open)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	uint32_t mask = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO;
	/* GSO: accept large aggregated packets as they are; we only read headers */
	uint32_t flags = NFQA_CFG_F_GSO | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, QUEUE_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	return nlh->nlmsg_len;
}

size_t queue_verdicts_put(char *buf, uint16_t num, const struct queue_verdict *v, unsigned n)
{
	size_t len = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh;

		if (i + 1 < n && v[i + 1].verdict == v[i].verdict)
			continue;	/* the run goes on: its last id answers it */
		/* a batch verdict covers every packet still queued up to this
		 * id: those before the run were answered by earlier messages */
		nlh = nfq_nlmsg_put(buf + len, NFQNL_MSG_VERDICT_BATCH, num);
		nfq_nlmsg_verdict_put(nlh, (int)v[i].id, v[i].verdict);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return len;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* struct nfqnl_msg_packet_timestamp: seconds and microseconds, big endian */
static void stamp(struct queue_packet *pkt, const uint8_t *p)
{
	uint64_t sec = (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
	uint64_t usec = (uint64_t)be32_at(p + 8) << 32 | be32_at(p + 12);

	if (sec > INT32_MAX || usec >= 1000000)
		return;	/* not a time of this era: as if none */
	pkt->stamp.tv_sec = (time_t)sec;
	pkt->stamp.tv_nsec = (long)usec * 1000;
}

/* One bounded walk over the attributes for the three the worker needs:
 * this runs per packet, so no per-attribute validation callbacks. */
int queue_msg_parse(const struct nlmsghdr *nlh, struct queue_packet *pkt)
{
	const size_t first = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	const uint8_t *p = (const uint8_t *)nlh + first;
	size_t left;
	int have_hdr = 0;

	pkt->id = pkt->ifindex = 0;
	pkt->stamp.tv_sec = pkt->stamp.tv_nsec = 0;
	pkt->payload = NULL;
	pkt->len = 0;
	if (nlh->nlmsg_len < first ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_QUEUE ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFQNL_MSG_PACKET)
		return -EINVAL;
	for (left = nlh->nlmsg_len - first; left >= NLA_HDRLEN;) {
		struct nlattr a;
		const uint8_t *data = p + NLA_HDRLEN;
		size_t len, step;

		memcpy(&a, p, sizeof(a));	/* fuzzed buffers need not be aligned */
		if (a.nla_len < NLA_HDRLEN || a.nla_len > left)
			return -EINVAL;
		len = a.nla_len - NLA_HDRLEN;
		switch (a.nla_type & NLA_TYPE_MASK) {
		case NFQA_PACKET_HDR:
			if (len < sizeof(struct nfqnl_msg_packet_hdr))
				return -EINVAL;
			pkt->id = be32_at(data);
			have_hdr = 1;
			break;
		case NFQA_IFINDEX_INDEV:
			if (len < sizeof(uint32_t))
				return -EINVAL;
			pkt->ifindex = be32_at(data);
			break;
		case NFQA_PAYLOAD:
			pkt->payload = data;
			pkt->len = len;
			break;
		case NFQA_TIMESTAMP:
			if (len < 16)
				return -EINVAL;
			stamp(pkt, data);
			break;
		default:
			break;
		}
		step = NLA_ALIGN(a.nla_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return have_hdr ? 0 : -EINVAL;
}

/* Every slot of the socket's buffer receives one datagram. */
static void point_slots(struct queue *q)
{
	char *rx = nlsock_rx(&q->nl);
	unsigned i;

	for (i = 0; i < QUEUE_RX_BATCH; i++) {
		q->rxiov[i].iov_base = rx + (size_t)i * QUEUE_RX_SLOT;
		/* nlwalk reads a little past what arrived */
		q->rxiov[i].iov_len = QUEUE_RX_SLOT - NLWALK_SLACK;
		q->rxmsg[i].msg_hdr.msg_iov = &q->rxiov[i];
		q->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
}

static int configure(struct queue *q, int fail_open)
{
	char buf[512] = { 0 };
	size_t len = queue_bind_put(buf, q->num, nlsock_seq(&q->nl));
	int ret = nlsock_request(&q->nl, buf, len, NULL, NULL);

	if (ret < 0)
		return ret;
	len = queue_config_put(buf, q->num, nlsock_seq(&q->nl), fail_open);
	return nlsock_request(&q->nl, buf, len, NULL, NULL);
}

int queue_open(struct queue *q, uint16_t num, int fail_open)
{
	int ret, one = 1;

	memset(q, 0, sizeof(*q));
	q->num = num;
	q->tx = calloc(1, TX_SIZE);
	if (!q->tx)
		return -ENOMEM;
	/* a burst of SYNs must wait in our buffer, not be dropped for lack of it */
	ret = nlsock_open_reader(&q->nl, NETLINK_NETFILTER, 0, RX_SIZE, QUEUE_RCVBUF);
	if (ret < 0)
		goto out_tx;
	point_slots(q);
	/* the kernel stamps arriving packets only while some socket asks for
	 * stamps: a socket of our own asks, so that each queued packet says
	 * when it arrived (a clock read per packet on the host).  Not the
	 * queue's socket: netlink then stamps every message it queues to us,
	 * and blocking a new port took twice as long under a flood */
	q->stamp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (q->stamp_fd >= 0)
		setsockopt(q->stamp_fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one));
	ret = configure(q, fail_open);
	if (ret < 0)
		goto out_socket;
	return 0;

out_socket:
	nlsock_close(&q->nl);
out_tx:
	free(q->tx);
	q->tx = NULL;
	return ret;
}

void queue_close(struct queue *q)
{
	if (q->stamp_fd > 0)	/* 0: a queue never opened, zeroed */
		close(q->stamp_fd);
	nlsock_close(&q->nl);
	free(q->tx);
	q->tx = NULL;
}

int queue_fd(const struct queue *q)
{
	return nlsock_fd(&q->nl);
}

/* On a failed send the verdicts stay pending and go with the next flush:
 * forgetting them would let a later batch verdict accept those packets. */
static int flush_verdicts(struct queue *q)
{
	size_t len = queue_verdicts_put(q->tx, q->num, q->pending, q->npending);
	int ret = len ? nlsock_send(&q->nl, q->tx, len) : 0;

	if (ret == 0)
		q->npending = 0;
	return ret;
}

static void handle_message(struct queue *q, const struct nlmsghdr *nlh,
			   queue_decide_fn verdict_of, void *ctx)
{
	struct queue_packet pkt;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		/* a verdict the kernel refused, e.g. for a packet it flushed */
		q->stats.errors++;
		return;
	}
	if (queue_msg_parse(nlh, &pkt) < 0) {
		q->stats.malformed++;
		return;
	}
	q->stats.packets++;
	if (q->npending == QUEUE_RX_BATCH && flush_verdicts(q) < 0) {
		/* the socket will not take verdicts: fail closed.  One batch
		 * drop up to this packet answers it and everything before it,
		 * so no later batch accept can sweep a packet meant to drop */
		q->stats.errors++;
		q->pending[0].id = pkt.id;
		q->pending[0].verdict = NF_DROP;
		q->npending = 1;
		return;
	}
	q->pending[q->npending].id = pkt.id;
	q->pending[q->npending++].verdict = verdict_of(ctx, &pkt);
	q->stats.verdicts++;
}

static void handle_datagram(struct queue *q, unsigned i, queue_decide_fn verdict_of,
			    void *ctx)
{
	const struct nlmsghdr *nlh;
	struct nlwalk w;

	if (q->rxmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
		/* cannot happen with our copy range; a later batch verdict
		 * answers the packet */
		q->stats.malformed++;
		return;
	}
	nlwalk_init(&w, q->rxiov[i].iov_base, q->rxmsg[i].msg_len);
	while ((nlh = nlwalk_next(&w)))
		handle_message(q, nlh, verdict_of, ctx);
}

int queue_drain(struct queue *q, queue_decide_fn verdict_of, void *ctx)
{
	unsigned long long before = q->stats.packets;
	int n, i;

	for (;;) {
		n = nlsock_recv_batch(&q->nl, q->rxmsg, QUEUE_RX_BATCH);
		if (n == -ENOBUFS) {
			/* the kernel dropped notifications, and (fail closed)
			 * their packets; what is left is read on */
			q->stats.enobufs++;
			continue;
		}
		if (n < 0)
			break;
		for (i = 0; i < n; i++)
			handle_datagram(q, (unsigned)i, verdict_of, ctx);
		if (flush_verdicts(q) < 0)
			q->stats.errors++;
		if (n < QUEUE_RX_BATCH)
			break;	/* fewer than asked for: drained */
		/* under a flood the queue never runs dry: hand back to the
		 * event loop now and then, so signals and timers are served */
		if (q->stats.packets - before >= QUEUE_DRAIN_MAX)
			break;
	}
	if (n < 0 && n != -EAGAIN)
		return n;
	return (int)(q->stats.packets - before);
}
