/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_OTHERFW_H
#define PORTWARDEN_OTHERFW_H

#include <stddef.h>
#include <stdint.h>

/* Other firewalls' verdicts: the base chains of every other nf_tables
 * table (ufw and firewalld through iptables-nft or nft, Docker's, a plain
 * nft table) read from the kernel, and what they do to a first packet from
 * outside to a local port: "dropped by table ip filter (chain INPUT)".
 * Reading (otherfw.c) fills a model; judging it (otherfw_eval.c) runs each
 * rule the way the kernel would, over what is known of the packet: its
 * protocol, port and family, a SYN of a new connection, from outside,
 * addressed to one of the host's addresses, and its source when asked
 * about one.  What the rule reads and the packet does not tell (a set, a
 * mark, a rate) makes the rule a "may match". */

struct nlmsghdr;

#define OTHERFW_NAME_MAX	64
#define OTHERFW_OPS_MAX		(1u << 18)	/* expressions of every rule read */
#define OTHERFW_POOL_MAX	(8u << 20)	/* names and xtables blobs */

enum otherfw_op_kind {
	OP_META,	/* a: key, dreg */
	OP_PAYLOAD,	/* a: base, x: offset, len, dreg */
	OP_CT,		/* a: key, dreg (an sreg: a write, no effect here) */
	OP_FIB,		/* x: flags, y: result, dreg */
	OP_BITWISE,	/* sreg, dreg, len, data: mask, data2: xor; a: other ops */
	OP_CMP,		/* sreg, a: op, len, data */
	OP_RANGE,	/* sreg, a: op, len, data: from, data2: to */
	OP_IMM_DATA,	/* dreg, len, data */
	OP_VERDICT,	/* x: code (signed), str: the chain of a jump or goto */
	OP_LOOKUP,	/* sreg, dreg or none, a: 1 when the dreg is the verdict */
	OP_REJECT,	/* a terminal drop that answers */
	OP_ANY,		/* a terminal verdict that cannot be told: queue, a map */
	OP_GATE,	/* may stop the rule: limit, quota, connlimit */
	OP_NOOP,	/* no effect on the verdict: counter, log, notrack, sets */
	OP_XT_MATCH,	/* str: name, x: revision, blob */
	OP_XT_TARGET,	/* str: name, x: revision, blob */
	OP_UNKNOWN,	/* an expression this reader does not know: may match */
};

struct otherfw_op {
	uint8_t kind;
	uint8_t a;
	uint8_t sreg, dreg;	/* register numbers as the kernel has them */
	uint8_t len, has_dreg;
	uint32_t x, y;
	uint32_t str, blob, blob_len;	/* offsets into the pool, 0: none */
	uint8_t data[16], data2[16];
};

struct otherfw_chain {
	uint8_t family;		/* NFPROTO_IPV4, _IPV6, _INET, ... */
	int base;		/* a base chain: hook, priority, policy */
	uint32_t hook;
	int32_t prio;
	int policy_drop;
	int filter;		/* of type filter (not nat or route) */
	uint32_t table, name;	/* pool offsets */
	unsigned first, nrules;	/* its rules, in order, in otherfw.rules */
};

struct otherfw_rule {
	unsigned chain;		/* index into otherfw.chains */
	unsigned first, nops;	/* its expressions in otherfw.ops */
	uint64_t handle;
};

struct otherfw {
	struct otherfw_chain *chains;
	unsigned nchains, chains_cap;
	struct otherfw_rule *rules;
	unsigned nrules, rules_cap;
	struct otherfw_op *ops;
	unsigned nops, ops_cap;
	char *pool;
	size_t pool_len, pool_cap;
	unsigned long skipped;	/* rules too big or of unknown chains, not read */
	int sorted;		/* rules grouped by chain (otherfw_finish) */
};

/* The question: a first packet from outside (a TCP SYN or a UDP datagram)
 * to a local port. */
struct otherfw_query {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t dport;
	const uint8_t *saddr;	/* the source asked about, NULL: any outside */
	const uint8_t *daddr;	/* the address it is sent to, NULL: one of locals */
	const uint8_t (*locals)[16];	/* the host's addresses of the family */
	unsigned nlocals;
};

enum otherfw_result {
	OTHERFW_PASSES,		/* no other table drops it */
	OTHERFW_DROPPED,	/* every path through the other tables drops it */
	OTHERFW_MAY_DROP,	/* some path drops it, another may not */
};

struct otherfw_verdict {
	enum otherfw_result result;
	int rejected;		/* answered with a reject, not dropped silently */
	int by_policy;		/* the base chain's policy dropped it */
	char table[OTHERFW_NAME_MAX + 8];	/* "ip filter" */
	char chain[OTHERFW_NAME_MAX];	/* where it is dropped */
	char base[OTHERFW_NAME_MAX];	/* the base chain it came through */
};

/* Every table's chains and rules but portwarden's own: 0, or -errno
 * (-EPERM without CAP_NET_ADMIN).  A dump is read again when the ruleset
 * changed while it was read. */
int otherfw_read(struct otherfw *fw);
void otherfw_free(struct otherfw *fw);

/* Pure, for tests and fuzzing: one NFT_MSG_NEWCHAIN or NFT_MSG_NEWRULE
 * message into fw (a rule after its chain); 0, or -ENOMEM.  Malformed
 * messages are skipped. */
int otherfw_add_msg(struct otherfw *fw, const struct nlmsghdr *nlh);
/* Groups the rules by chain; call once every message is added. */
int otherfw_finish(struct otherfw *fw);
/* A name or blob of the pool */
const char *otherfw_str(const struct otherfw *fw, uint32_t off);

/* What the other tables do to q's packet. */
void otherfw_judge(const struct otherfw *fw, const struct otherfw_query *q,
		   struct otherfw_verdict *v);
/* The host's addresses of family, for otherfw_query.locals: how many
 * fill out (at most cap). */
unsigned otherfw_host_addrs(int family, uint8_t (*out)[16], unsigned cap);

/* "dropped by table ip filter (chain INPUT, its policy)" */
void otherfw_text(const struct otherfw_verdict *v, char *out, size_t cap);

#endif
