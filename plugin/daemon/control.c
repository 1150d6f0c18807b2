// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's end of the control socket: reloads on request, answered
 * once the kernel acknowledged the new table. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "ctlsock.h"
#include "log.h"
#include "policydiff.h"
#include "reload.h"

#define REQUEST_WAIT_MS	1000	/* a client sends its request right after connecting */
#define ACCEPT_MAX	8	/* clients served per wake-up: packets come first */

/* "queue 0 is held by portwarden[812]": the process behind the name */
static void say_holder(uint16_t queue)
{
	char path[64], comm[32] = "?";
	int fd = ctlsock_connect(queue);
	pid_t pid = 0;
	FILE *f;

	if (fd >= 0) {
		ctlsock_peer(fd, &pid, NULL, NULL);
		close(fd);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = pid > 0 ? fopen(path, "re") : NULL;
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	log_warnx("queue %u is held by %s[%d] in this network namespace; stop it first, or "
		  "give this one another queue (queue = N)", queue, comm, (int)pid);
}

int control_open(struct daemon *d)
{
	int fd = ctlsock_listen(d->cfg.queue_num);

	d->ctl_fd = -1;
	if (fd == -EADDRINUSE) {
		say_holder(d->cfg.queue_num);
		return fd;
	}
	if (fd < 0) {
		log_warnx("cannot open the control socket: %s", strerror(-fd));
		return fd;
	}
	d->ctl_fd = fd;
	return 0;
}

void control_close(struct daemon *d)
{
	if (d->ctl_fd >= 0)
		close(d->ctl_fd);
	d->ctl_fd = -1;
}

static int allowed(uid_t uid, gid_t gid)
{
	return uid == 0 || uid == geteuid() || gid == getegid();
}

static int parse_kind(const char *s, enum policy_kind *kind)
{
	static const enum policy_kind all[] = { POLICY_OPEN, POLICY_LAN_ONLY, POLICY_LOOPBACK_ONLY };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, policy_kind_name(all[i]))) {
			*kind = all[i];
			return 0;
		}
	return -1;
}

/* " from DIGEST" (policydiff_sources) or nothing: the sources expected */
static int parse_sources(const char *rest, uint64_t *sources)
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

static int parse_expect(const char *line, struct control_expect *e)
{
	char proto[4], kind[16];
	int end = -1;

	if (sscanf(line, "expect %3s %u %u %15s%n", proto, &e->lo, &e->hi, kind, &end) != 4 ||
	    end < 0 || e->lo > e->hi || e->hi > 65535 || parse_kind(kind, &e->kind) < 0 ||
	    parse_sources(line + end, &e->sources) < 0)
		return -1;
	if (!strcmp(proto, "tcp"))
		e->proto = IPPROTO_TCP;
	else if (!strcmp(proto, "udp"))
		e->proto = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

int control_parse(const char *rest, struct control_expect *v, unsigned *n, FILE *out)
{
	*n = 0;
	while (*rest) {
		size_t len = strcspn(rest, "\n");
		char line[128];

		if (len && len < sizeof(line)) {
			memcpy(line, rest, len);
			line[len] = '\0';
		}
		if (len && (len >= sizeof(line) || *n == CONTROL_EXPECT_MAX || parse_expect(line, &v[*n]) < 0)) {
			fprintf(out, "error line %u of the request is not \"expect PROTO LO HI POLICY\"\n",
				*n + 2);
			return -1;
		}
		if (len)
			(*n)++;
		rest += len + (rest[len] == '\n');
	}
	return 0;
}

/* "expect PROTO LO HI POLICY AGREE TOTAL [from DIGEST]": of the ports
 * asked about, how many have that policy and those sources in what the
 * kernel took */
static void put_check(FILE *out, const struct daemon *d, const struct control_expect *e)
{
	fprintf(out, "expect %s %u %u %s %u %u", e->proto == IPPROTO_UDP ? "udp" : "tcp", e->lo,
		e->hi, policy_kind_name(e->kind),
		policydiff_count_sources(d->db, e->proto, (uint16_t)e->lo, (uint16_t)e->hi, e->kind,
					 e->sources), e->hi - e->lo + 1);
	if (e->sources)
		fprintf(out, " from %016llx", (unsigned long long)e->sources);
	fputc('\n', out);
}

void control_handle(struct daemon *d, const char *request, FILE *out)
{
	size_t first = strcspn(request, "\n");
	struct control_expect *v;
	struct timespec now;
	unsigned n;

	if (first != strlen("reload") || strncmp(request, "reload", first)) {
		fprintf(out, "error unknown request (this daemon answers \"reload\")\n");
		return;
	}
	v = calloc(CONTROL_EXPECT_MAX, sizeof(*v));
	if (!v) {
		fprintf(out, "error out of memory\n");
		return;
	}
	if (control_parse(request + first + (request[first] == '\n'), v, &n, out) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (reload_config(d, &now, 0, out) == RELOAD_APPLIED) {
			fprintf(out, "window %s\n", d->cfg.learning ? "open" : "closed");
			for (unsigned i = 0; i < n; i++)
				put_check(out, d, &v[i]);
		}
	}
	free(v);
}

/* An answer longer than one message keeps its first lines. */
static void reply(int fd, char *text, size_t len)
{
	static const char cut[] = "more (the answer was cut)\n";
	int ret;

	if (len > CTLSOCK_MSG_MAX) {
		len = CTLSOCK_MSG_MAX - sizeof(cut);
		while (len && text[len - 1] != '\n')
			len--;
		memcpy(text + len, cut, sizeof(cut) - 1);
		len += sizeof(cut) - 1;
	}
	ret = ctlsock_send(fd, text, len);
	if (ret < 0)
		log_warnx("cannot answer on the control socket: %s", strerror(-ret));
}

static void serve_one(struct daemon *d, int fd)
{
	static char request[CTLSOCK_MSG_MAX];
	char *text = NULL;
	size_t len = 0;
	uid_t uid;
	gid_t gid;
	FILE *out;
	ssize_t n;

	if (ctlsock_peer(fd, NULL, &uid, &gid) < 0 || !allowed(uid, gid)) {
		static const char no[] = "error permission denied: only root, the daemon's user and "
					 "its group may control it\n";

		/* at once, never waiting for this peer; a request it sent is
		 * read first, so that closing with it unread does not reset
		 * the connection before the refusal is read */
		ctlsock_send(fd, no, sizeof(no) - 1);
		while (recv(fd, request, sizeof(request), MSG_DONTWAIT) > 0)
			;
		return;
	}
	n = ctlsock_recv(fd, request, sizeof(request), REQUEST_WAIT_MS);
	if (n < 0)
		return;	/* gone, silent or oversized: nothing to answer */
	out = open_memstream(&text, &len);
	if (!out) {
		static const char oom[] = "error out of memory\n";

		ctlsock_send(fd, oom, sizeof(oom) - 1);
		return;
	}
	control_handle(d, request, out);
	if (fclose(out) == 0 && text)
		reply(fd, text, len);
	free(text);
}

void control_serve(struct daemon *d)
{
	unsigned i;

	for (i = 0; i < ACCEPT_MAX; i++) {
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control socket");
			return;
		}
		serve_one(d, fd);
		close(fd);
	}
}
