/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NOTIFY_H
#define PORTWARDEN_NOTIFY_H

/* systemd's readiness protocol: one datagram to $NOTIFY_SOCKET.  A no-op
 * outside systemd. */
void notify_state(const char *state);

#endif
