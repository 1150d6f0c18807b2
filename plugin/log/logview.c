// SPDX-License-Identifier: GPL-2.0-or-later
/* Reviewing the blocked-connection log: rows, JSON lines, follow. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logclock.h"
#include "logview.h"
#include "safetext.h"

void logview_query_init(struct logview_query *q)
{
	memset(q, 0, sizeof(*q));
	q->port = -1;
	q->top = LOGVIEW_TOP;
	q->now_ms = (int64_t)time(NULL) * 1000;
}

int logview_match(const struct logview_query *q, const struct log_record *r)
{
	if (q->since_ms && r->ts_ms < q->since_ms)
		return 0;
	if (q->until_ms && r->ts_ms >= q->until_ms)
		return 0;
	if (q->port >= 0 && r->dport != (unsigned)q->port)
		return 0;
	if (q->service && strcmp(q->service, r->service))
		return 0;
	if (q->have_source) {
		uint8_t addr[16];
		int family = strchr(r->src, ':') ? AF_INET6 : AF_INET;

		if (inet_pton(family, r->src, addr) != 1 ||
		    !config_net_contains(&q->source, family, addr))
			return 0;
	}
	return 1;
}

/* ---- the summary ---------------------------------------------------------- */

struct summing {
	const struct logview_query *q;
	struct summary *sum;
};

static void sum_line(void *ctx, const struct log_record *r, const char *line, size_t len)
{
	struct summing *sg = ctx;

	(void)line;
	(void)len;
	if (logview_match(sg->q, r))
		summary_add(sg->sum, r);
}

struct summary *logview_summarize(const struct logview_query *q, struct logscan *scan)
{
	struct summary_options o = { q->local_time, q->since_ms, q->until_ms, q->now_ms };
	struct summing sg = { q, summary_new(&o) };

	if (sg.sum)
		logscan_run(scan, q->since_ms, q->until_ms, sum_line, &sg);
	return sg.sum;
}

/* ---- rows --------------------------------------------------------------------- */

struct lister {
	const struct logview_query *q;
	FILE *out;
	struct logclock clock;
	unsigned long long shown;
	int header_done;
};

static void print_row(struct lister *ls, const struct log_record *r)
{
	char port[16], nat[256] = "", when[32];
	char src[200], proto[64], service[200], policy[64], path[64];

	if (!ls->header_done) {
		fprintf(ls->out, "%-19s  %-39s  %-9s  %-16s  %-13s  %6s  %s\n",
			ls->q->local_time ? "TIME (local)" : "TIME (UTC)", "SOURCE", "PORT",
			"SERVICE", "POLICY", "COUNT", "PATH");
		ls->header_done = 1;
	}
	/* a log line is read back from a file others may have written to */
	logclock_format(&ls->clock, r->ts_ms, when, sizeof(when));
	snprintf(port, sizeof(port), "%u/%s", r->dport, safetext(proto, sizeof(proto), r->proto));
	if (r->nat_dst[0]) {
		char natdst[200];

		snprintf(nat, sizeof(nat), " (published: DNAT to %s port %u)",
			 safetext(natdst, sizeof(natdst), r->nat_dst), r->nat_dport);
	}
	fprintf(ls->out, "%-19s  %-39s  %-9s  %-16s  %-13s  %6lu  %s%s%s\n", when,
		safetext(src, sizeof(src), r->src), port,
		r->service[0] ? safetext(service, sizeof(service), r->service) : "-",
		safetext(policy, sizeof(policy), r->policy), r->count,
		safetext(path, sizeof(path), r->path),
		strcmp(r->action, "blocked") ? " (would block)" : "", nat);
}

static void list_line(void *ctx, const struct log_record *r, const char *line, size_t len)
{
	struct lister *ls = ctx;

	if (!logview_match(ls->q, r))
		return;
	ls->shown++;
	if (ls->q->json)
		fprintf(ls->out, "%.*s\n", (int)len, line);
	else
		print_row(ls, r);
}

/* ---- follow ------------------------------------------------------------------- */

