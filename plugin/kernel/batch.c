// SPDX-License-Identifier: GPL-2.0-or-later
/* The buffer an nf_tables transaction is built in.  The whole ruleset goes
 * to the kernel as one batch, so the buffer grows instead of being flushed
 * in pages: a partial send would not be atomic. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

static int grow(struct batch *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4 * BATCH_MSG_MAX;
	char *buf;

	while (cap - b->len < need)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	buf = realloc(b->buf, cap);
	if (!buf)
		return -ENOMEM;
	/* libmnl's attribute writers do not zero padding themselves */
	memset(buf + b->cap, 0, cap - b->cap);
	b->buf = buf;
	b->cap = cap;
	return 0;
}

int batch_init(struct batch *b, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	if (grow(b, BATCH_MSG_MAX) < 0)
		return -ENOMEM;
	b->seq_first = seq;
	nftnl_batch_begin(b->buf, seq);
	b->len = NLMSG_ALIGN(((struct nlmsghdr *)b->buf)->nlmsg_len);
	b->seq_next = seq + 1;
	return 0;
}

void batch_free(struct batch *b)
{
	free(b->buf);
	free(b->what);
	memset(b, 0, sizeof(*b));
}

char *batch_reserve(struct batch *b)
{
	if (grow(b, BATCH_MSG_MAX) < 0)
		return NULL;
	return b->buf + b->len;
}

uint32_t batch_next_seq(const struct batch *b)
{
	return b->seq_next;
}

uint32_t batch_commit(struct batch *b, const char *fmt, ...)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + b->len);

	if (b->nwhat == b->capwhat) {
		unsigned cap = b->capwhat ? b->capwhat * 2 : 64;
		char (*what)[BATCH_WHAT_MAX] = realloc(b->what, cap * sizeof(*what));

		if (what) {
			b->what = what;
			b->capwhat = cap;
		}
	}
	if (b->nwhat < b->capwhat) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(b->what[b->nwhat], BATCH_WHAT_MAX, fmt, ap);
		va_end(ap);
		b->nwhat++;
	}
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return b->seq_next++;
}

int batch_end(struct batch *b)
{
	struct nlmsghdr *nlh;

	if (grow(b, BATCH_MSG_MAX) < 0)
		return -ENOMEM;
	nlh = nftnl_batch_end(b->buf + b->len, b->seq_next++);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

const char *batch_what(const struct batch *b, uint32_t seq)
{
	uint32_t i = seq - b->seq_first - 1;

	return (seq > b->seq_first && i < b->nwhat) ? b->what[i] : NULL;
}

unsigned batch_count(const struct batch *b)
{
	return b->seq_next - b->seq_first - 2;
}
