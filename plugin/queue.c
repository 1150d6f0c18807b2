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

#include "queue.h"

#define RX_SIZE		(256 * 1024)
#define TX_SIZE		(16 * 1024)
#define VERDICT_MSG_MAX	64	/* one verdict message, aligned, with room */

size_t queue_bind_put(char *buf, uint16_t num, uint32_t seq)
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

size_t queue_verdict_put(char *buf, uint16_t num, uint32_t id, int verdict)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, num);

	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

int queue_msg_parse(const struct nlmsghdr *nlh, struct queue_packet *pkt)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	const struct nfqnl_msg_packet_hdr *ph;

	memset(pkt, 0, sizeof(*pkt));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_QUEUE ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFQNL_MSG_PACKET)
		return -EINVAL;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return -EINVAL;
	if (mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph))
		return -EINVAL;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	pkt->id = ntohl(ph->packet_id);
	pkt->hw_protocol = ntohs(ph->hw_protocol);
	if (attr[NFQA_IFINDEX_INDEV] &&
	    mnl_attr_get_payload_len(attr[NFQA_IFINDEX_INDEV]) >= sizeof(uint32_t))
		pkt->ifindex = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_INDEV]));
	if (attr[NFQA_PAYLOAD]) {
		pkt->payload = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		pkt->len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
		/* libmnl bounds attributes by the aligned message end */
		if ((const char *)pkt->payload + pkt->len > (const char *)nlh + nlh->nlmsg_len)
			return -EINVAL;
	}
	return 0;
}

int queue_open(struct queue *q, uint16_t num, int fail_open)
{
	char buf[512] = { 0 };
	size_t len;
	int ret;

	memset(q, 0, sizeof(*q));
	q->num = num;
	q->rx = malloc(RX_SIZE);
	q->tx = calloc(1, TX_SIZE);
	if (!q->rx || !q->tx) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = nlsock_open(&q->nl);
	if (ret < 0)
		goto out_free;
	len = queue_bind_put(buf, num, nlsock_seq(&q->nl));
	ret = nlsock_request(&q->nl, buf, len, NULL, NULL);
	if (ret < 0)
		goto out_sock;
	len = queue_config_put(buf, num, nlsock_seq(&q->nl), fail_open);
	ret = nlsock_request(&q->nl, buf, len, NULL, NULL);
	if (ret < 0)
		goto out_sock;
	/* a burst of SYNs must wait in our buffer, not be dropped for lack of it */
	ret = nlsock_set_rcvbuf(&q->nl, QUEUE_RCVBUF);
	if (ret < 0)
		goto out_sock;
	return 0;

out_sock:
	nlsock_close(&q->nl);
out_free:
	free(q->rx);
	free(q->tx);
	q->rx = q->tx = NULL;
	return ret;
}

void queue_close(struct queue *q)
{
	if (q->rx)
		nlsock_close(&q->nl);
	free(q->rx);
	free(q->tx);
	q->rx = q->tx = NULL;
}

int queue_fd(const struct queue *q)
{
	return nlsock_fd(&q->nl);
}

static int flush_verdicts(struct queue *q)
{
	int ret = 0;

	if (q->txlen)
		ret = nlsock_send(&q->nl, q->tx, q->txlen);
	q->txlen = 0;
	return ret;
}

struct drain_ctx {
	struct queue *q;
	queue_decide_fn decide;
	void *ctx;
};

static void handle_message(void *arg, const struct nlmsghdr *nlh)
{
	struct drain_ctx *dc = arg;
	struct queue *q = dc->q;
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
	if (q->txlen + VERDICT_MSG_MAX > TX_SIZE && flush_verdicts(q) < 0)
		q->stats.errors++;
	q->txlen += queue_verdict_put(q->tx + q->txlen, q->num, pkt.id, dc->decide(dc->ctx, &pkt));
	q->stats.verdicts++;
}

int queue_drain(struct queue *q, queue_decide_fn decide, void *ctx)
{
	struct drain_ctx dc = { q, decide, ctx };
	/* ENOBUFS: the kernel dropped notifications, and (fail closed) their
	 * packets; what is left is read on */
	int ret = nlsock_drain(&q->nl, q->rx, RX_SIZE, handle_message, &dc, &q->stats.enobufs);
	int sent = flush_verdicts(q);

	return ret < 0 ? ret : sent;
}
