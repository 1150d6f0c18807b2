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

/* Who wrote the translation, told by the chains it is reached through */
enum auditnat_kind {
	AUDITNAT_DNAT,		/* a port forward or publish of no known writer */
	AUDITNAT_NODEPORT,	/* kube-proxy: a Service's NodePort */
	AUDITNAT_CLUSTERIP,	/* kube-proxy: a Service's cluster address */
	AUDITNAT_SERVICE_IP,	/* kube-proxy: an external or load-balancer address */
	AUDITNAT_DOCKER,
	AUDITNAT_PODMAN,	/* netavark */
	AUDITNAT_REDIRECT,	/* to a port of the host itself */
	AUDITNAT_TPROXY,
};

struct auditnat_row {
	const struct natscan_entry *nat;
	const struct policy_entry *entry;	/* the first guarded port's, else the first port's */
	const struct policy_entry *target;	/* the guarded port it leads to, if any */
	enum policy_kind kind;
	enum auditnat_kind by;
	enum audit_status status;
	int elsewhere;		/* matches an address that is not the host's */
	char why[320];
};

/* What the classification asks about the host: enforced(ctx, proto, port)
 * whether the kernel stops outside connections to a guarded port of the
 * host right now; local(local_ctx, family, addr) whether addr is one of
 * the host's addresses; routed: the installed table decides addresses the
 * host routes back out where they came in like its own (chain routed). */
typedef int (*auditnat_enforced_fn)(const void *ctx, uint8_t proto, uint16_t port);
struct auditnat_facts {
	auditnat_enforced_fn enforced;
	const void *ctx;
	natscan_local_fn local;
	const void *local_ctx;
	int routed;
};

/* The pure classification: what an outsider reaches through the path.
 * The connection is decided by the port the client connected to; a path
 * that leads an open port to a guarded one (a NodePort to Postgres, a
 * redirect to an IMAP proxy) is exposed, and so is a guarded port on an
 * address the table does not decide (not the host's own, and no chain
 * routed).  A Service's cluster address is open, not counted. */
void auditnat_classify(const struct natscan_entry *nat, const struct policy_db *db,
		       const struct auditnat_facts *f, struct auditnat_row *row);
const char *auditnat_kind_name(enum auditnat_kind k);

/* Reads the DNAT rules and prints them (table or JSON lines); *exposed
 * counts the exposed ones.  0, or -errno when the rules cannot be read. */
int auditnat_report(const struct policy_db *db, const struct config *cfg,
		    const struct kstate *ks, int json, int *exposed);

/* The same rows for `portwarden report`, worst first (a cluster's Service
 * addresses left out, as the table leaves them): *v (the caller frees it)
 * and *n; 0, or -errno when the rules cannot be read. */
struct report_published;
int auditnat_published(const struct policy_db *db, const struct kstate *ks,
		       struct report_published **v, unsigned *n);

#endif
