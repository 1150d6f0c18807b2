// SPDX-License-Identifier: GPL-2.0-or-later
/* Enumerating listening sockets with NETLINK_SOCK_DIAG. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nlwalk.h"
#include "sockdiag.h"

#define TCP_LISTEN_STATE 10
#define TCP_CLOSE_STATE 7

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
	memcpy(e->addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	e->inode = m->idiag_inode;
	e->uid = m->idiag_uid;
	e->ifindex = m->id.idiag_if;
	return 0;
}

static int dump_family(struct mnl_socket *nl, uint8_t family, uint8_t proto, struct sock_list *out)
{
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	uint32_t seq = (uint32_t)time(NULL);
	unsigned portid = mnl_socket_get_portid(nl);

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = proto;
	req->idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN_STATE : 1u << TCP_CLOSE_STATE;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf) - NLWALK_SLACK);
		const struct nlmsghdr *m;
		struct nlwalk w;

		if (n < 0)
			return -errno;
		nlwalk_init(&w, buf, (size_t)n);
		while ((m = nlwalk_next(&w))) {
			const struct inet_diag_msg *d;

			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_type == NLMSG_ERROR)
				return -EPROTO;
			if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*d))
				continue;
			d = mnl_nlmsg_get_payload(m);
			/* a UDP socket with a peer is a client, not a service */
			if (proto == IPPROTO_UDP && d->id.idiag_dport)
				continue;
			if (add(out, d, proto) < 0)
				return -ENOMEM;
		}
	}
}

int sockdiag_list(uint8_t proto, struct sock_list *out)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	int ret;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	ret = dump_family(nl, AF_INET, proto, out);
	if (ret == 0)
		ret = dump_family(nl, AF_INET6, proto, out);
out:
	mnl_socket_close(nl);
	return ret;
}

int sockdiag_udp_is_reply(int family, const uint8_t *saddr, uint16_t sport,
			  const uint8_t *daddr, uint16_t dport)
{
	char buf[4096] = { 0 };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	const struct inet_diag_msg *m;
	size_t alen = family == AF_INET ? 4 : 16;
	ssize_t n;
	int ret = 0;

	if (!nl)
		return -errno;
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_UDP;
	req->idiag_states = ~0u;
	/* the kernel looks the socket up as for an arriving datagram:
	 * src/sport are the sender, dst/dport are ours */
	memcpy(req->id.idiag_src, saddr, alen);
	memcpy(req->id.idiag_dst, daddr, alen);
	req->id.idiag_sport = htons(sport);
	req->id.idiag_dport = htons(dport);
	req->id.idiag_cookie[0] = req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf) - NLWALK_SLACK);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*m)))
		goto out;	/* an error message: no such socket */
	nlh = (struct nlmsghdr *)buf;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len > (size_t)n)
		goto out;
	m = mnl_nlmsg_get_payload(nlh);
	/* connected to the sender: a reply.  An unconnected socket on the
	 * port is a service, and the policy is about services. */
	ret = m->id.idiag_dport == htons(sport) && !memcmp(m->id.idiag_dst, saddr, alen);
out:
	mnl_socket_close(nl);
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
