// SPDX-License-Identifier: GPL-2.0-or-later
/* The netlink transport: libmnl sockets on NETLINK_NETFILTER,
 * NETLINK_SOCK_DIAG and, for the host's interfaces and addresses,
 * NETLINK_ROUTE. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nlsock.h"
#include "nlwalk.h"

#define ACK_TIMEOUT_MS 5000
/* a dump message may be as large as the biggest object (rtnetlink sizes its
 * dump buffers by the largest link); the kernel caps what it sends at 32 KiB */
#define RX_SIZE 32768

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
	s->wait_ms = ACK_TIMEOUT_MS;
	return 0;
}

int nlsock_open_reader(struct nlsock *s, int bus, unsigned groups, size_t rx_cap, int rcvbuf)
{
	char *rx = malloc(rx_cap);
	int ret;

	if (!rx)
		return -ENOMEM;
	ret = nlsock_open_bus(s, bus, groups);
	if (ret < 0)
		goto out_rx;
	if (rcvbuf) {
		ret = nlsock_set_rcvbuf(s, rcvbuf);
		if (ret < 0)
			goto out_socket;
	}
	s->rx = rx;
	s->rx_cap = rx_cap;
	return 0;

out_socket:
	nlsock_close(s);
out_rx:
	free(rx);
	return ret;
}

void nlsock_close(struct nlsock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
	free(s->rx);
	s->rx = NULL;
	s->rx_cap = 0;
}

int nlsock_fd(const struct nlsock *s)
{
	return mnl_socket_get_fd(s->nl);
}

uint32_t nlsock_seq(struct nlsock *s)
{
	return s->seq++;
}

uint32_t nlsock_portid(const struct nlsock *s)
{
	return s->portid;
}

char *nlsock_rx(const struct nlsock *s)
{
	return s->rx;
}

uint16_t nlsock_refused_type(const struct nlsock *s)
{
	return s->refused_type;
}

