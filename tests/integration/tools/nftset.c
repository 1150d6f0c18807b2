// SPDX-License-Identifier: GPL-2.0-or-later
/* Test helper: a set of table inet portwarden read from the kernel, in a
 * fraction of the time `nft -j` and a JSON parser take (a set of every
 * port, 131070 elements, cost them seconds of CPU).
 *
 *   nftset NETNS SET              prints the number of elements
 *   nftset NETNS SET tcp|udp PORT exit 0 when the set (of inet_proto .
 *                                 inet_service) holds that element, else 1
 *
 * NETNS is a name under /run/netns.  Exits 3 on error. */
#include <netinet/in.h>	/* before the kernel headers, which it covers */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

struct query {
	long count;
	int match;		/* the element looked for was seen */
	uint8_t proto;		/* 0: only count */
	uint16_t port;
};

/* A concatenation of inet_proto . inet_service: each part in a 32-bit
 * register, the port in network order. */
static int is_wanted(struct nftnl_set_elem *e, const struct query *q)
{
	uint32_t len = 0;
	const uint8_t *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	return key && len == 8 && key[0] == q->proto && key[4] == q->port >> 8 &&
	       key[5] == (q->port & 0xff);
}

static int count_elems(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	struct query *q = data;

	if (!s || nftnl_set_elems_nlmsg_parse(nlh, s) < 0 || !(it = nftnl_set_elems_iter_create(s))) {
		nftnl_set_free(s);
		return MNL_CB_ERROR;
	}
	while ((e = nftnl_set_elems_iter_next(it))) {
		q->count++;
		q->match |= q->proto && is_wanted(e, q);
	}
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int dump_elems(struct mnl_socket *nl, const char *set, struct query *q)
{
	static char buf[1 << 16];
	uint32_t seq = (uint32_t)time(NULL);
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!s)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, seq);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "portwarden");
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		int ret = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), count_elems, q);
		if (ret <= 0)
			return ret;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct query q = { 0 };
	struct mnl_socket *nl;
	int ret;

	if (argc == 5 && (!strcmp(argv[3], "tcp") || !strcmp(argv[3], "udp"))) {
		q.proto = !strcmp(argv[3], "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
		q.port = (uint16_t)atoi(argv[4]);
	} else if (argc != 3) {
		fprintf(stderr, "usage: nftset NETNS SET [tcp|udp PORT]\n");
		return 3;
	}
	if (enter_netns(argv[1]) < 0) {
		perror(argv[1]);
		return 3;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 3;
	}
	ret = dump_elems(nl, argv[2], &q);
	mnl_socket_close(nl);
	if (ret < 0) {
		fprintf(stderr, "set %s: %s\n", argv[2], strerror(errno));
		return 3;
	}
	if (q.proto)
		return q.match ? 0 : 1;
	printf("%ld\n", q.count);
	return 0;
}
