// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "nlsock.h"

/* The kernel side of a datagram socket pair stands in for nf_tables:
 * whatever nlsock sends is answered there, as the test says, and nlsock
 * reads the answers from its end as from a netlink socket. */
#define PORTID 4242
#define OBJ_TYPE ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM)

static int sp[2] = { -1, -1 };
static unsigned per_datagram;	/* answers packed into one datagram */
static unsigned answered;	/* acknowledge only this many, ~0u: all */
static uint32_t refuse_seq;	/* the message answered with refuse_err */
static int refuse_err;
static uint32_t foreign_seq;	/* an answer to this one comes from another port first */
static int refuse_batch;	/* answer the batch begin with this error, nothing else */

int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl)
{
	return sp[0];
}

struct out {
	char buf[8192];
	size_t len;
	unsigned n;
};

static void flush_out(struct out *o)
{
	if (o->n)
		assert_int_equal(send(sp[1], o->buf, o->len, 0), (ssize_t)o->len);
	o->len = 0;
	o->n = 0;
}

static void put_ack(struct out *o, const struct nlmsghdr *req, uint32_t pid, int error)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(o->buf + o->len);
	struct nlmsgerr *err;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = pid;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg = *req;
	o->len += NLMSG_ALIGN(nlh->nlmsg_len);
	if (++o->n == per_datagram)
		flush_out(o);
}

/* Acknowledges every object message of the batch, the batch markers not. */
static void answer_batch(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	struct out o = { .n = 0 };
	unsigned done = 0;

	for (; mnl_nlmsg_ok(nlh, (int)len); nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN && refuse_batch) {
			put_ack(&o, nlh, PORTID, refuse_batch);
			break;
		}
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			continue;
		if (done++ == answered)
			break;
		if (nlh->nlmsg_seq == foreign_seq)
			put_ack(&o, nlh, PORTID + 1, -EPERM);
		put_ack(&o, nlh, PORTID, nlh->nlmsg_seq == refuse_seq ? refuse_err : 0);
	}
	flush_out(&o);
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	answer_batch(buf, len);
	return (ssize_t)len;
}

static int setup(void **state)
{
	per_datagram = 1;
	answered = ~0u;
	refuse_seq = foreign_seq = 0;
	refuse_err = refuse_batch = 0;
	return socketpair(AF_UNIX, SOCK_DGRAM, 0, sp);
}

static int teardown(void **state)
{
	close(sp[0]);
	close(sp[1]);
	return 0;
}

static void fake_socket(struct nlsock *s)
{
	memset(s, 0, sizeof(*s));
	s->nl = (struct mnl_socket *)&sp;	/* never looked into: the fd is wrapped */
	s->portid = PORTID;
	s->seq = 100;
	s->wait_ms = 1000;
}

/* n object messages; the k-th (from 1) is labelled "object k" */
static void build(struct batch *b, struct nlsock *s, unsigned n)
{
	unsigned i;

	assert_int_equal(batch_init(b, nlsock_seq(s)), 0);
	for (i = 1; i <= n; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(batch_reserve(b));
		struct nfgenmsg *nfg;

		nlh->nlmsg_type = OBJ_TYPE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = batch_next_seq(b);
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = NFPROTO_INET;
		batch_commit(b, "object %u", i);
	}
	assert_int_equal(batch_end(b), 0);
}