int nlsock_drop_sender(struct nlsock *s, uint32_t portid)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_pid)),
		/* netlink headers are in host order, classic BPF loads big-endian */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(portid), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (setsockopt(nlsock_fd(s), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
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
	/* the receive loop polls and then reads without blocking: the
	 * bound belongs to the poll, where SO_RCVTIMEO would not count */
	if (ms > ACK_TIMEOUT_MS)
		return -EINVAL;
	s->wait_ms = (int)ms;
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

/* One datagram, never a part of one: -EMSGSIZE when it was longer than
 * cap (the kernel cut it, MSG_TRUNC), -EAGAIN when none waits. */
static ssize_t nlsock_recv(struct nlsock *s, void *buf, size_t cap)
{
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(nlsock_fd(s), &mh, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (mh.msg_flags & MSG_TRUNC) ? -EMSGSIZE : n;
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

int nlsock_drain(struct nlsock *s, nlsock_msg_fn fn, void *ctx, unsigned long long *lost)
{
	for (;;) {
		ssize_t n = nlsock_recv(s, s->rx, s->rx_cap - NLWALK_SLACK);
		const struct nlmsghdr *nlh;
		struct nlwalk w;

		if (n == -EAGAIN)
			return 0;
		/* the kernel dropped messages for us, or cut one: either way
		 * some are lost, and the reading goes on */
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			(*lost)++;
			continue;
		}
		if (n < 0)
			return (int)n;
		nlwalk_init(&w, s->rx, (size_t)n);
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

/* One loop reads the answers to everything sent: a step sees each message
 * and says whether more are wanted (RX_MORE) or what the answer is. */
#define RX_MORE 1

struct receive {
	int wait_ms;	/* for the next datagram; a step may shorten it */
	int (*step)(struct receive *r, const struct nlmsghdr *nlh);
};

static int receive(struct nlsock *s, struct receive *r)
{
	char buf[RX_SIZE];

	for (;;) {
		const struct nlmsghdr *nlh;
		struct nlwalk w;
		ssize_t n;

		if (wait_readable(s, r->wait_ms) < 0)
			return -ETIMEDOUT;
		n = nlsock_recv(s, buf, sizeof(buf) - NLWALK_SLACK);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		nlwalk_init(&w, buf, (size_t)n);
		while ((nlh = nlwalk_next(&w))) {
			int ret = r->step(r, nlh);

			if (ret != RX_MORE)
				return ret;
		}
	}
}

struct acks {
	struct receive r;	/* first: the step finds its acks from it */
	struct nlsock *s;
	const struct batch *b;
	unsigned expected, seen;
	int first_err;
	char *what;
	size_t cap;
};

/* Is seq one of this batch's messages?  An acknowledgement of an earlier
 * batch (one that timed out) arrives late with an older number. */
static int in_batch(const struct batch *b, uint32_t seq)
{
	return seq - b->seq_first < b->seq_next - b->seq_first;
}

static int ack_step(struct receive *r, const struct nlmsghdr *nlh)
{
	struct acks *a = (struct acks *)r;
	const struct nlmsgerr *err;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != a->s->portid ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err) || !in_batch(a->b, nlh->nlmsg_seq))
		return RX_MORE;
	err = mnl_nlmsg_get_payload(nlh);
	/* the batch as a whole refused (its begin or end message): no
	 * object acknowledgement follows */
	if (nlh->nlmsg_seq == a->b->seq_first || nlh->nlmsg_seq == a->b->seq_next - 1) {
		if (a->what)
			snprintf(a->what, a->cap, "the transaction as a whole");
		a->s->refused_type = err->msg.nlmsg_type;
		a->first_err = err->error ? err->error : -EPROTO;
		return a->first_err;
	}
	a->seen++;
	if (err->error && !a->first_err) {
		const char *obj = batch_what(a->b, nlh->nlmsg_seq);

		a->first_err = err->error;
		a->s->refused_type = err->msg.nlmsg_type;
		if (a->what)
			snprintf(a->what, a->cap, "%s", obj ? obj : "unknown object");
		/* the kernel has queued every answer by now: take what is
		 * there without waiting for more */
		a->r.wait_ms = 0;
	}
	return a->seen < a->expected ? RX_MORE : a->first_err;
}

static int send_batch(struct nlsock *s, const struct batch *b, char *what, size_t cap)
{
	unsigned expected = batch_count(b);
	int ret = grow_rcvbuf(s, expected);

	if (ret < 0) {
		if (what)
			snprintf(what, cap, "a transaction of %u messages (limit %d)", expected,
				 RCVBUF_MAX / ACK_BYTES);
		return ret;
	}
	ret = grow_sndbuf(s, b->len);
	if (ret == 0)
		ret = nlsock_send(s, b->buf, b->len);
	if (ret < 0 && what)
		snprintf(what, cap, "sending the transaction (%zu bytes)", b->len);
	return ret;
}

int nlsock_transact(struct nlsock *s, const struct batch *b, char *what, size_t cap)
{
	struct acks a = { { s->wait_ms, ack_step }, s, b, batch_count(b), 0, 0, what, cap };
	int ret;

	if (what && cap)
		what[0] = '\0';
	s->refused_type = 0;
	s->seq = b->seq_next;
	ret = send_batch(s, b, what, cap);
	if (ret < 0 || !a.expected)
		return ret;
	ret = receive(s, &a.r);
	if (a.first_err)
		return a.first_err;
	if (ret == -ETIMEDOUT) {
		if (what)
			snprintf(what, cap, "%u of %u acknowledgements", a.seen, a.expected);
	} else if (ret < 0 && what) {
		snprintf(what, cap, "reading acknowledgements");
	}
	return ret;
}

struct answer {
	struct receive r;	/* first: the step finds its answer from it */
	uint32_t seq, portid;
	nlsock_cb cb;
	void *data;
	int interrupted;	/* the dump changed while it was read */
	int failed;		/* the callback's error, kept until the end */
	int dump;		/* answers come until NLMSG_DONE */
};

static int answer_step(struct receive *r, const struct nlmsghdr *nlh)
{
	struct answer *a = (struct answer *)r;
	int ret;

	/* as libmnl's mnl_cb_run: our request's number, from the kernel to
	 * our port (0: the kernel did not say) */
	if (nlh->nlmsg_seq != a->seq || (nlh->nlmsg_pid && nlh->nlmsg_pid != a->portid))
		return RX_MORE;
	/* a dump the kernel saw change while it sent it is read to its end,
	 * so the socket holds nothing stale, and then reported */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		a->interrupted = 1;
	if (nlh->nlmsg_type == NLMSG_DONE)
		return a->failed ? a->failed : a->interrupted ? -EINTR : 0;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
			return -EPROTO;
		return err->error;
	}
	if (!a->cb || a->failed)
		return RX_MORE;
	ret = a->cb(nlh, a->data);
	if (ret < 0 && !a->dump)
		return ret;
	if (ret < 0)
		a->failed = ret;	/* the rest of the dump is read, not handed on */
	return RX_MORE;
}

int nlsock_request(struct nlsock *s, const void *msg, size_t len, nlsock_cb cb, void *data)
{
	const struct nlmsghdr *req = msg;
	struct answer a = { { s->wait_ms, answer_step }, req->nlmsg_seq, s->portid, cb, data, 0, 0,
			    (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP };
	int ret = nlsock_send(s, msg, len);

	return ret < 0 ? ret : receive(s, &a.r);
}
