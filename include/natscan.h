/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NATSCAN_H
#define PORTWARDEN_NATSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Ports published by destination NAT (a container's -p, a NodePort, a
 * router's port forward), read as the kernel applies them: from the base
 * chains at the prerouting hook of every table and family, through jumps,
 * gotos and verdict maps, to the DNAT, REDIRECT or TPROXY that a path ends
 * in, with every port and address match met on the way.  Parsing and the
 * walk are pure (natscan.c, natpath.c); natread.c reads the kernel. */

#define NATSCAN_NAME_MAX 32
#define NATSCAN_VIA_MAX 3	/* chains named on a path after its base chain */

enum natscan_writer {
	NATSCAN_NFT,		/* native nat expression */
	NATSCAN_XTABLES,	/* xtables target (iptables-nft) */
};

enum natscan_action {
	NATSCAN_NONE,		/* a match, a counter, a mark: the rule goes on */
	NATSCAN_DNAT,
	NATSCAN_REDIRECT,	/* to a port of the host itself */
	NATSCAN_TPROXY,		/* to a local socket, the destination kept */
	NATSCAN_JUMP,
	NATSCAN_GOTO,
	NATSCAN_STOP,		/* accept, drop, return */
	NATSCAN_VMAP,		/* a verdict map: each element a branch */
};

/* What a packet must carry for a path to reach its end. */
struct natscan_cond {
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, or 0: both */
	uint16_t port_lo, port_hi;	/* destination ports, host byte order */
	uint8_t daddr_prefix;	/* 0: any destination address */
	uint8_t daddr[16];	/* network order */
	uint8_t local;		/* destination is an address of the host (fib, addrtype) */
};

struct natscan_entry {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, or 0: both */
	uint16_t port_lo, port_hi;	/* published ports, host byte order */
	uint8_t daddr_prefix;	/* 0: any destination address */
	uint8_t daddr[16];	/* the destination the path matches, network order */
	uint8_t local;		/* only to the host's own addresses */
	uint8_t action;		/* NATSCAN_DNAT, NATSCAN_REDIRECT or NATSCAN_TPROXY */
	uint8_t to_map;		/* the target comes from a map: not one address */
	uint8_t to_addr[16];	/* the target (DNAT, TPROXY), network order */
	uint16_t to_lo, to_hi;	/* target ports; 0: the published port */
	unsigned endpoints;	/* distinct targets behind the same match (a Service's pods) */
	enum natscan_writer writer;
	char table[NATSCAN_NAME_MAX];	/* "ip nat" */
	char chain[NATSCAN_NAME_MAX];	/* of the rule that translates */
	/* the first chains (or verdict maps) after the base chain on the path:
	 * "KUBE-SERVICES", "KUBE-NODEPORTS", "DOCKER", ... */
	char via[NATSCAN_VIA_MAX][NATSCAN_NAME_MAX];
};

struct natscan_list {
	struct natscan_entry *v;
	unsigned n;
	uint32_t gen;		/* the ruleset generation it was read at */
	int valid;		/* 1: read at gen; -1: read while it changed; 0: never read */
};

struct nlmsghdr;

/* ---- one rule, pure ------------------------------------------------------ */

#define NATSCAN_KEY_FIELDS 4

/* One rule of a dump, as the walk needs it. */
struct natscan_rule {
	int family;		/* AF_INET, AF_INET6, or 0 (inet, not narrowed) */
	unsigned nfproto;	/* the table's family */
	struct natscan_cond cond;
	int conditional;	/* some match was seen (read or not) */
	int contradictory;	/* its matches exclude each other, or were unreadable */
	enum natscan_action action;
	struct natscan_entry nat;	/* the target, for DNAT, REDIRECT and TPROXY */
	char *target;		/* chain of a jump or goto (allocated) */
	char *set;		/* verdict map, or the set the destination port is looked up in */
	int port_set;		/* cond's ports come from set */
	/* the meaning of each 32-bit aligned field of the map's key */
	uint8_t key_field[NATSCAN_KEY_FIELDS], key_len[NATSCAN_KEY_FIELDS];
	unsigned nkey;
	char table[64], chain[256];
};

/* NFT_MSG_NEWRULE into *r: 1, 0 when it is not a rule or malformed, or
 * -ENOMEM.  natscan_rule_free() releases what it allocated. */
