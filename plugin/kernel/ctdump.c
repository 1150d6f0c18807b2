// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the connection tracking table through ctnetlink, every
 * attribute's type and length checked before use. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ctdump.h"
#include "nlsock.h"

/* above every attribute number read here, at every nesting level */
#define ATTR_MAX 32

struct attrs {
	const struct nlattr *tb[ATTR_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= ATTR_MAX)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static int nested(const struct attrs *outer, int type, struct attrs *in)
{
	memset(in, 0, sizeof(*in));
	return outer->tb[type] && mnl_attr_validate(outer->tb[type], MNL_TYPE_NESTED) == 0 &&
	       mnl_attr_parse_nested(outer->tb[type], attr_cb, in) >= 0 ? 0 : -1;
}

/* a payload of exactly len bytes */
static const void *exact(const struct attrs *a, int type, uint16_t len)
{
	if (!a->tb[type] || mnl_attr_get_payload_len(a->tb[type]) != len)
		return NULL;
	return mnl_attr_get_payload(a->tb[type]);
}

static int read_ip(const struct attrs *tuple, struct ctdump_flow *f)
{
	struct attrs ip;
	const void *src, *dst;

	if (nested(tuple, CTA_TUPLE_IP, &ip) < 0)
		return -1;
	if ((src = exact(&ip, CTA_IP_V4_SRC, 4)) && (dst = exact(&ip, CTA_IP_V4_DST, 4))) {
		f->family = AF_INET;
		memcpy(f->src, src, 4);
		memcpy(f->dst, dst, 4);
		return 0;
	}
	if ((src = exact(&ip, CTA_IP_V6_SRC, 16)) && (dst = exact(&ip, CTA_IP_V6_DST, 16))) {
		f->family = AF_INET6;
		memcpy(f->src, src, 16);
		memcpy(f->dst, dst, 16);
		return 0;
	}
	return -1;
}

static int read_proto(const struct attrs *tuple, struct ctdump_flow *f)
{
	const uint8_t *num, *sport, *dport;
	struct attrs p;

	if (nested(tuple, CTA_TUPLE_PROTO, &p) < 0 || !(num = exact(&p, CTA_PROTO_NUM, 1)))
		return -1;
	if (*num != IPPROTO_TCP && *num != IPPROTO_UDP)
		return -1;
	sport = exact(&p, CTA_PROTO_SRC_PORT, 2);
	dport = exact(&p, CTA_PROTO_DST_PORT, 2);
	if (!sport || !dport)
		return -1;
	f->proto = *num;
	f->sport = (uint16_t)(sport[0] << 8 | sport[1]);
	f->dport = (uint16_t)(dport[0] << 8 | dport[1]);
	return 0;
}

/* TCP: the connection's state is established */
static int tcp_established(const struct attrs *msg)
{
	struct attrs info, tcp;
	const uint8_t *state;

	if (nested(msg, CTA_PROTOINFO, &info) < 0 || nested(&info, CTA_PROTOINFO_TCP, &tcp) < 0)
		return 0;
	state = exact(&tcp, CTA_PROTOINFO_TCP_STATE, 1);
	return state && *state == TCP_CONNTRACK_ESTABLISHED;
}

int ctdump_msg(const struct nlmsghdr *nlh, struct ctdump_flow *out)
{
	struct attrs msg = { { NULL } }, tuple;
	struct ctdump_flow f;
	const uint8_t *status;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_NEW ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &msg) < 0)
		return 0;
	memset(&f, 0, sizeof(f));
	if (nested(&msg, CTA_TUPLE_ORIG, &tuple) < 0 || read_ip(&tuple, &f) < 0 ||
	    read_proto(&tuple, &f) < 0)
		return 0;
	status = exact(&msg, CTA_STATUS, 4);
	if (status) {
		uint32_t st = (uint32_t)status[0] << 24 | (uint32_t)status[1] << 16 |
		     (uint32_t)status[2] << 8 | status[3];
		f.answered = !!(st & IPS_SEEN_REPLY);
		f.live = f.proto == IPPROTO_UDP && (st & IPS_ASSURED) && f.answered;
	}
	if (f.proto == IPPROTO_TCP)
		f.live = tcp_established(&msg);
	*out = f;
	return 1;
}

struct dump {
	ctdump_fn fn;
	void *ctx;
};

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct ctdump_flow f;

	return ctdump_msg(nlh, &f) == 1 ? d->fn(d->ctx, &f) : 0;
}

int ctdump_read(ctdump_fn fn, void *ctx)
{
	char buf[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct dump d = { fn, ctx };
	struct nlsock nl;
	int ret;

	ret = nlsock_open(&nl);
	if (ret < 0)
		return ret;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK;
	nlh->nlmsg_seq = nlsock_seq(&nl);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;	/* both families */
	nfg->version = NFNETLINK_V0;
	ret = nlsock_request(&nl, buf, nlh->nlmsg_len, on_msg, &d);
	nlsock_close(&nl);
	return ret;
}
