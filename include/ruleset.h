/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_RULESET_H
#define PORTWARDEN_RULESET_H

#include <stdint.h>

#include "batch.h"
#include "config.h"
#include "lan.h"
#include "policy.h"

/* Builders of portwarden's nftables objects (table inet portwarden).  They
 * only write messages into a batch; nlsock sends it. */

/* Ends the queue rule's comment in monitor mode: the only place the
 * kernel holds the mode, so that `status` can tell it. */
#define RULESET_MONITOR_NOTE "; monitor mode: logged, let through"
/* Ends it while an adoption window is open (config.learning): lan-only
 * ports are logged, let through.  Both notes fit in a comment. */
#define RULESET_LEARNING_NOTE "; adoption window"
#define RULESET_TABLE	"portwarden"
#define RULESET_CHAIN_PREROUTING	"prerouting"
#define RULESET_CHAIN_INPUT	"input"
#define RULESET_SET_BLOCKED	"blocked"
#define RULESET_CHAIN_FORWARD_DROP	"forward_blocked"
#define RULESET_SET_GUARDED	"guarded"
#define RULESET_SET_LAN_ONLY	"lan_only"
#define RULESET_SET_SERVED	"served"
#define RULESET_SET_WAN_IFACES	"wan_ifaces"
#define RULESET_LOG_PREFIX_BLOCKED	"portwarden blocked"
#define RULESET_LOG_PREFIX_MARTIAN	"portwarden martian"
#define RULESET_LOG_PREFIX_FORWARD	"portwarden forward"

enum ruleset_queue_backend {
	RULESET_QUEUE_NATIVE,	/* nft "queue" expression */
	RULESET_QUEUE_COMPAT,	/* xtables NFQUEUE target through nft_compat */
};

struct ruleset_port {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
};

/* One element of a port set, e.g. a served port or a port that dangerous
 * software holds; comment says why it is there. */
struct ruleset_elem {
	const char *set;
	uint8_t proto;
	uint16_t port;
	const char *comment;
};

/* In the comment of a @guarded element whose policy the port's listener
 * decided: "SERVICE POLICY (FILE:LINE)" RULESET_LISTENER_NOTE "name[pid]" */
#define RULESET_LISTENER_NOTE	": listener "

struct ruleset_spec {
	const struct policy_db *db;
	const struct config *cfg;
	const struct lan *lan;	/* the effective LAN, see lan.h */
	enum ruleset_queue_backend backend;
	uint16_t log_group;
	const char *source;	/* database files, for the table comment */
	/* ports already blocked, carried over on reload */
	const struct ruleset_port *blocked;
	unsigned nblocked;
	/* elements decided by who listens, carried over on reload; one
	 * without a comment is taken out of its set again (a port the
	 * database put there that its listener decided otherwise) */
	const struct ruleset_elem *extra;
	unsigned nextra;
	int replace;		/* a table exists: delete it in the same batch */
	uint32_t table_flags;	/* NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST, or 0 */
	int no_socket_match;	/* the kernel lacks meta cgroup: no input chain */
};

#ifndef NFT_TABLE_F_PERSIST
#define NFT_TABLE_F_PERSIST 0x4	/* Linux 6.9: the table outlives its owner */
#endif

/* A throwaway table with the socket match the input chain needs (meta
 * cgroup: CONFIG_CGROUP_NET_CLASSID), created and deleted in one batch. */
int ruleset_build_socket_probe(struct batch *b);

/* The complete ruleset in one batch, replacing the old table if spec says
 * there is one. */
int ruleset_build(struct batch *b, const struct ruleset_spec *spec);
/* "imap loopback-only (ports.db:36)": what a set element enforces. */
void ruleset_entry_comment(char *out, size_t cap, const struct policy_entry *e);

/* Adds (del = 0) or removes one element of a port set. */
int ruleset_build_elem(struct batch *b, const struct ruleset_elem *e, int del);
/* Removes the table; absent is an error the caller may ignore (ENOENT). */
int ruleset_build_delete(struct batch *b);
/* A throwaway table with one queue rule, created and deleted in the same
 * batch: the batch fails with ENOENT where the backend is missing. */
int ruleset_build_probe(struct batch *b, enum ruleset_queue_backend backend);

const char *ruleset_backend_name(enum ruleset_queue_backend backend);

#endif
