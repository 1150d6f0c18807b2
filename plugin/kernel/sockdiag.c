// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket diagnostics requests and answers (NETLINK_SOCK_DIAG); nlsock
 * carries them. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netaddr.h"
#include "sockdiag.h"

#define ANSWER_TIMEOUT_MS	100	/* the longest a request may wait */

#define TCP_LISTEN_STATE 10
#define TCP_CLOSE_STATE 7

int sockdiag_open(struct nlsock *nl)
{
	int ret = nlsock_open_bus(nl, NETLINK_SOCK_DIAG, 0);

	/* the daemon asks it between drains, while packets may wait */
	if (ret == 0 && (ret = nlsock_set_rcvtimeo(nl, ANSWER_TIMEOUT_MS)) < 0)
		nlsock_close(nl);
	return ret;
}

static int add(struct sock_list *l, const struct inet_diag_msg *m, uint8_t proto)
{
	struct sock_entry *e;

	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 64;
		struct sock_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->family = m->idiag_family;
	e->proto = proto;
	e->port = ntohs(m->id.idiag_sport);
	memcpy(e->addr, m->id.idiag_src, netaddr_len(m->idiag_family));
	e->inode = m->idiag_inode;
	e->uid = m->idiag_uid;
	e->ifindex = m->id.idiag_if;
	return 0;
}

struct dump {
	struct sock_list *out;
	uint8_t proto;
};

static int on_sock(const struct nlmsghdr *nlh, void *data)
{
	const struct dump *dp = data;
	const struct inet_diag_msg *d;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*d))
		return 0;
	d = mnl_nlmsg_get_payload(nlh);
	if (d->idiag_family != AF_INET && d->idiag_family != AF_INET6)
		return 0;
	/* a UDP socket with a peer is a client, not a service */
	if ((dp->proto == IPPROTO_UDP || dp->proto == IPPROTO_UDPLITE) && d->id.idiag_dport)
		return 0;
	return add(dp->out, d, dp->proto);
}

static int dump_family(struct nlsock *nl, uint8_t family, uint8_t proto, struct sock_list *out)
{
	char buf[1024] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	struct dump dp = { out, proto };

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nlsock_seq(nl);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	/* datagram sockets wait for peers in CLOSE; the rest listen */
	req->idiag_states = proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE ?
			    1u << TCP_CLOSE_STATE : 1u << TCP_LISTEN_STATE;
	return nlsock_request(nl, buf, nlh->nlmsg_len, on_sock, &dp);
}

int sockdiag_list(struct nlsock *nl, uint8_t proto, struct sock_list *out)
{
	int ret = dump_family(nl, AF_INET, proto, out);

	return ret ? ret : dump_family(nl, AF_INET6, proto, out);
}

int sockdiag_list_once(uint8_t proto, struct sock_list *out)
{
	struct nlsock nl;
	int ret = sockdiag_open(&nl);

	if (ret < 0)
		return ret;
	ret = sockdiag_list(&nl, proto, out);
	nlsock_close(&nl);
	return ret;
}

int sockdiag_list_all(struct sock_list *out)
{
	/* the policy's udp covers UDP-Lite, its tcp SCTP and DCCP; a kernel
	 * without one of these (no diag module) has no such socket */
	static const uint8_t more[] = { IPPROTO_UDPLITE, IPPROTO_SCTP, IPPROTO_DCCP };
	int ret = sockdiag_list_once(IPPROTO_TCP, out);
	unsigned i;

	if (!ret)
		ret = sockdiag_list_once(IPPROTO_UDP, out);
	for (i = 0; !ret && i < sizeof(more); i++) {
		ret = sockdiag_list_once(more[i], out);
		if (ret == -ENOENT || ret == -EINVAL)
			ret = 0;
	}
	return ret;
}

void sockdiag_free(struct sock_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int sockdiag_is_loopback(const struct sock_entry *e)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (e->family == AF_INET)
		return e->addr[0] == 127;
	return !memcmp(e->addr, v6_loopback, 16);
}
