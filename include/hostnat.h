/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_HOSTNAT_H
#define PORTWARDEN_HOSTNAT_H

#include "daemonstate.h"

/* Whether the host uses NAT (see nathooks.h), followed once a second off
 * the packet path, by the thread beside the worker (beside.h): where NAT
 * appears or goes, the table is installed again with or without
 * connection tracking for UDP (ruleset.h, host_nat). */

/* The first look, before the first table. */
void hostnat_read(struct daemon *d);
/* Between drains: takes the thread's answer (without the thread, a look
 * here once a second, CLOCK_MONOTONIC) and installs the table again when
 * it changed. */
void hostnat_tick(struct daemon *d);

#endif
