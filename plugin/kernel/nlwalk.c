// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounds-checked iteration over netlink message buffers. */
#include <linux/netlink.h>

#include "nlwalk.h"

void nlwalk_init(struct nlwalk *w, const void *buf, size_t len)
{
	w->buf = buf;
	w->len = len;
	w->off = 0;
}

const struct nlmsghdr *nlwalk_next(struct nlwalk *w)
{
	const struct nlmsghdr *nlh;
	size_t left = w->len - w->off, step;

	if (w->off >= w->len || left < sizeof(*nlh))
		return NULL;
	nlh = (const struct nlmsghdr *)(w->buf + w->off);
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
		return NULL;
	/* not NLMSG_ALIGN(): its 32-bit mask turns 0xffffffff into 0.  The
	 * kernel does not pad the last message, so the step may reach past
	 * the data: then the walk ends. */
	step = ((size_t)nlh->nlmsg_len + 3) & ~(size_t)3;
	w->off = step < left ? w->off + step : w->len;
	return nlh;
}
