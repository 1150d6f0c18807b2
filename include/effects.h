/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_EFFECTS_H
#define PORTWARDEN_EFFECTS_H

#include "daemonstate.h"

/* What a drain's packets imply, carried out after its verdicts are sent:
 * one transaction for all new @blocked ports, then the log lines. */
void effects_run(struct daemon *d);

/* One line of the blocked-connection log (a fold_emit_fn, ctx the daemon). */
void effects_write_line(void *ctx, const struct fold_event *ev, unsigned long count);
/* The lines that waited for the listener watcher's next look or the
 * published ports. */
void effects_write_pending(struct daemon *d);
/* Whether the waiting lines can go out now: what they waited for came, or
 * they waited long enough. */
int effects_pending_due(struct daemon *d, const struct timespec *now);

#endif
