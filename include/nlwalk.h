/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NLWALK_H
#define PORTWARDEN_NLWALK_H

#include <stddef.h>

struct nlmsghdr;

/* Walks a receive buffer of netlink messages with every length checked.
 * libmnl's mnl_nlmsg_ok() casts nlmsg_len to int, so a length of
 * 0xffffffff passes and mnl_nlmsg_next() then never advances. */
struct nlwalk {
	const char *buf;
	size_t len, off;
};

void nlwalk_init(struct nlwalk *w, const void *buf, size_t len);
/* The next whole message, or NULL at the end or at a malformed one.
 * libmnl's attribute parsers look up to 3 bytes past an unpadded last
 * message: buffers need that much slack after the data. */
#define NLWALK_SLACK 4
const struct nlmsghdr *nlwalk_next(struct nlwalk *w);

#endif
