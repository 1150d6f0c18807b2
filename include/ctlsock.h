/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_CTLSOCK_H
#define PORTWARDEN_CTLSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* The daemon's control socket, both ends: an AF_UNIX SOCK_SEQPACKET socket
 * in the abstract namespace, named after the queue the daemon serves.
 * Abstract names belong to a network namespace, so a command reaches the
 * daemon of its own namespace and no file can go stale after a crash.
 * One request and one answer per connection, each one message of text. */

#define CTLSOCK_MSG_MAX	65536

/* Listens; -EADDRINUSE when another process holds the name. */
int ctlsock_listen(uint16_t queue);
/* Connects to the daemon of queue; -ECONNREFUSED (or -ENOENT) when none
 * listens here. */
int ctlsock_connect(uint16_t queue);

/* The peer's credentials (SO_PEERCRED); 0 or -errno. */
int ctlsock_peer(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/* One message; 0 or -errno. */
int ctlsock_send(int fd, const char *text, size_t len);
/* Waits up to ms for one message, NUL-terminated in buf; its length,
 * -ETIMEDOUT, -EMSGSIZE for a message longer than cap - 1, -ECONNRESET
 * when the peer went away without one, or -errno. */
ssize_t ctlsock_recv(int fd, char *buf, size_t cap, int ms);

/* Words of the messages, read the same at both ends (a policy word:
 * policy_kind_parse()): 0, or -1 for text that is not one.  A protocol
 * (tcp, udp); " from DIGEST" (policydiff_sources()) or nothing, 0 then. */
int ctlsock_parse_kind(const char *s, enum policy_kind *kind);
int ctlsock_parse_proto(const char *s, uint8_t *proto);
int ctlsock_parse_sources(const char *rest, uint64_t *sources);

#endif
