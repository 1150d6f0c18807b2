// SPDX-License-Identifier: GPL-2.0-or-later
/* Asking the running daemon to apply its files, over the control socket. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlsock.h"
#include "daemonctl.h"

void daemonctl_answer_free(struct daemonctl_answer *a)
{
	free(a->changes);
	free(a->checks);
	free(a->detail);
	memset(a, 0, sizeof(*a));
}

/* Room for element n of an array that doubles (capacity: the next power
 * of two). */
static int room_for(void **v, unsigned n, size_t size)
{
	void *p;

	if (n & (n - 1))
		return 0;	/* not a power of two: there is room */
	p = realloc(*v, (n ? 2 * (size_t)n : 1) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

static int parse_change(const char *line, struct daemonctl_answer *a)
{
	char proto[4], was[16], now[16];
	struct daemonctl_change c;
	unsigned lo, hi;
	int end = -1;

	if (sscanf(line, "change %3s %u %u %15s %15s%n", proto, &lo, &hi, was, now, &end) != 5 ||
	    end < 0 || lo > hi || hi > 65535 || ctlsock_parse_proto(proto, &c.proto) < 0 ||
	    ctlsock_parse_kind(was, &c.was) < 0 || ctlsock_parse_kind(now, &c.now) < 0)
		return -EPROTO;
	/* " from": the ports' `from` networks changed (the policy may not) */
	c.sources = !strcmp(line + end, " from");
	if (!c.sources && line[end + strspn(line + end, " \t")])
		return -EPROTO;
	if (!c.sources && c.was == c.now)
		return -EPROTO;
	c.lo = (uint16_t)lo;
	c.hi = (uint16_t)hi;
	if (room_for((void **)&a->changes, a->nchanges, sizeof(c)) < 0)
		return -ENOMEM;
	a->changes[a->nchanges++] = c;
	return 0;
}

static int parse_check(const char *line, struct daemonctl_answer *a)
{
	char proto[4], kind[16];
	struct daemonctl_check c;
	unsigned lo, hi;
	int end = -1;

	if (sscanf(line, "expect %3s %u %u %15s %u %u%n", proto, &lo, &hi, kind, &c.agree, &c.total,
		   &end) != 6 || end < 0 || lo > hi || hi > 65535 || c.agree > c.total ||
	    c.total != hi - lo + 1 || ctlsock_parse_proto(proto, &c.proto) < 0 ||
	    ctlsock_parse_kind(kind, &c.kind) < 0 ||
	    ctlsock_parse_sources(line + end, &c.sources) < 0)
		return -EPROTO;
	c.lo = (uint16_t)lo;
	c.hi = (uint16_t)hi;
	if (room_for((void **)&a->checks, a->nchecks, sizeof(c)) < 0)
		return -ENOMEM;
	a->checks[a->nchecks++] = c;
	return 0;
}

static int parse_applied(const char *rest, struct daemonctl_answer *a)
{
	while (*rest) {
		size_t len = strcspn(rest, "\n");
		char line[128], extra;
		int ret = -EPROTO;

		if (len >= sizeof(line))
			return -EPROTO;
		memcpy(line, rest, len);
		line[len] = '\0';
		if (!strncmp(line, "change ", 7))
			ret = parse_change(line, a);
		else if (!strncmp(line, "expect ", 7))
			ret = parse_check(line, a);
		else if (!strcmp(line, "window open") || !strcmp(line, "window closed")) {
			a->window = !strcmp(line, "window open");
			ret = 0;
		}
		else if (sscanf(line, "more %u %c", &a->more, &extra) == 1 ||
			 !strcmp(line, "more (the answer was cut)"))
			ret = 0;
		if (ret < 0)
			return ret;
		rest += len + (rest[len] == '\n');
	}
	return 0;
}

int daemonctl_parse(const char *text, struct daemonctl_answer *a)
{
	size_t first = strcspn(text, "\n");
	const char *rest = text + first + (text[first] == '\n');
	char head[32], extra;

	memset(a, 0, sizeof(*a));
	if (!strncmp(text, "error ", 6)) {
		a->outcome = DAEMONCTL_ERROR;
		a->detail = strdup(text + 6);	/* the reason starts on the first line */
		return a->detail ? 0 : -ENOMEM;
	}
	if (first >= sizeof(head))
		return -EPROTO;
	memcpy(head, text, first);
	head[first] = '\0';
	if (sscanf(head, "logged %lu %c", &a->lines, &extra) == 1 && !*rest) {
		a->outcome = DAEMONCTL_LOGGED;
		return 0;
	}
	if (sscanf(head, "applied %u %c", &a->entries, &extra) == 1) {
		int ret;

		a->window = -1;
		ret = parse_applied(rest, a);

		a->outcome = DAEMONCTL_APPLIED;
		if (ret < 0)
			daemonctl_answer_free(a);
		return ret;
	}
	if (!strcmp(head, "refused")) {
		a->outcome = DAEMONCTL_REFUSED;
	} else if (!strcmp(head, "failed")) {
		a->outcome = DAEMONCTL_FAILED;
	} else {
		return -EPROTO;
	}
	a->detail = strdup(rest);
	return a->detail ? 0 : -ENOMEM;
}

int daemonctl_ask(uint16_t queue, const char *request, struct daemonctl_answer *a)
{
	char *buf;
	int fd, ret;

	memset(a, 0, sizeof(*a));
	fd = ctlsock_connect(queue);
	if (fd == -ECONNREFUSED || fd == -ENOENT) {
		a->outcome = DAEMONCTL_NOT_RUNNING;
		return 0;
	}
	if (fd < 0)
		return fd;
	buf = malloc(CTLSOCK_MSG_MAX + 1);
	ret = buf ? ctlsock_peer(fd, &a->pid, NULL, NULL) : -ENOMEM;
	if (ret == 0)
		ret = ctlsock_send(fd, request, strlen(request));
	/* a refusal comes at once, and the daemon may hang up before the
	 * request is sent: the answer is still there to read */
	if (ret == -EPIPE || ret == -ECONNRESET)
		ret = 0;
	if (ret == 0) {
		ssize_t n = ctlsock_recv(fd, buf, CTLSOCK_MSG_MAX + 1, DAEMONCTL_WAIT_MS);

		ret = n < 0 ? (int)n : 0;
	}
	if (ret == 0) {
		pid_t pid = a->pid;

		ret = daemonctl_parse(buf, a);
		a->pid = pid;
	}
	free(buf);
	close(fd);
	return ret;
}
