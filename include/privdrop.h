/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PRIVDROP_H
#define PORTWARDEN_PRIVDROP_H

/* After set-up the daemon keeps CAP_NET_ADMIN (nf_tables, the queue and
 * log sockets, SO_RCVBUFFORCE) and CAP_SYS_PTRACE (/proc/PID/exe and
 * /proc/PID/fdinfo of other users' processes, to know who listens), drops
 * every other capability from all sets and the bounding set, and sets
 * no_new_privs.  A process that holds nothing more (under the shipped
 * unit) is left as it is.  Returns 0 or -errno. */
int privdrop_apply(void);

#endif
