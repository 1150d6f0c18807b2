// SPDX-License-Identifier: GPL-2.0-or-later
/* Interfaces and addresses from rtnetlink, for the effective LAN.  Every
 * event is the whole state of one link or one address, so applying the
 * events queued while a dump ran, after it, ends where the kernel is. */
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

#include "linkinfo.h"
#include "lanwatch.h"
#include "netaddr.h"

#define RX_SIZE (64 * 1024)
/* a node starting a thousand containers announces a few thousand links
 * and addresses at once, a kilobyte or so each: they wait here instead of
 * being dropped, which would cost a whole read */
#define EVENTS_RCVBUF (8 << 20)

struct attrs {
	const struct nlattr *tb[IFLA_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= IFLA_MAX)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static void nested_str(const struct nlattr *a, char *out, size_t cap)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(out, cap, "%s", mnl_attr_get_str(a));
}

/* IFLA_INFO_KIND and IFLA_INFO_SLAVE_KIND, "" when absent */
static void link_kinds(const struct nlattr *linkinfo, char *kind, char *slave, size_t cap)
{
	struct attrs in = { { NULL } };

	kind[0] = slave[0] = '\0';
	if (!linkinfo || mnl_attr_validate(linkinfo, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(linkinfo, attr_cb, &in) < 0)
		return;
	nested_str(in.tb[IFLA_INFO_KIND], kind, cap);
	nested_str(in.tb[IFLA_INFO_SLAVE_KIND], slave, cap);
}

static uint32_t apply_link(const struct nlmsghdr *nlh, struct lan_host *host)
{
	const struct ifinfomsg *ifi;
	struct attrs a = { { NULL } };
	struct lan_link *l;
	const char *name;
	char kind[16], slave[16];
	size_t len;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	/* AF_BRIDGE messages describe a port's bridge state: a DELLINK of
	 * theirs means a port left its bridge, not that the link is gone */
	if (ifi->ifi_family != AF_UNSPEC || ifi->ifi_index <= 0)
		return 0;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		lanhost_del(host, (uint32_t)ifi->ifi_index);
		return (uint32_t)ifi->ifi_index;
	}
	/* without a name: a wireless extensions event, no state of the link */
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &a) < 0 || !a.tb[IFLA_IFNAME] ||
	    mnl_attr_validate(a.tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return 0;
	name = mnl_attr_get_str(a.tb[IFLA_IFNAME]);
	len = strlen(name);
	if (len == 0 || len >= IFNAMSIZ)
		return 0;
	l = lanhost_add(host, (uint32_t)ifi->ifi_index);
	if (!l)
		return 0;
	if (strcmp(l->name, name)) {
		memcpy(l->name, name, len + 1);
		l->facts_read = 0;	/* sysfs knows it by its new name */
	}
	l->flags = ifi->ifi_flags;
	link_kinds(a.tb[IFLA_LINKINFO], kind, slave, sizeof(kind));
	memcpy(l->kind, kind, sizeof(l->kind));
	/* a VRF's interfaces stay interfaces of their own */
	l->port = a.tb[IFLA_MASTER] && mnl_attr_validate(a.tb[IFLA_MASTER], MNL_TYPE_U32) == 0 &&
		  mnl_attr_get_u32(a.tb[IFLA_MASTER]) && strcmp(slave, "vrf");
	return l->ifindex;
}

static uint32_t apply_addr(const struct nlmsghdr *nlh, struct lan_host *host)
{
	const struct ifaddrmsg *ifa;
	struct attrs at = { { NULL } };
	const struct nlattr *p;
	struct lan_addr a;
	struct lan_link *l;
	size_t want;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifa))
		return 0;
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) || !ifa->ifa_index)
		return 0;
	want = netaddr_len(ifa->ifa_family);
	if (ifa->ifa_prefixlen > want * 8 || mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &at) < 0)
		return 0;
	/* IFA_ADDRESS is the peer on point-to-point links: the connected
	 * route's network */
	p = at.tb[IFA_ADDRESS] ? at.tb[IFA_ADDRESS] : at.tb[IFA_LOCAL];
	if (!p || mnl_attr_get_payload_len(p) != want)
		return 0;
	memset(&a, 0, sizeof(a));
	a.family = ifa->ifa_family;
	a.prefix = ifa->ifa_prefixlen;
	memcpy(a.addr, mnl_attr_get_payload(p), want);
	if (nlh->nlmsg_type == RTM_DELADDR) {
		l = lanhost_find(host, ifa->ifa_index);
		if (l)
			lanhost_addr_del(l, &a);
		return ifa->ifa_index;
	}
	/* an address can be announced before its link: a link without a name
	 * yet, which its RTM_NEWLINK completes */
	l = lanhost_add(host, ifa->ifa_index);
	if (!l || lanhost_addr_add(host, l, &a) < 0)
		return 0;
	return ifa->ifa_index;
}