static int drained(void)
{
	char c;

	return recv(sp[0], &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static void nlsock_transact__batch_acked__zero_every_ack_read(void **state)
{
	struct nlsock s;
	struct batch b;
	char what[64];

	fake_socket(&s);
	per_datagram = 5;
	build(&b, &s, 5);
	assert_int_equal(nlsock_transact(&s, &b, what, sizeof(what)), 0);
	assert_string_equal(what, "");
	assert_true(drained());
	assert_int_equal(nlsock_seq(&s), b.seq_next);	/* numbers go on after the batch */
	batch_free(&b);
}

static void nlsock_transact__acks_over_several_datagrams__all_read(void **state)
{
	struct nlsock s;
	struct batch b;

	fake_socket(&s);
	per_datagram = 7;	/* 9 datagrams, the last one short */
	build(&b, &s, 60);
	assert_int_equal(nlsock_transact(&s, &b, NULL, 0), 0);
	assert_true(drained());
	batch_free(&b);
}

static void nlsock_transact__error_ack__errno_object_and_type_named(void **state)
{
	struct nlsock s;
	struct batch b;
	char what[64];

	fake_socket(&s);
	per_datagram = 2;
	build(&b, &s, 5);
	refuse_seq = b.seq_first + 3;
	refuse_err = -EEXIST;
	assert_int_equal(nlsock_transact(&s, &b, what, sizeof(what)), -EEXIST);
	assert_string_equal(what, "object 3");
	assert_int_equal(nlsock_refused_type(&s), OBJ_TYPE);
	assert_true(drained());	/* the acks after the error are read too */
	batch_free(&b);
}

static void nlsock_transact__ack_from_another_port__ignored(void **state)
{
	struct nlsock s;
	struct batch b;

	fake_socket(&s);
	per_datagram = 3;
	build(&b, &s, 3);
	foreign_seq = b.seq_first + 2;
	assert_int_equal(nlsock_transact(&s, &b, NULL, 0), 0);
	assert_int_equal(nlsock_refused_type(&s), 0);
	batch_free(&b);
}

static void nlsock_transact__ack_missing__timeout_says_how_many(void **state)
{
	struct nlsock s;
	struct batch b;
	char what[64];

	fake_socket(&s);
	assert_int_equal(nlsock_set_rcvtimeo(&s, 50), 0);
	answered = 2;
	build(&b, &s, 3);
	assert_int_equal(nlsock_transact(&s, &b, what, sizeof(what)), -ETIMEDOUT);
	assert_string_equal(what, "2 of 3 acknowledgements");
	batch_free(&b);
}

/* An earlier transaction timed out and its acknowledgements arrive now,
 * before this one's: they carry older sequence numbers and are not taken
 * for this batch's, neither as successes nor as errors. */
static void nlsock_transact__late_ack_of_earlier_batch__not_taken(void **state)
{
	struct nlsock s;
	struct batch b;
	struct out o = { .n = 0 };
	struct nlmsghdr old = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = OBJ_TYPE };
	unsigned i;

	fake_socket(&s);
	per_datagram = 1;
	for (i = 0; i < 3; i++) {
		old.nlmsg_seq = s.seq - 3 + i;	/* the batch before, cut short */
		put_ack(&o, &old, PORTID, i == 1 ? -ENOENT : 0);
	}
	build(&b, &s, 3);
	assert_int_equal(nlsock_transact(&s, &b, NULL, 0), 0);
	assert_true(drained());	/* this batch's three were all read */
	batch_free(&b);
}

static void nlsock_transact__batch_refused_as_a_whole__error_at_once(void **state)
{
	struct nlsock s;
	struct batch b;
	char what[64];

	fake_socket(&s);
	refuse_batch = -EPERM;
	build(&b, &s, 4);
	/* no object acknowledgement follows: no wait for them either */
	assert_int_equal(nlsock_transact(&s, &b, what, sizeof(what)), -EPERM);
	assert_string_equal(what, "the transaction as a whole");
	batch_free(&b);
}

/* A dump: the answers come in datagrams of their own, some for an older
 * request in between, and NLMSG_DONE ends it. */
static void put_msg(struct out *o, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(o->buf + o->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	o->len += NLMSG_ALIGN(nlh->nlmsg_len);
	if (++o->n == per_datagram)
		flush_out(o);
}

static void put_dump(uint32_t seq)
{
	struct out o = { .n = 0 };
	unsigned i;

	per_datagram = 2;
	for (i = 0; i < 6; i++)
		put_msg(&o, OBJ_TYPE, i == 3 ? seq - 1 : seq);
	put_msg(&o, NLMSG_DONE, seq);
	flush_out(&o);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned *)data)++;
	return 0;
}

