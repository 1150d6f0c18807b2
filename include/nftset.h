/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NFTSET_H
#define PORTWARDEN_NFTSET_H

#include <net/if.h>
#include <stdint.h>

#include "batch.h"
#include "config.h"

/* Sets of an inet table: declarations, elements sent in messages of a
 * bounded size, and intervals of addresses. */

struct nftnl_set;
struct nftnl_set_elem;

/* nftables datatype numbers, for sets `nft list` can print; a
 * concatenation packs its fields' types NFTSET_TYPE_BITS apart */
#define NFTSET_TYPE_IPADDR	7
#define NFTSET_TYPE_IP6ADDR	8
#define NFTSET_TYPE_INET_PROTOCOL	12
#define NFTSET_TYPE_INET_SERVICE	13
#define NFTSET_TYPE_IFINDEX	20
#define NFTSET_TYPE_IFNAME	41
#define NFTSET_TYPE_BITS	6
/* "meta l4proto . th dport", each field padded to a 32-bit register */
#define NFTSET_TYPE_PORT_KEY \
	((NFTSET_TYPE_INET_PROTOCOL << NFTSET_TYPE_BITS) | NFTSET_TYPE_INET_SERVICE)
#define NFTSET_PORT_KEYLEN	8

/* A set of table inet `table` to declare; NULL when out of memory. */
struct nftnl_set *nftset_new(const char *table, const char *name, uint32_t type,
			     uint32_t keylen, uint32_t flags);
/* Declares s with its comment (interface name keys print as strings);
 * takes s over, also on error. */
int nftset_put(struct batch *b, struct nftnl_set *s, const char *comment);
/* Declares a set of table inet `table` without elements yet. */
int nftset_put_empty(struct batch *b, const char *table, const char *name, uint32_t type,
		     uint32_t keylen, uint32_t flags, const char *comment);
/* Declares set name of interface names, with its elements; nothing when
 * n is 0. */
int nftset_put_ifnames(struct batch *b, const char *table, const char *name,
		       const char (*names)[IFNAMSIZ], unsigned n, const char *comment);

/* The element list of one set, sent in messages of a bounded number of
 * elements.  Initialise b, table, set and del; the rest zero. */
struct nftset_elems {
	struct batch *b;
	const char *table;
	const char *set;
	int del;		/* NFT_MSG_DELSETELEM instead of NEWSETELEM */
	struct nftnl_set *cur;
	unsigned n;
};

/* flags: 0 or NFT_SET_ELEM_INTERVAL_END; comment may be NULL.  NULL when
 * out of memory. */
struct nftnl_set_elem *nftset_elem_new(const void *key, uint32_t keylen, uint32_t flags,
				       const char *comment);
/* Takes e over, also on error; e NULL is -ENOMEM. */
int nftset_elems_push(struct nftset_elems *el, struct nftnl_set_elem *e);
int nftset_elems_add_port(struct nftset_elems *el, uint8_t proto, uint16_t port,
			  const char *comment);
/* Sends what is pending; returns ret when it is an error already, else
 * the result of sending. */
int nftset_elems_end(struct nftset_elems *el, int ret);

/* An address interval [lo, hi], 4 or 16 bytes used */
struct nftset_range {
	uint8_t lo[16], hi[16];
};

void nftset_net_range(const struct config_net *net, struct nftset_range *r);
/* Sorts ranges of len-byte addresses and merges the overlapping and
 * adjacent ones, which an interval set refuses; returns how many are left. */
unsigned nftset_ranges_merge(struct nftset_range *r, unsigned n, unsigned len);
/* The elements of one interval: its start, commented, and the address
 * after its end unless it ends the address space. */
int nftset_elems_add_range(struct nftset_elems *el, const struct nftset_range *r,
			   unsigned len, const char *comment);

#endif
