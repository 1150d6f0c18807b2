// SPDX-License-Identifier: GPL-2.0-or-later
/* The control socket's address and messages, for the daemon and commands. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"

static socklen_t address(uint16_t queue, struct sockaddr_un *sun)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: the abstract namespace */
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "portwarden/queue/%u", queue);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

int ctlsock_listen(uint16_t queue)
{
	struct sockaddr_un sun;
	socklen_t len = address(queue, &sun);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, len) < 0 || listen(fd, 16) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int ctlsock_connect(uint16_t queue)
{
	struct sockaddr_un sun;
	socklen_t len = address(queue, &sun);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int ctlsock_peer(int fd, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (pid)
		*pid = cred.pid;
	if (uid)
		*uid = cred.uid;
	if (gid)
		*gid = cred.gid;
	return 0;
}

int ctlsock_send(int fd, const char *text, size_t len)
{
	ssize_t n;

	if (len > CTLSOCK_MSG_MAX)
		return -EMSGSIZE;
	do
		n = send(fd, text, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

ssize_t ctlsock_recv(int fd, char *buf, size_t cap, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ready;

	if (cap == 0)
		return -EMSGSIZE;
	do
		ready = poll(&pfd, 1, ms);
	while (ready < 0 && errno == EINTR);
	if (ready < 0)
		return -errno;
	if (ready == 0)
		return -ETIMEDOUT;
	/* MSG_TRUNC: the length of the whole message, so a cut is seen */
	do
		n = recv(fd, buf, cap - 1, MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > cap - 1)
		return -EMSGSIZE;
	buf[n] = '\0';
	return n;
}

/* policy_kind_parse() into the enum the messages' structures hold */
int ctlsock_parse_kind(const char *s, enum policy_kind *kind)
{
	uint8_t k;

	if (policy_kind_parse(s, &k) < 0)
		return -1;
	*kind = (enum policy_kind)k;
	return 0;
}

int ctlsock_parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

int ctlsock_parse_sources(const char *rest, uint64_t *sources)
{
	char hex[17];
	int end = -1;

	*sources = 0;
	if (!rest[strspn(rest, " \t")])
		return 0;
	if (sscanf(rest, " from %16[0-9a-f]%n", hex, &end) != 1 || end < 0 || rest[end])
		return -1;
	*sources = strtoull(hex, NULL, 16);
	return 0;
}