static void nlsock_request__dump_over_datagrams__every_answer_until_done(void **state)
{
	struct nlsock s;
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_seq = 500 };
	unsigned seen = 0;

	fake_socket(&s);
	answered = 0;	/* the request is no batch: answered below */
	put_dump(req.nlmsg_seq);
	assert_int_equal(nlsock_request(&s, &req, req.nlmsg_len, count_cb, &seen), 0);
	assert_int_equal(seen, 5);	/* the stale one left out */
	assert_true(drained());
}

/* A datagram longer than the receive buffer is cut by the kernel: the
 * answer is incomplete, which is an error, not a shorter answer. */
static void nlsock_request__datagram_cut__emsgsize(void **state)
{
	static char big[40000];
	struct nlsock s;
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_seq = 500 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)big;
	unsigned seen = 0;

	fake_socket(&s);
	answered = 0;
	nlh->nlmsg_len = sizeof(big);
	nlh->nlmsg_type = OBJ_TYPE;
	nlh->nlmsg_seq = req.nlmsg_seq;
	assert_int_equal(send(sp[1], big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(nlsock_request(&s, &req, req.nlmsg_len, count_cb, &seen), -EMSGSIZE);
	assert_int_equal(seen, 0);
}

/* The objects changed while the kernel sent the dump (NLM_F_DUMP_INTR on
 * its messages): the dump is read to its end, nothing of it left on the
 * socket, and the caller hears it was interrupted. */
static void nlsock_request__dump_interrupted__eintr_after_reading_it_all(void **state)
{
	struct nlsock s;
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_seq = 500,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP };
	struct out o = { .n = 0 };
	unsigned seen = 0, i;

	fake_socket(&s);
	answered = 0;
	per_datagram = 2;
	for (i = 0; i < 5; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(o.buf + o.len);

		nlh->nlmsg_type = OBJ_TYPE;
		nlh->nlmsg_seq = req.nlmsg_seq;
		nlh->nlmsg_flags = i >= 2 ? NLM_F_MULTI | NLM_F_DUMP_INTR : NLM_F_MULTI;
		o.len += NLMSG_ALIGN(nlh->nlmsg_len);
		if (++o.n == per_datagram)
			flush_out(&o);
	}
	put_msg(&o, NLMSG_DONE, req.nlmsg_seq);
	flush_out(&o);
	assert_int_equal(nlsock_request(&s, &req, req.nlmsg_len, count_cb, &seen), -EINTR);
	assert_true(drained());
}

/* The worker asks sock_diag while packets wait: a bound set on the socket
 * holds for requests, whose receive loop polls before it reads. */
static void nlsock_request__no_answer__gives_up_after_the_bound(void **state)
{
	struct nlsock s;
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_seq = 500 };
	struct timespec t0, t1;
	long long ms;

	fake_socket(&s);
	answered = 0;
	assert_int_equal(nlsock_set_rcvtimeo(&s, 100), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(nlsock_request(&s, &req, req.nlmsg_len, NULL, NULL), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_in_range(ms, 90, 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nlsock_transact__batch_acked__zero_every_ack_read,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_transact__acks_over_several_datagrams__all_read,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_transact__error_ack__errno_object_and_type_named,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_transact__ack_from_another_port__ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_transact__ack_missing__timeout_says_how_many,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_request__dump_over_datagrams__every_answer_until_done,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_request__no_answer__gives_up_after_the_bound,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_transact__late_ack_of_earlier_batch__not_taken,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_transact__batch_refused_as_a_whole__error_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_request__datagram_cut__emsgsize, setup, teardown),
		cmocka_unit_test_setup_teardown(nlsock_request__dump_interrupted__eintr_after_reading_it_all,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
