/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_KSTATE_H
#define PORTWARDEN_KSTATE_H

#include <stdint.h>

#include "nlsock.h"
#include "portmap.h"
#include "ruleset.h"

/* What the kernel holds right now: read back from table inet portwarden
 * and /proc, never from the daemon's memory. */

#define KSTATE_COMMENT_MAX 128

struct kstate_port {
	uint8_t proto;
	uint16_t port;
	uint64_t packets, bytes;
	char comment[KSTATE_COMMENT_MAX];
};

/* One part of the effective LAN: an element of a LAN set or a rule of
 * chain lan, from its comment "PART: WHY". */
struct kstate_lan {
	char part[KSTATE_COMMENT_MAX];
	char why[KSTATE_COMMENT_MAX];
};

/* An interface's zone: an element of zone_lan, zone_public or zone_wan,
 * from its comment "NAME: WHY" */
struct kstate_zone {
	char iface[KSTATE_COMMENT_MAX];
	const char *zone;	/* "lan", "public", "wan" */
	char why[KSTATE_COMMENT_MAX];
};

/* An element of sources_v4/6: a listed network of a port interval */
struct kstate_source {
	uint8_t proto;
	uint16_t lo, hi;
	int family;
	uint8_t addr_lo[16], addr_hi[16];
};

struct kstate {
	int installed;
	unsigned rules;		/* in every chain of the table */
	int queue_rule;		/* a queue rule was found */
	enum ruleset_queue_backend backend;
	uint16_t queue_num;
	int fail_open;
	int monitor;		/* the queue rule says monitor mode */
	int learning;		/* the queue rule says an adoption window is open */
	unsigned guarded, lan_only;
	uint8_t guarded_map[2][PORTMAP_BYTES];	/* ports in @guarded */
	uint8_t lan_only_map[2][PORTMAP_BYTES];	/* ports in @lan_only */
	struct kstate_port *blocked;
	unsigned nblocked;
	/* @served: guarded ports a public server of the protocol holds,
	 * accepted while it listens (comment: who serves) */
	struct kstate_port *served;
	unsigned nserved;
	/* @guarded elements whose policy the port's listener decided
	 * (comment with RULESET_LISTENER_NOTE: the entry, its policy now and
	 * who listens) */
	struct kstate_port *listened;
	unsigned nlistened;
	/* packets dropped before the port rules because their source was
	 * logged on that port within the last second: a flood's repeats */
	unsigned long long repeats;
	/* attempts to blocked ports dropped without a line of their own: a
	 * source over its log_rate, or a flood past its port's reserve */
	unsigned long long unlogged;
	int has_forward;	/* router mode: chain forward exists */
	/* chain routed exists: a first packet to a guarded port of an address
	 * the host routes back out where it came in (a DNAT, REDIRECT or
	 * TPROXY of a failover address) is decided by that port */
	int routed;
	/* chain after_conntrack exists: the host uses NAT (or router mode),
	 * UDP is decided after connection tracking */
	int conntrack;
	unsigned long long forward_drops;	/* router mode: dropped on the way through */
	struct kstate_lan *lan;
	unsigned nlan;
	struct kstate_zone *zones;	/* sorted by interface */
	unsigned nzones;
	struct kstate_source *sources;	/* `from`, see rulesources.h */
	unsigned nsources;
	int worker;		/* a process is bound to queue_num */
	uint32_t worker_portid;
	unsigned long long queue_total, queue_dropped;	/* id sequence, drops */
};

/* 1 when table inet portwarden exists, 0 when not, or -errno; on nl. */
int kstate_table_exists(struct nlsock *nl);

/* Returns 0 (installed or not, see ks->installed) or -errno. */
int kstate_read(struct kstate *ks);
void kstate_free(struct kstate *ks);

/* The kernel stops outside connections to this port right now: it is
 * queued without bypass, or queued to a live worker, or already blocked. */
int kstate_enforces(const struct kstate *ks, uint8_t proto, uint16_t port);

/* Parses one line of /proc/net/netfilter/nfnetlink_queue; 0 on success. */
int kstate_parse_queue_line(const char *line, uint16_t *num, uint32_t *portid,
			    unsigned long long *dropped, unsigned long long *seq);

#endif
