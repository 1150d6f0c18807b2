// SPDX-License-Identifier: GPL-2.0-or-later
/* The policy decision, kept pure so it can be tested without a kernel. */
#include <netinet/in.h>
#include <string.h>

#include "decide.h"

/* "From the LAN" has one definition, the table's chain lan: it accepts a
 * LAN source's first packet to a lan-only port before anything is queued,
 * after a reverse-path check and the zone of the input interface, which
 * only the kernel can make.  So a packet to a lan-only port that reaches
 * the worker failed it and is decided like one from the Internet;
 * repeating the check here could only accept what the kernel refused. */
struct decision decide(const struct packet_info *pkt, const char *iifname,
		       const struct policy_db *db, const struct config *cfg,
		       const struct listenpolicy_port *listen)
{
	struct decision d = { .verdict = VERDICT_ACCEPT, .kind = POLICY_OPEN };
	const struct policy_entry *own;

	if (!pkt->has_ports || (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP))
		return d;
	own = d.entry = policy_lookup(db, pkt->proto, pkt->dport);
	/* dangerous software on a port no entry guards brings its own entry */
	if ((!d.entry || d.entry->kind == POLICY_OPEN) && listen && listen->guard)
		d.entry = listen->guard;
	d.kind = d.entry ? (enum policy_kind)d.entry->kind : POLICY_OPEN;
	/* the entry's listener line gave the port another policy */
	if (listen && listen->ruled && listen->ruled == d.entry)
		d.kind = (enum policy_kind)listen->kind;
	if (d.kind == POLICY_OPEN || !strcmp(iifname, "lo"))
		return d;
	if (listen && listen->served && listen->served == d.entry) {
		d.served = 1;
		return d;
	}
	/* the port's own `from` lines; another entry's apply to its ports */
	if (d.entry == own && own->nsources)
		d.source = policy_source_of(own, pkt->family, pkt->saddr);
	/* an adoption window logs the clients of lan-only ports, cuts none */
	d.verdict = cfg->monitor || (cfg->learning && d.kind == POLICY_LAN_ONLY) ?
		    VERDICT_WOULD_BLOCK : VERDICT_BLOCK;
	return d;
}

struct decision decide_unreadable(const struct packet_info *pkt, const struct policy_db *db,
				  const struct config *cfg)
{
	struct decision d = { .kind = POLICY_LOOPBACK_ONLY };

	if (pkt->has_ports && (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP)) {
		d.entry = policy_lookup(db, pkt->proto, pkt->dport);
		if (d.entry && d.entry->kind != POLICY_OPEN)
			d.kind = (enum policy_kind)d.entry->kind;
	}
	d.verdict = cfg->monitor ? VERDICT_WOULD_BLOCK : VERDICT_BLOCK;
	return d;
}