static volatile sig_atomic_t stop_follow;

static void on_stop(int sig)
{
	(void)sig;
	stop_follow = 1;
}

/* Hands the complete lines of buf on; returns the unfinished bytes kept. */
static size_t follow_lines(struct lister *ls, char *buf, size_t len)
{
	char *start = buf, *end = buf + len, *nl;

	while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
		struct log_record r;

		if (nl > start && logline_parse(start, (size_t)(nl - start), &r) == 0)
			list_line(ls, &r, start, (size_t)(nl - start));
		start = nl + 1;
	}
	if (end - start >= LOGSCAN_LINE_MAX)
		return 0;
	memmove(buf, start, (size_t)(end - start));
	return (size_t)(end - start);
}

/* Reads what fd holds past *pos; returns the unfinished-line bytes kept. */
static size_t drain(struct lister *ls, int fd, off_t *pos, char *buf, size_t cap, size_t keep)
{
	ssize_t n;

	while ((n = pread(fd, buf + keep, cap - keep, *pos)) > 0) {
		*pos += n;
		keep = follow_lines(ls, buf, keep + (size_t)n);
	}
	fflush(ls->out);
	return keep;
}

/* Prints what is appended to path from pos on (-1: its present end),
 * following renames and truncation, until SIGINT or SIGTERM. */
static void follow(struct lister *ls, const char *path, off_t pos)
{
	const size_t cap = 1 << 16;
	char *buf = malloc(cap);
	struct stat st, now;
	size_t keep = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	if (!buf || fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return;
	}
	if (pos < 0 || pos > st.st_size)
		pos = st.st_size;
	while (!stop_follow) {
		int nfd;

		keep = drain(ls, fd, &pos, buf, cap, keep);
		usleep(200000);
		if (stat(path, &now) < 0)
			continue;
		if (now.st_ino == st.st_ino && now.st_dev == st.st_dev && now.st_size >= pos)
			continue;
		/* renamed or truncated: what the old file still got, then the new */
		keep = drain(ls, fd, &pos, buf, cap, keep);
		nfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nfd < 0)
			continue;
		close(fd);
		fd = nfd;
		if (fstat(fd, &st) < 0)
			st.st_ino = 0;
		pos = 0;
		keep = 0;
	}
	close(fd);
	free(buf);
}

/* ---- the command ------------------------------------------------------------- */

static void say_corrupt(const struct logscan *scan)
{
	if (scan->corrupt)
		fprintf(stderr, "portwarden: skipped %llu corrupt or truncated line%s\n", scan->corrupt,
			scan->corrupt == 1 ? "" : "s");
}

static int summary_command(const struct logview_query *q, struct logscan *scan, FILE *out)
{
	struct summary *s = logview_summarize(q, scan);

	if (!s) {
		fprintf(stderr, "portwarden: out of memory\n");
		return 1;
	}
	if (q->json)
		logview_print_summary_json(out, s, q->top);
	else
		logview_print_summary(out, s, q->top);
	summary_free(s);
	return 0;
}

int logview_run(const struct logview_query *q, const char *path, FILE *out)
{
	struct lister ls = { .q = q, .out = out };
	struct logscan scan;
	int ret, status = 0;

	logclock_init(&ls.clock, q->local_time);
	ret = logscan_open(&scan, path, q->all);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot read %s: %s\n", path,
			ret == -EINVAL ? "not a regular file" : strerror(-ret));
		status = 1;
	}
	if (!scan.buf)
		return 1;
	if (q->summary) {
		status |= summary_command(q, &scan, out);
	} else if (!q->follow || q->all || q->since_ms) {
		/* --follow alone starts at the end, as tail -f does */
		logscan_run(&scan, q->since_ms, q->until_ms, list_line, &ls);
		if (!q->json && !ls.shown && !status && !q->follow)
			fprintf(out, "no matching entries\n");
	}
	say_corrupt(&scan);
	if (q->follow && !q->summary && !status) {
		fflush(out);
		follow(&ls, path, scan.main_end);
	}
	logscan_close(&scan);
	return status;
}
