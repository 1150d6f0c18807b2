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
#include <time.h>

#include "sockdiag.h"

#define REPLY_TIMEOUT_MS	100	/* the longest a UDP reply look-up may wait */

#define TCP_LISTEN_STATE 10
#define TCP_CLOSE_STATE 7

int sockdiag_open(struct nlsock *nl)
{
	int ret = nlsock_open_bus(nl, NETLINK_SOCK_DIAG, 0);

	/* the worker asks it about UDP replies while packets wait */
	if (ret == 0 && (ret = nlsock_set_rcvtimeo(nl, REPLY_TIMEOUT_MS)) < 0)
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
	memcpy(e->addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
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
	if (dp->proto == IPPROTO_UDP && d->id.idiag_dport)
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
	req->idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN_STATE : 1u << TCP_CLOSE_STATE;
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
	int ret = sockdiag_list_once(IPPROTO_TCP, out);

	return ret ? ret : sockdiag_list_once(IPPROTO_UDP, out);
}

struct reply {
	const uint8_t *saddr;
	uint16_t sport;
	size_t alen;
	int found;
};

static int on_reply(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*m))
		return 0;
	m = mnl_nlmsg_get_payload(nlh);
	/* connected to the sender: a reply.  An unconnected socket on the
	 * port is a service, and the policy is about services. */
	r->found = m->id.idiag_dport == htons(r->sport) && !memcmp(m->id.idiag_dst, r->saddr, r->alen);
	return 0;
}

/* Reply look-ups run per datagram for UDP ports of the ephemeral range,
 * so under a flood they must be cheap: the kept sock_diag socket (with a
 * bounded wait for the answer, see sockdiag_open), and the last answers
 * remembered a second. */
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

static struct reply_entry reply_cache[REPLY_CACHE];

static struct reply_entry *cache_slot(const struct reply_key *k)
{
	uint32_t h = 2166136261u;
	const uint8_t *p = (const uint8_t *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return &reply_cache[h % REPLY_CACHE];
}

/* One request on the kept socket. */
static int ask_reply(struct nlsock *nl, const struct reply_key *k)
{
	char buf[1024] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct reply r = { k->saddr, k->sport, k->family == AF_INET ? 4 : 16, 0 };
	struct inet_diag_req_v2 *req;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	/* the acknowledgement ends the answer, found or not */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = nlsock_seq(nl);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)k->family;
	req->sdiag_protocol = IPPROTO_UDP;
	req->idiag_states = ~0u;
	/* the kernel looks the socket up as for an arriving datagram:
	 * src/sport are the sender, dst/dport are ours */
	memcpy(req->id.idiag_src, k->saddr, r.alen);
	memcpy(req->id.idiag_dst, k->daddr, r.alen);
	req->id.idiag_sport = htons(k->sport);
	req->id.idiag_dport = htons(k->dport);
	req->id.idiag_cookie[0] = req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	ret = nlsock_request(nl, buf, nlh->nlmsg_len, on_reply, &r);
	if (ret == -ENOENT)
		return 0;	/* no such socket */
	return ret < 0 ? ret : r.found;
}

int sockdiag_udp_is_reply(struct nlsock *nl, int family, const uint8_t *saddr, uint16_t sport,
			  const uint8_t *daddr, uint16_t dport)
{
	struct reply_key k;
	struct reply_entry *e;
	size_t alen = family == AF_INET ? 4 : 16;
	struct timespec mono;
	time_t now;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &mono);	/* an interval: no wall-clock step moves it */
	now = mono.tv_sec;

	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.saddr, saddr, alen);
	memcpy(k.daddr, daddr, alen);
	k.sport = sport;
	k.dport = dport;
	e = cache_slot(&k);
	if (e->at && now - e->at < REPLY_CACHE_SECS && !memcmp(&e->key, &k, sizeof(k)))
		return e->answer;
	ret = ask_reply(nl, &k);
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
