// SPDX-License-Identifier: GPL-2.0-or-later
/* Test client: tells an answered connection from a refused one (RST or
 * ICMP unreachable) and from silence, which nc cannot.
 *
 *   probe tcp|udp ADDRESS PORT [TIMEOUT_MS [WHILE_FILE]]
 *
 * Prints and exits: open 0, refused 1, silent 2, error 3.  For UDP "open"
 * means a datagram came back.  SIGUSR1 ends the wait early (the caller has
 * seen the kernel drop the packet): one last look without waiting decides.
 * With WHILE_FILE it probes again and again, a line each, for as long as
 * that file exists: a hammer in one process, not a process per probe. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int result(const char *what, int code)
{
	puts(what);
	return code;
}

static void stop_waiting(int sig)
{
	(void)sig;
}

static int wait_for(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, ms);

	if (n < 0 && errno == EINTR)
		n = poll(&pfd, 1, 0);
	return n;
}

static int probe_tcp(int fd, const struct addrinfo *ai, int ms)
{
	int err = 0;
	socklen_t len = sizeof(err);

	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return result("open", 0);
	if (errno != EINPROGRESS)
		return result(errno == ECONNREFUSED ? "refused" : "error", errno == ECONNREFUSED ? 1 : 3);
	if (wait_for(fd, POLLOUT, ms) <= 0)
		return result("silent", 2);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err == 0)
		return result("open", 0);
	if (err == ECONNREFUSED)
		return result("refused", 1);
	if (err == ETIMEDOUT || err == EHOSTUNREACH)
		return result("silent", 2);
	return result("error", 3);
}

static int probe_udp(int fd, const struct addrinfo *ai, int ms)
{
	char buf[512];
	ssize_t n;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || send(fd, "ping\n", 5, 0) < 0)
		return result("error", 3);
	if (wait_for(fd, POLLIN, ms) <= 0)
		return result("silent", 2);
	n = recv(fd, buf, sizeof(buf), 0);
	if (n >= 0)
		return result("open", 0);
	return errno == ECONNREFUSED ? result("refused", 1) : result("error", 3);
}

static int probe_once(const struct addrinfo *ai, int udp, int ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype, 0), ret;

	if (fd < 0)
		return result("error", 3);
	ret = udp ? probe_udp(fd, ai, ms) : probe_tcp(fd, ai, ms);
	close(fd);
	fflush(stdout);
	return ret;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *ai;
	struct sigaction stop = { .sa_handler = stop_waiting };
	const char *while_file = argc > 5 ? argv[5] : NULL;
	int udp, ms, ret;

	sigaction(SIGUSR1, &stop, NULL);

	if (argc < 4 || (strcmp(argv[1], "tcp") && strcmp(argv[1], "udp"))) {
		fprintf(stderr, "usage: probe tcp|udp ADDRESS PORT [TIMEOUT_MS [WHILE_FILE]]\n");
		return 3;
	}
	udp = !strcmp(argv[1], "udp");
	ms = argc > 4 ? atoi(argv[4]) : 1500;
	hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
	if (getaddrinfo(argv[2], argv[3], &hints, &ai) != 0)
		return result("error", 3);
	do
		ret = probe_once(ai, udp, ms);
	while (while_file && access(while_file, F_OK) == 0);
	freeaddrinfo(ai);
	return ret;
}