int natscan_rule_parse(const struct nlmsghdr *nlh, struct natscan_rule *r);
void natscan_rule_free(struct natscan_rule *r);

/* The rule alone: 1 with *out filled when the rule itself translates in a
 * form read here, 0 when it does not or is malformed, -ENOMEM.  Its own
 * matches only; the walk adds those of the path. */
int natscan_msg(const struct nlmsghdr *nlh, struct natscan_entry *out);

/* key-field meanings of struct natscan_rule */
enum {
	NATSCAN_KEY_OTHER,
	NATSCAN_KEY_L4PROTO,
	NATSCAN_KEY_DPORT,
	NATSCAN_KEY_DADDR4,
	NATSCAN_KEY_DADDR6,
};

/* ---- the ruleset as a graph, pure (natpath.c) ---------------------------- */

struct natscan_model;

struct natscan_model *natscan_model_new(void);
void natscan_model_free(struct natscan_model *m);
/* Only paths to the host's own addresses: a rule that matches one other
 * destination (a Service's ClusterIP) is not followed.  fn(ctx, family,
 * addr) says whether addr is the host's. */
typedef int (*natscan_local_fn)(const void *ctx, int family, const uint8_t *addr);
void natscan_model_local(struct natscan_model *m, natscan_local_fn fn, const void *ctx);
/* NFT_MSG_NEWCHAIN: 0, or -ENOMEM; other messages are ignored */
int natscan_model_chain(struct natscan_model *m, const struct nlmsghdr *nlh);
/* NFT_MSG_NEWRULE: taken over into the model's chain */
int natscan_model_rule(struct natscan_model *m, const struct nlmsghdr *nlh);
/* NFT_MSG_NEWSETELEM of a set (or map) */
int natscan_model_elems(struct natscan_model *m, const struct nlmsghdr *nlh);

/* What to read next: chains reached from a prerouting base chain whose
 * rules are not read yet, and sets their rules use.  Each call returns one
 * (nfproto, table, name) or 0 when everything reachable is read. */
struct natscan_want {
	unsigned nfproto;
	const char *table, *name;
	int is_set;
};
int natscan_model_next(struct natscan_model *m, struct natscan_want *w);
/* The chain or set named in the last natscan_model_next() answer is read
 * (its rules or elements went in, or it could not be read). */
void natscan_model_done(struct natscan_model *m, const struct natscan_want *w);

/* Every path from the prerouting base chains to a DNAT, REDIRECT or
 * TPROXY, paths to the same match grouped (endpoints).  0 or -ENOMEM. */
int natscan_model_walk(const struct natscan_model *m, struct natscan_list *out);

/* ---- the kernel (natread.c) ---------------------------------------------- */

/* Every published port of every table: 0, or -errno (-EPERM without
 * CAP_NET_ADMIN).  The list is replaced only on success. */
int natscan_read(struct natscan_list *l);
/* The ruleset's generation (NFT_MSG_GETGEN): 0 or -errno */
struct nlsock;
int natscan_gen(struct nlsock *nl, uint32_t *gen);
/* Only the paths to the host's own addresses (local, see
 * natscan_model_local), through a caller's socket, skipped when gen (just
 * read with natscan_gen(): one check can serve every reader of the
 * ruleset) is still l->gen and *l was read at it (1: unchanged, 0: read
 * anew, or -errno) */
int natscan_refresh(struct nlsock *nl, struct natscan_list *l, uint32_t gen,
		    natscan_local_fn local, const void *ctx);
void natscan_free(struct natscan_list *l);

/* ---- looking up -------------------------------------------------------- */

/* The entry that translates a connection to daddr (family's length) and
 * port, or NULL. */
const struct natscan_entry *natscan_find(const struct natscan_list *l, int family, uint8_t proto,
					 uint16_t port, const uint8_t *daddr);
/* The port a connection to the published port goes to. */
uint16_t natscan_target_port(const struct natscan_entry *e, uint16_t port);
/* "203.0.113.2:6379", "[2001:db8::2]:6379", "203.0.113.2:2000-2010",
 * ":143" for a redirect */
void natscan_target_text(const struct natscan_entry *e, char *out, size_t cap);
void natscan_addr_text(const struct natscan_entry *e, const uint8_t *addr, char *out, size_t cap);

#endif
