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
#include <sys/time.h>
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

/* Reply look-ups run per datagram for UDP ports of the ephemeral range,
 * so under a flood they must be cheap: one socket kept open for them, a
 * bounded wait for the answer, and the last answers remembered a second. */
#define REPLY_TIMEOUT_MS	100
#define REPLY_CACHE		1024
#define REPLY_CACHE_SECS	1

struct reply_key {
	int family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
};

struct reply_entry {
	struct reply_key key;
	time_t at;
	int answer;
};

static struct mnl_socket *reply_nl;
static uint32_t reply_seq;
static struct reply_entry reply_cache[REPLY_CACHE];

static struct mnl_socket *reply_socket(void)
{
	struct timeval tv = { 0, REPLY_TIMEOUT_MS * 1000 };

	if (reply_nl)
		return reply_nl;
	reply_nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!reply_nl)
		return NULL;
	if (mnl_socket_bind(reply_nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(reply_nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		mnl_socket_close(reply_nl);
		reply_nl = NULL;
	}
	return reply_nl;
}

static struct reply_entry *cache_slot(const struct reply_key *k)
{
	uint32_t h = 2166136261u;
	const uint8_t *p = (const uint8_t *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return &reply_cache[h % REPLY_CACHE];
}

/* One request on the kept socket; answers to earlier requests that timed
 * out are skipped by their sequence number. */
static int ask_reply(const struct reply_key *k)
{
	char buf[4096] = { 0 };
	struct mnl_socket *nl = reply_socket();
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	const struct inet_diag_msg *m;
	size_t alen = k->family == AF_INET ? 4 : 16;
	uint32_t seq = ++reply_seq;

	if (!nl)
		return -errno;
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)k->family;
	req->sdiag_protocol = IPPROTO_UDP;
	req->idiag_states = ~0u;
	/* the kernel looks the socket up as for an arriving datagram:
	 * src/sport are the sender, dst/dport are ours */
	memcpy(req->id.idiag_src, k->saddr, alen);
	memcpy(req->id.idiag_dst, k->daddr, alen);
	req->id.idiag_sport = htons(k->sport);
	req->id.idiag_dport = htons(k->dport);
	req->id.idiag_cookie[0] = req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf) - NLWALK_SLACK);

		if (n < 0)
			return -errno;	/* EAGAIN: no answer in time */
		nlh = (struct nlmsghdr *)buf;
		if ((size_t)n < NLMSG_HDRLEN || nlh->nlmsg_len > (size_t)n || nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*m))
			return 0;	/* an error message: no such socket */
		m = mnl_nlmsg_get_payload(nlh);
		/* connected to the sender: a reply.  An unconnected socket on
		 * the port is a service, and the policy is about services. */
		return m->id.idiag_dport == htons(k->sport) && !memcmp(m->id.idiag_dst, k->saddr, alen);
	}
}

int sockdiag_udp_is_reply(int family, const uint8_t *saddr, uint16_t sport,
			  const uint8_t *daddr, uint16_t dport)
{
	struct reply_key k;
	struct reply_entry *e;
	size_t alen = family == AF_INET ? 4 : 16;
	time_t now = time(NULL);
	int ret;

	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.saddr, saddr, alen);
	memcpy(k.daddr, daddr, alen);
	k.sport = sport;
	k.dport = dport;
	e = cache_slot(&k);
	if (e->at && now - e->at < REPLY_CACHE_SECS && !memcmp(&e->key, &k, sizeof(k)))
		return e->answer;
	ret = ask_reply(&k);
	if (ret >= 0) {
		e->key = k;
		e->at = now;
		e->answer = ret;
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
