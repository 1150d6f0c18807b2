/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NFTMSG_H
#define PORTWARDEN_NFTMSG_H

#include <stdint.h>

#include "batch.h"

/* nf_tables messages of family inet: a header and one object's payload,
 * written into a caller's buffer or a batch, never onto a socket.  The
 * daemon's writes and kstate's read requests share this one builder. */

struct nftnl_rule;
struct nftnl_udata_buf;
struct nlmsghdr;

enum nftmsg_obj {
	NFTMSG_TABLE,
	NFTMSG_CHAIN,
	NFTMSG_SET,
	NFTMSG_ELEMS,	/* a set's element list */
	NFTMSG_RULE,
};

/* Header and payload of obj (a struct nftnl_table, _chain, _set or _rule)
 * at buf, which must have room for them. */
struct nlmsghdr *nftmsg_build(char *buf, uint16_t type, uint16_t flags, uint32_t seq,
			      enum nftmsg_obj kind, const void *obj);
/* The same message appended to b, acknowledged, labelled what. */
int nftmsg_put(struct batch *b, uint16_t type, uint16_t flags, const char *what,
	       enum nftmsg_obj kind, const void *obj);

/* A user data buffer holding one comment attribute of the given type,
 * cut to what the kernel keeps; NULL when out of memory. */
struct nftnl_udata_buf *nftmsg_comment(int type, const char *comment);

/* Adds (NFT_MSG_NEWTABLE) or deletes (NFT_MSG_DELTABLE) table inet name;
 * table_flags and comment only when non-zero. */
int nftmsg_put_table(struct batch *b, const char *name, uint16_t type, uint16_t flags,
		     uint32_t table_flags, const char *comment);
/* A base chain of type filter, policy accept, on hook at priority prio;
 * a regular chain when hook is negative. */
int nftmsg_put_chain(struct batch *b, const char *table, const char *name, int hook,
		     int32_t prio, const char *comment);

/* Writes a rule's expressions; 0 or -ENOMEM. */
typedef int (*nftmsg_rule_body)(struct nftnl_rule *r, const void *arg);
/* Appends a commented rule to chain, its expressions written by body. */
int nftmsg_put_rule(struct batch *b, const char *table, const char *chain, const char *comment,
		    nftmsg_rule_body body, const void *arg);

/* One rule of a chain; a rule without body is left out (its feature is not
 * configured). */
struct nftmsg_rule {
	const char *comment;
	nftmsg_rule_body body;
	const void *arg;
};

/* An array of rules and its length, for nftmsg_put_rules() */
#define NFTMSG_RULES(list)	(list), sizeof(list) / sizeof((list)[0])
/* Appends the n rules to chain, in order. */
int nftmsg_put_rules(struct batch *b, const char *table, const char *chain,
		     const struct nftmsg_rule *rules, unsigned n);

#endif
