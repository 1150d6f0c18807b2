/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LANWATCH_H
#define PORTWARDEN_LANWATCH_H

#include "lan.h"
#include "nlsock.h"

/* The host's interfaces and addresses from rtnetlink: read whole at start,
 * then kept up to date one event at a time (links, IPv4 and IPv6
 * addresses); read whole again only after the kernel had to drop events
 * for us (ENOBUFS). */

struct lanwatch {
	struct nlsock events;	/* joined to the link and address groups */
	struct nlsock dump;
	unsigned long long events_seen, lost, resyncs;
	/* links an event touched since lanwatch_take() (deleted ones too) */
	uint32_t *dirty;
	unsigned ndirty, cap;
	int resync;		/* read whole since: every link may have changed */
};

/* Joins the groups before anything is read, so no change can fall between
 * the first read and the first event. */
int lanwatch_open(struct lanwatch *w);
void lanwatch_close(struct lanwatch *w);
int lanwatch_fd(const struct lanwatch *w);
/* Applies pending events to host: 1 when a link was touched (or the host
 * was read whole after lost events), 0 when not, -errno on a broken
 * socket. */
int lanwatch_drain(struct lanwatch *w, struct lan_host *host);
/* Every link and address the kernel has now, into host (cleared first);
 * an interrupted dump is read whole again, up to LANWATCH_DUMP_TRIES
 * times (then -EINTR). */
#define LANWATCH_DUMP_TRIES 8
int lanwatch_read(struct lanwatch *w, struct lan_host *host);
/* The links touched since the last call, each once, sorted; *resync is
 * set when the host was read whole in between (the caller then looks at
 * every link it knew too).  Valid until the next drain. */
const uint32_t *lanwatch_take(struct lanwatch *w, unsigned *n, int *resync);

/* The effective LAN for cfg from what the kernel has now, for commands
 * that run once.  When the interfaces cannot be read, lan is what cfg names
 * alone and the error is returned. */
int lanwatch_effective(const struct config *cfg, struct lan *lan);

/* Pure: one RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR or RTM_DELADDR message
 * applied to host.  Returns the ifindex it touched, 0 for other and
 * malformed messages.  For tests and fuzzing. */
uint32_t lanwatch_apply(const struct nlmsghdr *nlh, struct lan_host *host);

#endif
