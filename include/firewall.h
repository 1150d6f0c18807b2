/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_FIREWALL_H
#define PORTWARDEN_FIREWALL_H

#include "nlsock.h"
#include "rulelan.h"
#include "ruleset.h"

/* portwarden's table in the kernel: built by ruleset, sent by nlsock. */
struct firewall {
	struct nlsock nl;
	enum ruleset_queue_backend backend;
	/* NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST while the kernel takes them */
	uint32_t table_flags;
	int no_socket_match;	/* meta cgroup refused: see ruleset_spec */
};

/* want_owner: try to own the table (Linux 6.9+), see firewall_apply(). */
int firewall_open(struct firewall *fw, int want_owner);
void firewall_close(struct firewall *fw);

/* Chooses the queue backend the kernel supports: native, else compat.
 * Returns 0, or -errno when neither works. */
int firewall_probe(struct firewall *fw);

/* Installs (or replaces) the whole table in one transaction.  On error the
 * kernel keeps what it had and err describes the failing object.  A kernel
 * that refuses the owner flags gets an unowned table, and table_flags
 * becomes 0 so the caller knows to watch ruleset events instead. */
int firewall_apply(struct firewall *fw, const struct ruleset_spec *spec, char *err, size_t cap);
/* Adds or removes set elements, all in one transaction. */
struct firewall_change {
	struct ruleset_elem elem;
	int del;
};
int firewall_change(struct firewall *fw, const struct firewall_change *v, unsigned n);
/* Moves the LAN sets from what lan holds to the n changes in one small
 * transaction (elements only).  Returns the number of elements changed, or
 * -errno. */
int firewall_lan_update(struct firewall *fw, const struct lan *lan, const struct lan_change *v,
			unsigned n, char *err, size_t cap);
/* Removes the table; 0 also when there was none. */
int firewall_remove(struct firewall *fw);

#endif
