/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_AUDITNAT_H
#define PORTWARDEN_AUDITNAT_H

#include "audit.h"
#include "config.h"
#include "kstate.h"
#include "natscan.h"
#include "policy.h"

/* `portwarden audit`, its second part: ports published by DNAT (container
 * ports, a router's port forwards) against the policy of the port the
 * client connects to. */

struct auditnat_row {
	const struct natscan_entry *nat;
	const struct policy_entry *entry;	/* the first guarded port's, else the first port's */
	enum policy_kind kind;
	enum audit_status status;
	const char *why;
};

/* The pure classification: what an outsider reaches through the rule.
 * enforced(ctx, proto, port) says whether the kernel stops outside
 * connections to a guarded port right now. */
typedef int (*auditnat_enforced_fn)(const void *ctx, uint8_t proto, uint16_t port);
void auditnat_classify(const struct natscan_entry *nat, const struct policy_db *db,
		       auditnat_enforced_fn enforced, const void *ctx, struct auditnat_row *row);

/* Reads the DNAT rules and prints them (table or JSON lines); *exposed
 * counts the exposed ones.  0, or -errno when the rules cannot be read. */
int auditnat_report(const struct policy_db *db, const struct config *cfg,
		    const struct kstate *ks, int json, int *exposed);

#endif
