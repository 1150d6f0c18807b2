/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_BATCH_H
#define PORTWARDEN_BATCH_H

#include <stddef.h>
#include <stdint.h>

/* One nf_tables transaction under construction: a growing buffer of
 * netlink messages between batch begin and batch end, and for every object
 * message a short description, so an error can say which object failed. */

#define BATCH_WHAT_MAX 80

struct batch {
	char *buf;
	size_t len, cap;
	uint32_t seq_first;	/* sequence number of the begin message */
	uint32_t seq_next;
	char (*what)[BATCH_WHAT_MAX];	/* indexed by seq - seq_first - 1 */
	unsigned nwhat, capwhat;
};

int batch_init(struct batch *b, uint32_t seq);
void batch_free(struct batch *b);

/* Reserves room for one message of at most BATCH_MSG_MAX bytes and returns
 * where to build it, or NULL on allocation failure. */
#define BATCH_MSG_MAX 65536
char *batch_reserve(struct batch *b);
/* Accounts the message just built at batch_reserve()'s pointer and labels
 * it; returns its sequence number. */
uint32_t batch_commit(struct batch *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint32_t batch_next_seq(const struct batch *b);
int batch_end(struct batch *b);

/* Description of the message with sequence number seq, or NULL */
const char *batch_what(const struct batch *b, uint32_t seq);
/* Number of object messages (those that get an acknowledgement) */
unsigned batch_count(const struct batch *b);

#endif