uint32_t lanwatch_apply(const struct nlmsghdr *nlh, struct lan_host *host)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return apply_link(nlh, host);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return apply_addr(nlh, host);
	default:
		return 0;
	}
}

int lanwatch_open(struct lanwatch *w)
{
	int ret;

	memset(w, 0, sizeof(*w));
	ret = nlsock_open_reader(&w->events, NETLINK_ROUTE,
				 RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, RX_SIZE,
				 EVENTS_RCVBUF);
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
	free(w->dirty);
	w->dirty = NULL;
	w->ndirty = w->cap = 0;
}

int lanwatch_fd(const struct lanwatch *w)
{
	return nlsock_fd(&w->events);
}

static void mark(struct lanwatch *w, uint32_t ifindex)
{
	if (!ifindex)
		return;
	if (w->ndirty && w->dirty[w->ndirty - 1] == ifindex)
		return;	/* a link's events come in a row */
	if (w->ndirty == w->cap) {
		unsigned cap = w->cap ? 2 * w->cap : 256;
		uint32_t *grown = realloc(w->dirty, cap * sizeof(*grown));

		if (!grown) {
			w->resync = 1;	/* the next take looks at everything */
			return;
		}
		w->dirty = grown;
		w->cap = cap;
	}
	w->dirty[w->ndirty++] = ifindex;
}

struct drain_ctx {
	struct lanwatch *w;
	struct lan_host *host;
};

static void on_event(void *ctx, const struct nlmsghdr *nlh)
{
	struct drain_ctx *c = ctx;

	c->w->events_seen++;
	mark(c->w, lanwatch_apply(nlh, c->host));
}

static int on_dump(const struct nlmsghdr *nlh, void *data)
{
	struct drain_ctx *c = data;

	mark(c->w, lanwatch_apply(nlh, c->host));
	return 0;
}

/* RTM_GETLINK or RTM_GETADDR, every family */
static int dump(struct lanwatch *w, uint16_t type, struct lan_host *host)
{
	char buf[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg))] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct drain_ctx c = { w, host };

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nlsock_seq(&w->dump);
	/* ifinfomsg and ifaddrmsg both start with the family: AF_UNSPEC */
	mnl_nlmsg_put_extra_header(nlh, type == RTM_GETLINK ? sizeof(struct ifinfomsg)
							  : sizeof(struct ifaddrmsg));
	return nlsock_request(&w->dump, buf, nlh->nlmsg_len, on_dump, &c);
}

int lanwatch_read(struct lanwatch *w, struct lan_host *host)
{
	unsigned tries;
	int ret = -EINTR;

	/* a dump the kernel marked interrupted (links or addresses changed
	 * while it ran) may miss or repeat objects: read whole again */
	for (tries = 0; ret == -EINTR && tries < LANWATCH_DUMP_TRIES; tries++) {
		lanhost_clear(host);
		w->resync = 1;
		ret = dump(w, RTM_GETLINK, host);
		if (ret == 0)
			ret = dump(w, RTM_GETADDR, host);
	}
	return ret;
}

int lanwatch_drain(struct lanwatch *w, struct lan_host *host)
{
	unsigned long long lost = w->lost;
	unsigned before = w->ndirty;
	struct drain_ctx c = { w, host };
	int ret = nlsock_drain(&w->events, on_event, &c, &w->lost);

	if (ret < 0)
		return ret;
	if (w->lost != lost) {
		/* the events already read are applied; the lost ones are in the
		 * dump, and the events after it follow in the socket */
		w->resyncs++;
		ret = lanwatch_read(w, host);
		if (ret < 0)
			return ret;
	}
	return w->ndirty != before || w->resync;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

const uint32_t *lanwatch_take(struct lanwatch *w, unsigned *n, int *resync)
{
	unsigned i, kept = 0;

	qsort(w->dirty, w->ndirty, sizeof(w->dirty[0]), u32_cmp);
	for (i = 0; i < w->ndirty; i++)
		if (!kept || w->dirty[kept - 1] != w->dirty[i])
			w->dirty[kept++] = w->dirty[i];
	*n = kept;
	*resync = w->resync;
	w->ndirty = 0;
	w->resync = 0;
	return w->dirty;
}

int lanwatch_effective(const struct config *cfg, struct lan *lan)
{
	struct lan_host host = { 0 };
	struct lanwatch w;
	unsigned i;
	int ret;

	ret = lanwatch_open(&w);
	if (ret == 0) {
		ret = lanwatch_read(&w, &host);
		lanwatch_close(&w);
	}
	if (ret < 0)
		lanhost_clear(&host);
	for (i = 0; i < host.nlinks; i++)
		linkinfo_read(&host.links[i]);
	lan_compute(&host, cfg, lan);
	lanhost_free(&host);
	return ret;
}
