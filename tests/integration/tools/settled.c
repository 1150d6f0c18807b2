// SPDX-License-Identifier: GPL-2.0-or-later
/* Test helper: proof from the kernel that a probe's packet met its fate.
 *
 *   settled NETNS              prints the packets counted so far
 *   settled NETNS AFTER MS     waits until more than AFTER are counted and
 *                              none waits in a queue; exit 0, or 1 after MS
 *
 * Counted are the packets of table inet portwarden's rules that end in a
 * drop or a queue (their counters), in the network namespace NETNS (a name
 * under /run/netns).  A queued packet with nothing left waiting in any
 * queue has had its verdict; after a drop or an accept verdict, any answer
 * of the host is already on its way.  Exits 3 on error. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

struct kernel {
	struct mnl_socket *nl;
	int queues;		/* /proc/net/netfilter/nfnetlink_queue */
	uint32_t seq;
};

static int expr_ends_rule(struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!strcmp(name, "queue"))
		return 1;
	if (!strcmp(name, "target"))
		return !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "NFQUEUE");
	return !strcmp(name, "immediate") && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) &&
	       nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_DROP;
}

static int add_rule(const struct nlmsghdr *nlh, void *data)
{
	uint64_t *sum = data, packets = 0;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	int ends = 0;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0 || !(it = nftnl_expr_iter_create(r))) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	while ((e = nftnl_expr_iter_next(it))) {
		if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter"))
			packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		ends |= expr_ends_rule(e);
	}
	if (ends)
		*sum += packets;
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* rule_packets: packets counted by the table's dropping and queueing rules;
 * 0 while there is no table */
static int rule_packets(struct kernel *k, uint64_t *sum)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!r)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, ++k->seq);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "portwarden");
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	*sum = 0;
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(k->nl, buf, sizeof(buf))) > 0) {
		int ret = mnl_cb_run(buf, n, k->seq, mnl_socket_get_portid(k->nl), add_rule, sum);
		if (ret <= 0)
			return ret < 0 && errno == ENOENT ? 0 : ret;
	}
	return -1;
}

/* queued: packets waiting in any queue of the namespace for a verdict */
static long queued(struct kernel *k)
{
	char buf[4096], *line, *save = NULL;
	long total = 0, waiting;
	ssize_t n = pread(k->queues, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return 0;	/* no queue bound: nothing waits */
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%*u %*u %ld", &waiting) == 1)
			total += waiting;
	return total;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int wait_settled(struct kernel *k, uint64_t after, long ms)
{
	long deadline = now_ms() + ms;
	uint64_t sum;

	do {
		if (rule_packets(k, &sum) < 0)
			return 3;
		/* the queue read after the counters: a packet counted there has
		 * reached its queue by now */
		if (sum > after && queued(k) == 0)
			return 0;
		usleep(5000);
	} while (now_ms() < deadline);
	return 1;
}

int main(int argc, char **argv)
{
	struct kernel k = { .seq = (uint32_t)time(NULL) };
	uint64_t sum;
	int ret;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: settled NETNS [AFTER TIMEOUT_MS]\n");
		return 3;
	}
	if (enter_netns(argv[1]) < 0) {
		perror(argv[1]);
		return 3;
	}
	k.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!k.nl || mnl_socket_bind(k.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 3;
	}
	k.queues = open("/proc/net/netfilter/nfnetlink_queue", O_RDONLY | O_CLOEXEC);
	if (argc == 4) {
		ret = wait_settled(&k, strtoull(argv[2], NULL, 10), atol(argv[3]));
	} else if (rule_packets(&k, &sum) < 0) {
		ret = 3;
	} else {
		printf("%" PRIu64 "\n", sum);
		ret = 0;
	}
	mnl_socket_close(k.nl);
	return ret;
}
