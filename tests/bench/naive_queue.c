// SPDX-License-Identifier: GPL-2.0-or-later
/* Benchmark baseline: the minimal NFQUEUE loop, one recv and one verdict
 * (accept) per packet, with libnetfilter_queue's libmnl API.  Runs until
 * SIGTERM, then prints the number of verdicts. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	char buf[0xffff + 512];
	uint16_t num = argc > 1 ? (uint16_t)atoi(argv[1]) : 0;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct sigaction sa = { .sa_handler = on_term };
	unsigned long verdicts = 0;
	struct nlmsghdr *nlh;

	sigaction(SIGTERM, &sa, NULL);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 256);
	mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct nlattr *attr[NFQA_MAX + 1] = { NULL };
		struct nfqnl_msg_packet_hdr *ph;
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0)
			continue;
		nlh = (struct nlmsghdr *)buf;
		if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
			continue;
		ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, num);
		nfq_nlmsg_verdict_put(nlh, (int)ntohl(ph->packet_id), NF_ACCEPT);
		mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
		verdicts++;
	}
	printf("%lu\n", verdicts);
	return 0;
}
