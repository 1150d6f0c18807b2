// SPDX-License-Identifier: GPL-2.0-or-later
/* nfnetlink_log: the kernel path of the blocked-connection log. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <string.h>
#include <sys/socket.h>

#include "nflog.h"

#define RX_SIZE (128 * 1024)

static struct nlmsghdr *put_config(char *buf, uint16_t group, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(group);
	return nlh;
}

static size_t nflog_bind_put(char *buf, uint16_t group, uint32_t seq)
{
	struct nlmsghdr *nlh = put_config(buf, group, seq);
	struct nfulnl_msg_config_cmd cmd = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(NFLOG_COPY_RANGE),
					       .copy_mode = NFULNL_COPY_PACKET };

	mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof(cmd), &cmd);
	mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof(mode), &mode);
	/* deliver at once: the kernel rule is rate-limited already */
	mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
	mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(10));
	return nlh->nlmsg_len;
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type > NFULA_MAX)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

int nflog_msg_parse(const struct nlmsghdr *nlh, struct nflog_packet *pkt)
{
	const struct nlattr *tb[NFULA_MAX + 1] = { NULL };
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	memset(pkt, 0, sizeof(*pkt));
	pkt->prefix = "";
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) < 0)
		return -EINVAL;
	if (tb[NFULA_PREFIX]) {
		const char *p = mnl_attr_get_payload(tb[NFULA_PREFIX]);
		size_t n = mnl_attr_get_payload_len(tb[NFULA_PREFIX]);

		/* the kernel sends the NUL; anything else is not a string */
		if (n == 0 || p + n > end || memchr(p, '\0', n) == NULL)
			return -EINVAL;
		pkt->prefix = p;
	}
	if (tb[NFULA_IFINDEX_INDEV] &&
	    mnl_attr_get_payload_len(tb[NFULA_IFINDEX_INDEV]) >= sizeof(uint32_t))
		pkt->ifindex = ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_INDEV]));
	if (tb[NFULA_PAYLOAD]) {
		pkt->payload = mnl_attr_get_payload(tb[NFULA_PAYLOAD]);
		pkt->len = mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]);
		if ((const char *)pkt->payload + pkt->len > end)
			return -EINVAL;
	}
	return 0;
}

int nflog_open(struct nflog *l, uint16_t group)
{
	char buf[256] = { 0 };
	size_t len;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = nlsock_open_reader(&l->nl, NETLINK_NETFILTER, 0, RX_SIZE, 1 << 20);
	if (ret < 0)
		return ret;
	len = nflog_bind_put(buf, group, nlsock_seq(&l->nl));
	ret = nlsock_request(&l->nl, buf, len, NULL, NULL);
	if (ret < 0)
		nlsock_close(&l->nl);
	return ret;
}

void nflog_close(struct nflog *l)
{
	nlsock_close(&l->nl);
}

int nflog_fd(const struct nflog *l)
{
	return nlsock_fd(&l->nl);
}

struct drain_ctx {
	struct nflog *l;
	nflog_packet_fn fn;
	void *ctx;
};

static void handle_message(void *arg, const struct nlmsghdr *nlh)
{
	struct drain_ctx *dc = arg;
	struct nflog_packet pkt;

	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
		return;
	if (nflog_msg_parse(nlh, &pkt) < 0) {
		dc->l->malformed++;
		return;
	}
	dc->l->packets++;
	dc->fn(dc->ctx, &pkt);
}

int nflog_drain(struct nflog *l, nflog_packet_fn fn, void *ctx)
{
	struct drain_ctx dc = { l, fn, ctx };

	return nlsock_drain(&l->nl, handle_message, &dc, &l->enobufs);
}
