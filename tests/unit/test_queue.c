// SPDX-License-Identifier: GPL-2.0-or-later
/* Queue messages: builders parsed back, and parsing of packet messages
 * shaped like the kernel's, including broken ones. */
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
#include <linux/netfilter/nfnetlink_queue.h>
#include <endian.h>
#include <string.h>

#include "queue.h"

static struct nlmsghdr *packet_msg(char *buf, uint32_t id, uint32_t ifindex, const void *payload,
				   size_t len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl(id), .hw_protocol = htons(0x0800) };

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	if (ifindex)
		mnl_attr_put_u32(nlh, NFQA_IFINDEX_INDEV, htonl(ifindex));
	if (payload)
		mnl_attr_put(nlh, NFQA_PAYLOAD, len, payload);
	return nlh;
}

static void queue_msg_parse__packet__id_ifindex_payload(void **state)
{
	char buf[512];
	uint8_t payload[40] = { 0x45 };
	struct queue_packet qp;
	struct nlmsghdr *nlh = packet_msg(buf, 77, 3, payload, sizeof(payload));

	assert_int_equal(queue_msg_parse(nlh, &qp), 0);
	assert_int_equal(qp.id, 77);
	assert_int_equal(qp.ifindex, 3);
	assert_int_equal(qp.len, 40);
	assert_int_equal(qp.payload[0], 0x45);
}

/* The kernel's stamp of the packet's arrival: latency is counted from it */
static void queue_msg_parse__timestamp__arrival_time(void **state)
{
	char buf[512];
	struct queue_packet qp;
	struct nlmsghdr *nlh = packet_msg(buf, 5, 0, NULL, 0);
	struct nfqnl_msg_packet_timestamp ts = { htobe64(1795000000), htobe64(250000) };

	assert_int_equal(queue_msg_parse(nlh, &qp), 0);
	assert_int_equal(qp.stamp.tv_sec, 0);	/* none given */
	mnl_attr_put(nlh, NFQA_TIMESTAMP, sizeof(ts), &ts);
	assert_int_equal(queue_msg_parse(nlh, &qp), 0);
	assert_int_equal(qp.stamp.tv_sec, 1795000000);
	assert_int_equal(qp.stamp.tv_nsec, 250000000);
	/* cut short: refused */
	nlh = packet_msg(buf, 5, 0, NULL, 0);
	mnl_attr_put(nlh, NFQA_TIMESTAMP, 8, &ts);
	assert_int_equal(queue_msg_parse(nlh, &qp), -EINVAL);
}

static void queue_msg_parse__no_payload__parsed_without_one(void **state)
{
	char buf[512];
	struct queue_packet qp;

	assert_int_equal(queue_msg_parse(packet_msg(buf, 1, 0, NULL, 0), &qp), 0);
	assert_null(qp.payload);
	assert_int_equal(qp.ifindex, 0);
}

static void queue_msg_parse__broken__einval(void **state)
{
	char buf[512];
	struct queue_packet qp;
	struct nlmsghdr *nlh;

	/* wrong subsystem */
	nlh = packet_msg(buf, 1, 0, NULL, 0);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFQNL_MSG_PACKET;
	assert_int_equal(queue_msg_parse(nlh, &qp), -EINVAL);
	/* no packet header */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	assert_int_equal(queue_msg_parse(nlh, &qp), -EINVAL);
	/* packet header too short */
	mnl_attr_put_u16(nlh, NFQA_PACKET_HDR, 5);
	assert_int_equal(queue_msg_parse(nlh, &qp), -EINVAL);
	/* shorter than the nfnetlink header */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	assert_int_equal(queue_msg_parse(nlh, &qp), -EINVAL);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= NFQA_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void queue_verdicts_put__runs__one_batch_message_per_run(void **state)
{
	static const struct queue_verdict v[] = {
		{ 10, NF_ACCEPT }, { 11, NF_ACCEPT }, { 12, NF_DROP }, { 13, NF_ACCEPT },
		{ 14, NF_ACCEPT }, { 15, NF_ACCEPT },
	};
	static const uint32_t want_id[] = { 11, 12, 15 };
	static const int want_verdict[] = { NF_ACCEPT, NF_DROP, NF_ACCEPT };
	char buf[6 * QUEUE_VERDICT_MSG_MAX];
	const struct nlmsghdr *nlh;
	int left, n = 0;

	(void)state;
	left = (int)queue_verdicts_put(buf, 3, v, 6);
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlattr *tb[NFQA_MAX + 1] = { NULL };
		const struct nfqnl_msg_verdict_hdr *vh;
		const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);

		assert_true(n < 3);
		assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT_BATCH);
		assert_int_equal(ntohs(nfg->res_id), 3);
		mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
		vh = mnl_attr_get_payload(tb[NFQA_VERDICT_HDR]);
		assert_int_equal(ntohl(vh->id), want_id[n]);
		assert_int_equal(ntohl(vh->verdict), want_verdict[n]);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(left, 0);
	assert_int_equal(queue_verdicts_put(buf, 3, v, 0), 0);
}

static void queue_config_put__fail_modes__flags_in_one_attribute(void **state)
{
	int fail_open;

	for (fail_open = 0; fail_open < 2; fail_open++) {
		char buf[256];
		const struct nlattr *tb[NFQA_MAX + 1] = { NULL };
		const struct nfqnl_msg_config_params *params;
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		queue_config_put(buf, 9, 1234, fail_open);
		assert_int_equal(nlh->nlmsg_seq, 1234);
		assert_true(nlh->nlmsg_flags & NLM_F_ACK);
		mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
		assert_non_null(tb[NFQA_CFG_FLAGS]);
		assert_non_null(tb[NFQA_CFG_MASK]);
		assert_int_equal(ntohl(mnl_attr_get_u32(tb[NFQA_CFG_MASK])) & NFQA_CFG_F_FAIL_OPEN,
				 NFQA_CFG_F_FAIL_OPEN);
		assert_int_equal(!!(ntohl(mnl_attr_get_u32(tb[NFQA_CFG_FLAGS])) & NFQA_CFG_F_FAIL_OPEN),
				 fail_open);
		params = mnl_attr_get_payload(tb[NFQA_CFG_PARAMS]);
		assert_int_equal(params->copy_mode, NFQNL_COPY_PACKET);
		assert_int_equal(ntohl(params->copy_range), QUEUE_COPY_RANGE);
		assert_int_equal(ntohl(mnl_attr_get_u32(tb[NFQA_CFG_QUEUE_MAXLEN])), QUEUE_MAXLEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(queue_msg_parse__packet__id_ifindex_payload),
		cmocka_unit_test(queue_msg_parse__no_payload__parsed_without_one),
		cmocka_unit_test(queue_msg_parse__timestamp__arrival_time),
		cmocka_unit_test(queue_msg_parse__broken__einval),
		cmocka_unit_test(queue_verdicts_put__runs__one_batch_message_per_run),
		cmocka_unit_test(queue_config_put__fail_modes__flags_in_one_attribute),
	};

	return cmocka_run_group_tests_name("queue", tests, NULL, NULL);
}
