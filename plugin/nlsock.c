// SPDX-License-Identifier: GPL-2.0-or-later
/* The netlink transport: libmnl sockets on NETLINK_NETFILTER,
 * NETLINK_SOCK_DIAG and, for the host's interfaces and addresses,
 * NETLINK_ROUTE. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <time.h>

#include "nlsock.h"
#include "nlwalk.h"

#define ACK_TIMEOUT_MS 5000
/* a dump message may be as large as the biggest object (rtnetlink sizes its
 * dump buffers by the largest link); the kernel caps what it sends at 32 KiB */
#define REQUEST_RX_SIZE 32768

int nlsock_open(struct nlsock *s)
{
	return nlsock_open_bus(s, NETLINK_NETFILTER, 0);
}

int nlsock_open_bus(struct nlsock *s, int bus, unsigned groups)
{
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->nl)
		return -errno;
	if (mnl_socket_bind(s->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(s->nl);
		s->nl = NULL;
		return err;
	}
	/* errors need not echo the whole request back */
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void nlsock_close(struct nlsock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
}

int nlsock_fd(const struct nlsock *s)
{
	return mnl_socket_get_fd(s->nl);
}

uint32_t nlsock_seq(struct nlsock *s)
{
	return s->seq++;
}

int nlsock_set_rcvbuf(struct nlsock *s, int bytes)
{
	int fd = nlsock_fd(s);

	/* FORCE ignores net.core.rmem_max, but needs CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) == 0)
		return 0;
	return -errno;
}

int nlsock_set_rcvtimeo(struct nlsock *s, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	if (setsockopt(nlsock_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

static int grow_sndbuf(struct nlsock *s, size_t len)
{
	int fd = nlsock_fd(s), cur = 0, want;
	socklen_t sl = sizeof(cur);

	if (len > (1u << 30))
		return -EMSGSIZE;
	want = (int)len + 4096;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &sl) == 0 && cur >= want)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) == 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)) == 0)
		return 0;
	return -errno;
}

int nlsock_send(struct nlsock *s, const void *buf, size_t len)
{
	if (mnl_socket_sendto(s->nl, buf, len) < 0)
		return -errno;
	return 0;
}

ssize_t nlsock_recv(struct nlsock *s, void *buf, size_t cap)
{
	ssize_t n;

	do
		n = recv(nlsock_fd(s), buf, cap, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int nlsock_recv_batch(struct nlsock *s, struct mmsghdr *msgs, unsigned n)
{
	int got;

	do
		got = recvmmsg(nlsock_fd(s), msgs, n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got == 0)
		return -EAGAIN;
	return got < 0 ? -errno : got;
}

int nlsock_drain(struct nlsock *s, char *buf, size_t cap, nlsock_msg_fn fn, void *ctx,
		 unsigned long long *lost)
{
	for (;;) {
		ssize_t n = nlsock_recv(s, buf, cap - NLWALK_SLACK);
		const struct nlmsghdr *nlh;
		struct nlwalk w;

		if (n == -EAGAIN)
			return 0;
		if (n == -ENOBUFS) {
			(*lost)++;
			continue;
		}
		if (n < 0)
			return (int)n;
		nlwalk_init(&w, buf, (size_t)n);
		while ((nlh = nlwalk_next(&w)))
			fn(ctx, nlh);
	}
}

/* Waits up to ms for data; 0 on data, -ETIMEDOUT otherwise. */
static int wait_readable(struct nlsock *s, int ms)
{
	struct pollfd pfd = { .fd = nlsock_fd(s), .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, ms);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -ETIMEDOUT;
}

/* Every message of a batch is acknowledged, and the kernel queues all the
 * acknowledgements before we read one: a receive buffer smaller than that
 * drops some (ENOBUFS) although the transaction was committed.  Sized as
 * nftables does, a kilobyte of buffer per message. */
#define ACK_BYTES	1024
#define RCVBUF_MAX	(64 << 20)

static int grow_rcvbuf(struct nlsock *s, unsigned acks)
{
	int fd = nlsock_fd(s), cur = 0, want;
	socklen_t sl = sizeof(cur);

	if (acks > RCVBUF_MAX / ACK_BYTES)
		return -EMSGSIZE;
	want = (int)acks * ACK_BYTES;
	/* the kernel reports twice what was set: compare with that */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &cur, &sl) == 0 && cur / 2 >= want)
		return 0;
	return nlsock_set_rcvbuf(s, want);
}

int nlsock_transact(struct nlsock *s, const struct batch *b, char *what, size_t cap)
{
	unsigned expected = batch_count(b), seen = 0;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int first_err = 0, ret;

	if (what && cap)
		what[0] = '\0';
	s->refused_type = 0;
	ret = grow_rcvbuf(s, expected);
	if (ret < 0) {
		if (what)
			snprintf(what, cap, "a transaction of %u messages (limit %d)", expected,
				 RCVBUF_MAX / ACK_BYTES);
		return ret;
	}
	ret = grow_sndbuf(s, b->len);
	if (ret == 0)
		ret = nlsock_send(s, b->buf, b->len);
	if (ret < 0) {
		if (what)
			snprintf(what, cap, "sending the transaction (%zu bytes)", b->len);
		return ret;
	}
	while (seen < expected) {
		/* after an error the kernel has already queued every answer */
		ssize_t n;
		const struct nlmsghdr *nlh;

		if (wait_readable(s, first_err ? 0 : ACK_TIMEOUT_MS) < 0)
			break;
		n = nlsock_recv(s, buf, sizeof(buf) - NLWALK_SLACK);
		if (n == -EAGAIN)
			continue;
		if (n < 0) {
			if (!first_err) {
				first_err = (int)n;
				if (what)
					snprintf(what, cap, "reading acknowledgements");
			}
			break;
		}
		struct nlwalk w;

		nlwalk_init(&w, buf, (size_t)n);
		while ((nlh = nlwalk_next(&w))) {
			const struct nlmsgerr *err;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != s->portid ||
			    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
				continue;
			err = mnl_nlmsg_get_payload(nlh);
			seen++;
			if (err->error && !first_err) {
				const char *obj = batch_what(b, nlh->nlmsg_seq);

				first_err = err->error;
				s->refused_type = err->msg.nlmsg_type;
				if (what)
					snprintf(what, cap, "%s", obj ? obj : "unknown object");
			}
		}
	}
	if (!first_err && seen < expected) {
		if (what)
			snprintf(what, cap, "%u of %u acknowledgements", seen, expected);
		return -ETIMEDOUT;
	}
	return first_err;
}

int nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb, void *data)
{
	const struct nlmsghdr *req = msg;
	char buf[REQUEST_RX_SIZE];
	int ret = nlsock_send(s, msg, len);

	while (ret == 0) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		struct nlwalk w;

		if (wait_readable(s, ACK_TIMEOUT_MS) < 0)
			return -ETIMEDOUT;
		n = nlsock_recv(s, buf, sizeof(buf) - NLWALK_SLACK);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		nlwalk_init(&w, buf, (size_t)n);
		while ((nlh = nlwalk_next(&w))) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

				if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
					return -EPROTO;
				return err->error;
			}
			if (cb) {
				ret = cb(nlh, data);
				if (ret < 0)
					return ret;
			}
		}
	}
	return ret;
}
