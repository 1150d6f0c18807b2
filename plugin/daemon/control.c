// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's end of the control socket: reloads on request, answered
 * once the kernel acknowledged the new table. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "ctlsock.h"
#include "effects.h"
#include "log.h"
#include "policydiff.h"
#include "reload.h"

#define REQUEST_WAIT_MS	1000	/* a client sends its request right after connecting */
#define ACCEPT_MAX	8	/* clients taken per wake-up: packets come first */

static char inbox[CTLSOCK_MSG_MAX];	/* one client's request, read and answered at once */

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
	for (unsigned i = 0; i < CONTROL_WAITING_MAX; i++) {
		if (d->ctl_waiting[i].fd >= 0)
			close(d->ctl_waiting[i].fd);
		d->ctl_waiting[i].fd = -1;
	}
}

static int allowed(uid_t uid, gid_t gid)
{
	return uid == 0 || uid == geteuid() || gid == getegid();
}

static int parse_expect(const char *line, struct control_expect *e)
{
	char proto[4], kind[16];
	int end = -1;

	if (sscanf(line, "expect %3s %u %u %15s%n", proto, &e->lo, &e->hi, kind, &end) != 4 ||
	    end < 0 || e->lo > e->hi || e->hi > 65535 ||
	    ctlsock_parse_proto(proto, &e->proto) < 0 || ctlsock_parse_kind(kind, &e->kind) < 0 ||
	    ctlsock_parse_sources(line + end, &e->sources) < 0)
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

/* Everything held for the log into the file: a reader asked, so closing
 * the windows now costs one line per window, once. */
static void write_log(struct daemon *d, FILE *out)
{
	unsigned long before = d->log.written;

	effects_write_pending(d);
	fold_expire(&d->fold, 0, effects_write_line, d);
	fprintf(out, "logged %lu\n", d->log.written - before);
}

static int is_request(const char *request, size_t first, const char *word)
{
	return first == strlen(word) && !strncmp(request, word, first);
}

void control_handle(struct daemon *d, const char *request, FILE *out)
{
	size_t first = strcspn(request, "\n");
	struct control_expect *v;
	struct timespec now;
	unsigned n;

	if (is_request(request, first, "log") && !request[first + (request[first] == '\n')]) {
		write_log(d, out);
		return;
	}
	if (!is_request(request, first, "reload")) {
		fprintf(out, "error unknown request (this daemon answers \"reload\" and \"log\")\n");
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

static void answer(struct daemon *d, int fd, const char *request)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

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

/* The request, if it is there: 1 answered (or the client is gone), 0 not
 * come yet */
static int serve_request(struct daemon *d, int fd)
{
	ssize_t n = ctlsock_recv(fd, inbox, sizeof(inbox), 0);

	if (n == -ETIMEDOUT)
		return 0;
	if (n >= 0)
		answer(d, fd, inbox);
	return 1;	/* gone or oversized: nothing to answer */
}

static int refused(int fd)
{
	static const char no[] = "error permission denied: only root, the daemon's user and "
				 "its group may control it\n";
	uid_t uid;
	gid_t gid;

	if (ctlsock_peer(fd, NULL, &uid, &gid) == 0 && allowed(uid, gid))
		return 0;
	/* at once, never waiting for this peer; a request it sent is read
	 * first, so that closing with it unread does not reset the
	 * connection before the refusal is read */
	ctlsock_send(fd, no, sizeof(no) - 1);
	while (recv(fd, inbox, sizeof(inbox), MSG_DONTWAIT) > 0)
		;
	return 1;
}

static int timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static long ms_since(const struct timespec *t, const struct timespec *now)
{
	return (now->tv_sec - t->tv_sec) * 1000L + (now->tv_nsec - t->tv_nsec) / 1000000L;
}

/* A client whose request has not come is kept and polled.  When every
 * place is taken the longest waiting gives up its place: silent clients
 * cannot keep out one about to send its request. */
static void keep_waiting(struct daemon *d, int fd, const struct timespec *now)
{
	static const char busy[] = "error busy: too many clients connected without a request\n";
	unsigned i, oldest = 0;

	for (i = 0; i < CONTROL_WAITING_MAX && d->ctl_waiting[i].fd >= 0; i++)
		if (timespec_before(&d->ctl_waiting[i].since, &d->ctl_waiting[oldest].since))
			oldest = i;
	if (i == CONTROL_WAITING_MAX) {
		i = oldest;
		ctlsock_send(d->ctl_waiting[i].fd, busy, sizeof(busy) - 1);
		close(d->ctl_waiting[i].fd);
	}
	d->ctl_waiting[i].fd = fd;
	d->ctl_waiting[i].since = *now;
}

static void accept_clients(struct daemon *d, const struct timespec *now)
{
	for (unsigned i = 0; i < ACCEPT_MAX; i++) {
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control socket");
			return;
		}
		if (refused(fd) || serve_request(d, fd))
			close(fd);
		else
			keep_waiting(d, fd, now);
	}
}

void control_pollfds(const struct daemon *d, struct pollfd *pfd)
{
	pfd[0].fd = d->ctl_fd;
	pfd[0].events = POLLIN;
	for (unsigned i = 0; i < CONTROL_WAITING_MAX; i++) {
		pfd[1 + i].fd = d->ctl_fd >= 0 ? d->ctl_waiting[i].fd : -1;
		pfd[1 + i].events = POLLIN;
	}
}

void control_serve(struct daemon *d, const struct pollfd *pfd)
{
	struct timespec now;

	if (d->ctl_fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (unsigned i = 0; i < CONTROL_WAITING_MAX; i++) {
		int *fd = &d->ctl_waiting[i].fd;

		/* the entry polled may be a place filled since: its revents
		 * are another client's, and it is only tried */
		if (*fd < 0 || (pfd[1 + i].fd == *fd && !pfd[1 + i].revents &&
				ms_since(&d->ctl_waiting[i].since, &now) < REQUEST_WAIT_MS))
			continue;
		if (serve_request(d, *fd) ||
		    ms_since(&d->ctl_waiting[i].since, &now) >= REQUEST_WAIT_MS) {
			close(*fd);
			*fd = -1;
		}
	}
	if (pfd[0].revents & POLLIN)
		accept_clients(d, &now);
}
