/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NFLOG_H
#define PORTWARDEN_NFLOG_H

#include <stddef.h>
#include <stdint.h>

#include "nlsock.h"

/* Drops the kernel logs itself (rules with `log group N`), read through
 * nfnetlink_log with libmnl. */

#define NFLOG_COPY_RANGE 128

struct nflog_packet {
	const char *prefix;	/* "" when absent; NUL-terminated inside the message */
	uint32_t ifindex;
	const uint8_t *payload;
	size_t len;
};

struct nflog {
	struct nlsock nl;
	unsigned long long packets, malformed, enobufs;
};

typedef void (*nflog_packet_fn)(void *ctx, const struct nflog_packet *pkt);

int nflog_open(struct nflog *l, uint16_t group);
void nflog_close(struct nflog *l);
int nflog_fd(const struct nflog *l);
int nflog_drain(struct nflog *l, nflog_packet_fn fn, void *ctx);

/* Pure helpers for tests and fuzzing. */
int nflog_msg_parse(const struct nlmsghdr *nlh, struct nflog_packet *pkt);

#endif
