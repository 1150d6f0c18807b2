/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PRIVDROP_H
#define PORTWARDEN_PRIVDROP_H

/* After set-up the daemon keeps CAP_NET_ADMIN (nf_tables, the queue and
 * log sockets, SO_RCVBUFFORCE) and CAP_SYS_PTRACE (reading /proc/PID/fd of
 * other users' processes to name the listener in the log), drops every
 * other capability from all sets and the bounding set, and sets
 * no_new_privs.  Returns 0 or -errno. */
int privdrop_apply(void);

#endif
