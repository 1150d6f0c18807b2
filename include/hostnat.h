/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_HOSTNAT_H
#define PORTWARDEN_HOSTNAT_H

#include "daemonstate.h"

/* Whether the host uses NAT (see nathooks.h), followed once a second off
 * the packet path: where NAT appears or goes, the table is installed
 * again with or without connection tracking for UDP (ruleset.h,
 * host_nat). */

/* The first look, before the first table. */
void hostnat_read(struct daemon *d);
/* Between drains: a new look when a second has passed (CLOCK_MONOTONIC). */
void hostnat_tick(struct daemon *d);

#endif
