/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NFTEXPR_H
#define PORTWARDEN_NFTEXPR_H

#include <stdint.h>

/* Small libnftnl expression builders: each appends one expression (or a
 * short fixed sequence) to a rule and returns 0, or -ENOMEM.  Comparisons
 * and bit operations work on register 1. */

struct nftnl_expr;
struct nftnl_rule;

int expr_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg);
int expr_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		 uint32_t dreg);
int expr_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len);
/* register 1 &= mask */
int expr_bitwise_and(struct nftnl_rule *r, const void *mask, uint32_t len);
/* reg = (reg & mask) ^ xor, len bytes */
int expr_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask, const void *xor,
		 uint32_t len);
/* flags: 0 or NFT_LOOKUP_F_INV */
int expr_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set, uint32_t flags);
int expr_counter(struct nftnl_rule *r);
/* accept, drop, return, or jump/goto chain */
int expr_verdict(struct nftnl_rule *r, int code, const char *chain);
/* fib FLAGS RESULT into register 1 */
int expr_fib(struct nftnl_rule *r, uint32_t flags, uint32_t result);
/* "ct KEY & mask != 0": a 32-bit conntrack field has one of the bits */
int expr_ct_any_bit(struct nftnl_rule *r, uint32_t key, uint32_t mask);

/* rate packets a second, a burst of as many; NULL when out of memory */
struct nftnl_expr *expr_limit_new(unsigned rate);
int expr_limit(struct nftnl_rule *r, unsigned rate);
/* to NFLOG group, 128 bytes of each packet */
int expr_log(struct nftnl_rule *r, uint16_t group, const char *prefix);
/* Adds or updates the element keyed by sreg in set; per_elem (may be NULL)
 * is the expression each element carries, taken over also on error. */
int expr_dynset(struct nftnl_rule *r, uint32_t op, uint32_t sreg, const char *set,
		struct nftnl_expr *per_elem);

/* The native queue expression, and the xtables NFQUEUE target (revision 3)
 * through nft_compat for kernels without it; bypass: accept while no
 * process listens on the queue. */
int expr_queue(struct nftnl_rule *r, uint16_t num, int bypass);
int expr_nfqueue_target(struct nftnl_rule *r, uint16_t num, int bypass);

/* "meta l4proto . th dport" into 32-bit registers 0 and 1, the key of
 * every port set */
int expr_port_key(struct nftnl_rule *r);
/* "meta l4proto PROTO" */
int expr_l4proto_is(struct nftnl_rule *r, uint8_t proto);
/* "meta nfproto NFPROTO" (NFPROTO_IPV4 or NFPROTO_IPV6) */
int expr_nfproto_is(struct nftnl_rule *r, uint8_t nfproto);
/* "tcp flags & (syn|ack) != syn": a TCP segment that is not a connection
 * attempt */
int expr_tcp_not_first(struct nftnl_rule *r);

#endif
