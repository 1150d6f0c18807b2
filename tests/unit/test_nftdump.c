// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nftdump.h"

/* nf_tables behind a datagram socket pair: a GETGEN request is answered
 * with the next generation of a script, a dump with two objects and DONE,
 * marked interrupted when the script says so. */
#define PORTID 4242
#define OBJ_TYPE ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)

static int sp[2] = { -1, -1 };
static const uint32_t *gens;	/* generations the GETGEN requests get, in turn */
static unsigned ngen, next_gen;
static const int *intr;		/* per dump: is it marked interrupted */
static unsigned ndump, dumps;

int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl)
{
	return sp[0];
}

static void put(const struct nlmsghdr *nlh)
{
	assert_int_equal(send(sp[1], nlh, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
}

static void answer_gen(const struct nlmsghdr *req)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlmsgerr *err;

	assert_true(next_gen < ngen);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = PORTID;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(gens[next_gen++]));
	put(nlh);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = PORTID;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = 0;
	err->msg = *req;
	put(nlh);
}

static void answer_dump(const struct nlmsghdr *req)
{
	int interrupted = dumps < ndump && intr[dumps];
	char buf[64];
	unsigned i;

	dumps++;
	for (i = 0; i < 3; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

		nlh->nlmsg_type = i == 2 ? NLMSG_DONE : OBJ_TYPE;
		nlh->nlmsg_seq = req->nlmsg_seq;
		nlh->nlmsg_pid = PORTID;
		nlh->nlmsg_flags = NLM_F_MULTI | (interrupted ? NLM_F_DUMP_INTR : 0);
		put(nlh);
	}
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *req = buf;

	if (NFNL_MSG_TYPE(req->nlmsg_type) == NFT_MSG_GETGEN)
		answer_gen(req);
	else
		answer_dump(req);
	return (ssize_t)len;
}

static int setup(void **state)
{
	next_gen = dumps = 0;
	ngen = ndump = 0;
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
	s->nl = (struct mnl_socket *)&sp;
	s->portid = PORTID;
	s->seq = 100;
	s->wait_ms = 1000;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned *)data)++;
	return 0;
}

/* one dump; the result starts afresh on every try */
static int read_objects(struct nlsock *nl, void *ctx)
{
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = OBJ_TYPE,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP };

	*(unsigned *)ctx = 0;
	req.nlmsg_seq = nlsock_seq(nl);
	return nlsock_request(nl, &req, req.nlmsg_len, count_cb, ctx);
}

static void nftdump_genid__newgen__its_id(void **state)
{
	static const uint32_t g[] = { 77 };
	struct nlsock s;
	uint32_t id = 0;

	fake_socket(&s);
	gens = g;
	ngen = 1;
	assert_int_equal(nftdump_genid(&s, &id), 0);
	assert_int_equal(id, 77);
}

static void nftdump_consistent__same_generation__read_once(void **state)
{
	static const uint32_t g[] = { 5, 5 };
	struct nlsock s;
	unsigned objects = 0;

	fake_socket(&s);
	gens = g;
	ngen = 2;
	assert_int_equal(nftdump_consistent(&s, read_objects, &objects), 0);
	assert_int_equal(dumps, 1);
	assert_int_equal(objects, 2);
}

/* a transaction committed between the two looks: what was read may mix
 * two rulesets, so it is read again */
static void nftdump_consistent__generation_moved__read_again(void **state)
{
	static const uint32_t g[] = { 5, 6, 6, 6 };
	struct nlsock s;
	unsigned objects = 0;

	fake_socket(&s);
	gens = g;
	ngen = 4;
	assert_int_equal(nftdump_consistent(&s, read_objects, &objects), 0);
	assert_int_equal(dumps, 2);
	assert_int_equal(objects, 2);	/* the second try's, not both */
}

static void nftdump_consistent__dump_interrupted__read_again(void **state)
{
	static const uint32_t g[] = { 5, 5, 5 };
	static const int marked[] = { 1, 0 };
	struct nlsock s;
	unsigned objects = 0;

	fake_socket(&s);
	gens = g;
	ngen = 3;
	intr = marked;
	ndump = 2;
	assert_int_equal(nftdump_consistent(&s, read_objects, &objects), 0);
	assert_int_equal(dumps, 2);
	assert_int_equal(objects, 2);
}

static void nftdump_consistent__ruleset_never_still__eagain(void **state)
{
	static uint32_t g[2 * NFTDUMP_TRIES];
	struct nlsock s;
	unsigned objects = 0, i;

	for (i = 0; i < 2 * NFTDUMP_TRIES; i++)
		g[i] = i;
	fake_socket(&s);
	gens = g;
	ngen = 2 * NFTDUMP_TRIES;
	assert_int_equal(nftdump_consistent(&s, read_objects, &objects), -EAGAIN);
	assert_int_equal(dumps, NFTDUMP_TRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nftdump_genid__newgen__its_id, setup, teardown),
		cmocka_unit_test_setup_teardown(nftdump_consistent__same_generation__read_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(nftdump_consistent__generation_moved__read_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(nftdump_consistent__dump_interrupted__read_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(nftdump_consistent__ruleset_never_still__eagain, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
