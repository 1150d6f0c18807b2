/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LANWATCH_H
#define PORTWARDEN_LANWATCH_H

#include "lan.h"
#include "nlsock.h"

/* The host's interfaces and addresses from rtnetlink: read whole at start
 * and after every change the kernel announces (links, IPv4 and IPv6
 * addresses), so that the effective LAN follows the host at once. */

struct lanwatch {
	struct nlsock events;	/* joined to the link and address groups */
	struct nlsock dump;
	unsigned long long events_seen, lost;
};

/* Joins the groups before anything is read, so no change can fall between
 * the first read and the first event. */
int lanwatch_open(struct lanwatch *w);
void lanwatch_close(struct lanwatch *w);
int lanwatch_fd(const struct lanwatch *w);
/* Reads pending events: 1 when something changed (or events were lost),
 * 0 when not, -errno on a broken socket. */
int lanwatch_drain(struct lanwatch *w);
/* Every link and address the kernel has now. */
int lanwatch_read(struct lanwatch *w, struct lan_host *host);

/* The effective LAN for cfg from what the kernel has now, for commands
 * that run once.  When the interfaces cannot be read, lan is what cfg names
 * alone and the error is returned. */
int lanwatch_effective(const struct config *cfg, struct lan *lan);

/* Pure: one RTM_NEWLINK / RTM_NEWADDR message into host; other messages
 * and malformed ones are ignored.  For tests and fuzzing. */
void lanwatch_parse(const struct nlmsghdr *nlh, struct lan_host *host);

#endif
