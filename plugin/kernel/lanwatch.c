// SPDX-License-Identifier: GPL-2.0-or-later
/* Interfaces and addresses from rtnetlink, for the effective LAN. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lanwatch.h"

#define RX_SIZE (64 * 1024)

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* IFLA_IFNAME, IFA_ADDRESS and IFA_LOCAL are all below 4 */
	if (type < 4)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_link(const struct nlmsghdr *nlh, struct lan_host *host)
{
	const struct nlattr *tb[4] = { NULL };
	const struct ifinfomsg *ifi;
	struct lan_link *l;
	const char *name;
	size_t len;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb) < 0 || !tb[IFLA_IFNAME] ||
	    mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0 || ifi->ifi_index <= 0)
		return;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	len = strlen(name);
	if (len == 0 || len >= IFNAMSIZ)
		return;
	if (host->nlinks == LAN_LINKS_MAX) {
		host->dropped++;
		return;
	}
	l = &host->links[host->nlinks++];
	l->ifindex = (uint32_t)ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	memcpy(l->name, name, len + 1);
}

static void parse_addr(const struct nlmsghdr *nlh, struct lan_host *host)
{
	const struct nlattr *tb[4] = { NULL }, *a;
	const struct ifaddrmsg *ifa;
	struct lan_addr *out;
	size_t want;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifa))
		return;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	want = ifa->ifa_family == AF_INET ? 4 : 16;
	if (ifa->ifa_prefixlen > want * 8 || mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb) < 0)
		return;
	/* IFA_ADDRESS is the peer on point-to-point links: the connected
	 * route's network */
	a = tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (!a || mnl_attr_get_payload_len(a) != want)
		return;
	if (host->naddrs == LAN_ADDRS_MAX) {
		host->dropped++;
		return;
	}
	out = &host->addrs[host->naddrs++];
	memset(out, 0, sizeof(*out));
	out->ifindex = ifa->ifa_index;
	out->family = ifa->ifa_family;
	out->prefix = ifa->ifa_prefixlen;
	memcpy(out->addr, mnl_attr_get_payload(a), want);
}

void lanwatch_parse(const struct nlmsghdr *nlh, struct lan_host *host)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		parse_link(nlh, host);
	else if (nlh->nlmsg_type == RTM_NEWADDR)
		parse_addr(nlh, host);
}

int lanwatch_open(struct lanwatch *w)
{
	int ret;

	memset(w, 0, sizeof(*w));
	ret = nlsock_open_reader(&w->events, NETLINK_ROUTE,
				 RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, RX_SIZE, 0);
	if (ret < 0)
		return ret;
	ret = nlsock_open_bus(&w->dump, NETLINK_ROUTE, 0);
	if (ret < 0)
		nlsock_close(&w->events);
	return ret;
}

void lanwatch_close(struct lanwatch *w)
{
	nlsock_close(&w->dump);
	nlsock_close(&w->events);
}

int lanwatch_fd(const struct lanwatch *w)
{
	return nlsock_fd(&w->events);
}

static void count_event(void *ctx, const struct nlmsghdr *nlh)
{
	(void)nlh;
	((struct lanwatch *)ctx)->events_seen++;
}

int lanwatch_drain(struct lanwatch *w)
{
	unsigned long long seen = w->events_seen, lost = w->lost;
	int ret = nlsock_drain(&w->events, count_event, w, &w->lost);

	if (ret < 0)
		return ret;
	return w->events_seen != seen || w->lost != lost;
}

static int on_dump(const struct nlmsghdr *nlh, void *data)
{
	lanwatch_parse(nlh, data);
	return 0;
}

/* RTM_GETLINK or RTM_GETADDR, every family */
static int dump(struct lanwatch *w, uint16_t type, struct lan_host *host)
{
	char buf[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg))] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nlsock_seq(&w->dump);
	/* ifinfomsg and ifaddrmsg both start with the family: AF_UNSPEC */
	mnl_nlmsg_put_extra_header(nlh, type == RTM_GETLINK ? sizeof(struct ifinfomsg)
							  : sizeof(struct ifaddrmsg));
	return nlsock_request(&w->dump, buf, nlh->nlmsg_len, on_dump, host);
}

int lanwatch_read(struct lanwatch *w, struct lan_host *host)
{
	int ret;

	host->nlinks = host->naddrs = host->dropped = 0;
	ret = dump(w, RTM_GETLINK, host);
	if (ret == 0)
		ret = dump(w, RTM_GETADDR, host);
	return ret;
}

int lanwatch_effective(const struct config *cfg, struct lan *lan)
{
	struct lan_host *host = calloc(1, sizeof(*host));
	struct lanwatch w;
	int ret;

	if (!host)
		return -ENOMEM;
	ret = lanwatch_open(&w);
	if (ret == 0) {
		ret = lanwatch_read(&w, host);
		lanwatch_close(&w);
	}
	if (ret < 0)
		host->nlinks = host->naddrs = 0;
	lan_compute(host, cfg, lan);
	free(host);
	return ret;
}
