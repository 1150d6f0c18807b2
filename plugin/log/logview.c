// SPDX-License-Identifier: GPL-2.0-or-later
/* Reviewing the blocked-connection log. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "json.h"
#include "logview.h"
#include "packet.h"
#include "safetext.h"

#define LINE_MAX_BYTES	8192
#define CHUNK		(1 << 20)
#define MAX_ROTATED	99
#define TOP_SOURCES	10

void logview_query_init(struct logview_query *q)
{
	memset(q, 0, sizeof(*q));
	q->port = -1;
}

static int logview_match(const struct logview_query *q, const struct log_record *r)
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

/* ---- the summary -------------------------------------------------------- */

struct count_map {	/* string -> count, open addressing, grows */
	struct { char key[48]; unsigned long long n; } *v;
	unsigned cap, used;
};

static int map_add(struct count_map *m, const char *key, unsigned long long n)
{
	uint32_t h = 2166136261u;
	const char *p;
	unsigned i;

	if (m->used * 2 >= m->cap) {
		struct count_map bigger = { calloc(m->cap ? m->cap * 2 : 256, sizeof(*m->v)),
					    m->cap ? m->cap * 2 : 256, 0 };

		if (!bigger.v)
			return -ENOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->v[i].key[0])
				map_add(&bigger, m->v[i].key, m->v[i].n);
		free(m->v);
		*m = bigger;
	}
	for (p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (i = h % m->cap; m->v[i].key[0]; i = (i + 1) % m->cap)
		if (!strcmp(m->v[i].key, key)) {
			m->v[i].n += n;
			return 0;
		}
	snprintf(m->v[i].key, sizeof(m->v[i].key), "%s", key);
	m->v[i].n = n;
	m->used++;
	return 0;
}

struct summary {
	unsigned long long lines, attempts;
	unsigned long long by_port[2][65536];
	char service[2][65536][32];	/* filled lazily for the ports seen */
	struct count_map sources, days, paths;
};

/* the summary's tables: [0] TCP, [1] UDP */
static const char *slot_name(int udp)
{
	return packet_l4_name(udp ? IPPROTO_UDP : IPPROTO_TCP);
}

static void summary_add(struct summary *s, const struct log_record *r)
{
	int udp = packet_l4_parse(r->proto) == IPPROTO_UDP;
	char day[11];

	s->lines++;
	s->attempts += r->count;
	s->by_port[udp][r->dport] += r->count;
	if (!s->service[udp][r->dport][0])
		snprintf(s->service[udp][r->dport], sizeof(s->service[0][0]), "%s",
			 r->service[0] ? r->service : "-");
	map_add(&s->sources, r->src, r->count);
	memcpy(day, r->ts, 10);
	day[10] = '\0';
	map_add(&s->days, day, r->count);
	map_add(&s->paths, r->path, r->count);
}

struct ranked {
	const char *key;
	unsigned long long n;
};

static int by_count_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct ranked *)a)->key, ((const struct ranked *)b)->key);
}

/* The map's entries, sorted; the caller frees. */
static struct ranked *ranked(const struct count_map *m, int (*cmp)(const void *, const void *))
{
	struct ranked *v = calloc(m->used + 1, sizeof(*v));
	unsigned i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < m->cap; i++)
		if (m->v[i].key[0])
			v[n++] = (struct ranked){ m->v[i].key, m->v[i].n };
	qsort(v, n, sizeof(*v), cmp);
	return v;
}

static void print_summary_text(FILE *out, const struct summary *s)
{
	struct ranked *src = ranked(&s->sources, by_count_desc), *days = ranked(&s->days, by_key);
	struct ranked *paths = ranked(&s->paths, by_key);
	char text[256];
	unsigned i;
	int p, udp;

	fprintf(out, "%llu blocked attempts in %llu log lines\n\n", s->attempts, s->lines);
	fprintf(out, "by port:\n");
	for (udp = 0; udp < 2; udp++)
		for (p = 0; p < 65536; p++)
			if (s->by_port[udp][p])
				fprintf(out, "  %5d/%s  %-16s %10llu\n", p, slot_name(udp),
					safetext(text, sizeof(text), s->service[udp][p]),
					s->by_port[udp][p]);
	fprintf(out, "\ntop sources:\n");
	for (i = 0; src && i < s->sources.used && i < TOP_SOURCES; i++)
		fprintf(out, "  %-40s %10llu\n", safetext(text, sizeof(text), src[i].key), src[i].n);
	fprintf(out, "\nby day (UTC):\n");
	for (i = 0; days && i < s->days.used; i++)
		fprintf(out, "  %-10s %10llu\n", safetext(text, sizeof(text), days[i].key), days[i].n);
	fprintf(out, "\nby path:\n");
	for (i = 0; paths && i < s->paths.used; i++)
		fprintf(out, "  %-10s %10llu\n", safetext(text, sizeof(text), paths[i].key), paths[i].n);
	free(src);
	free(days);
	free(paths);
}

static void json_ranked(struct json *j, const char *key, const struct ranked *v, unsigned n)
{
	unsigned i;

	json_open(j, key, '[');
	for (i = 0; v && i < n; i++) {
		json_open(j, NULL, '{');
		json_str(j, "key", v[i].key);
		json_uint(j, "count", v[i].n);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void print_summary_json(FILE *out, const struct summary *s)
{
	struct ranked *src = ranked(&s->sources, by_count_desc), *days = ranked(&s->days, by_key);
	struct ranked *paths = ranked(&s->paths, by_key);
	size_t cap = 1 << 22;
	char *buf = malloc(cap);
	struct json j;
	int p, udp;

	if (!buf)
		goto out;
	json_begin(&j, buf, cap);
	json_uint(&j, "lines", s->lines);
	json_uint(&j, "attempts", s->attempts);
	json_open(&j, "ports", '[');
	for (udp = 0; udp < 2; udp++)
		for (p = 0; p < 65536; p++)
			if (s->by_port[udp][p]) {
				json_open(&j, NULL, '{');
				json_uint(&j, "port", (unsigned)p);
				json_str(&j, "proto", slot_name(udp));
				json_str(&j, "service", s->service[udp][p]);
				json_uint(&j, "count", s->by_port[udp][p]);
				json_close(&j, '}');
			}
	json_close(&j, ']');
	json_ranked(&j, "sources", src, s->sources.used < TOP_SOURCES ? s->sources.used : TOP_SOURCES);
	json_ranked(&j, "days", days, s->days.used);
	json_ranked(&j, "paths", paths, s->paths.used);
	if (json_end(&j) > 0)
		fputs(buf, out);
out:
	free(buf);
	free(src);
	free(days);
	free(paths);
}

/* ---- reading -------------------------------------------------------------- */

struct reader {
	const struct logview_query *q;
	FILE *out;
	struct summary *sum;
	unsigned long long corrupt, shown;
	int header_done;
};

static void print_row(struct reader *rd, const struct log_record *r)
{
	char port[16], nat[256] = "";
	char ts[96], src[200], proto[64], service[200], policy[64], path[64];

	if (!rd->header_done) {
		fprintf(rd->out, "%-19s  %-39s  %-9s  %-16s  %-13s  %6s  %s\n", "TIME (UTC)",
			"SOURCE", "PORT", "SERVICE", "POLICY", "COUNT", "PATH");
		rd->header_done = 1;
	}
	/* a log line is read back from a file others may have written to */
	safetext(ts, sizeof(ts), r->ts);
	snprintf(port, sizeof(port), "%u/%s", r->dport, safetext(proto, sizeof(proto), r->proto));
	if (r->nat_dst[0]) {
		char natdst[200];

		snprintf(nat, sizeof(nat), " (published: DNAT to %s port %u)",
			 safetext(natdst, sizeof(natdst), r->nat_dst), r->nat_dport);
	}
	fprintf(rd->out, "%.10s %.8s  %-39s  %-9s  %-16s  %-13s  %6lu  %s%s%s\n", ts,
		strlen(ts) > 11 ? ts + 11 : "", safetext(src, sizeof(src), r->src), port,
		r->service[0] ? safetext(service, sizeof(service), r->service) : "-",
		safetext(policy, sizeof(policy), r->policy), r->count,
		safetext(path, sizeof(path), r->path),
		strcmp(r->action, "blocked") ? " (would block)" : "", nat);
}

static void handle_line(struct reader *rd, const char *line, size_t len)
{
	struct log_record r;

	if (len == 0)
		return;
	if (logline_parse(line, len, &r) < 0) {
		rd->corrupt++;
		return;
	}
	if (!logview_match(rd->q, &r))
		return;
	rd->shown++;
	if (rd->sum)
		summary_add(rd->sum, &r);
	else if (rd->q->json)
		fprintf(rd->out, "%.*s\n", (int)len, line);
	else
		print_row(rd, &r);
}

/* Splits buf into lines; returns how many bytes of an unfinished last line
 * remain (moved to the front). */
static size_t split_lines(struct reader *rd, char *buf, size_t len, int final)
{
	char *start = buf, *end = buf + len, *nl;

	while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
		handle_line(rd, start, (size_t)(nl - start));
		start = nl + 1;
	}
	if (final || end - start >= LINE_MAX_BYTES) {
		/* a last line without newline is a torn write: corrupt */
		if (end > start)
			rd->corrupt++;
		return 0;
	}
	memmove(buf, start, (size_t)(end - start));
	return (size_t)(end - start);
}

/* A FIFO or device in place of the log is refused before a read could
 * block on it. */
static gzFile open_regular(const char *path)
{
	struct stat st;
	gzFile gz;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	gz = gzdopen(fd, "rb");
	if (!gz)
		close(fd);
	return gz;
}

static int read_file(struct reader *rd, const char *path, char *buf)
{
	gzFile gz = open_regular(path);
	size_t keep = 0;
	int n;

	if (!gz)
		return -errno;
	gzbuffer(gz, 256 * 1024);
	while ((n = gzread(gz, buf + keep, CHUNK - (unsigned)keep)) > 0)
		keep = split_lines(rd, buf, keep + (size_t)n, 0);
	split_lines(rd, buf, keep, 1);
	gzclose(gz);
	return n < 0 ? -EIO : 0;
}

static volatile sig_atomic_t stop_follow;

static void on_stop(int sig)
{
	(void)sig;
	stop_follow = 1;
}

/* Reads what fd holds past *pos; returns the unfinished-line bytes kept. */
static size_t drain(struct reader *rd, int fd, off_t *pos, char *buf, size_t keep)
{
	ssize_t n;

	while ((n = pread(fd, buf + keep, CHUNK - keep, *pos)) > 0) {
		*pos += n;
		keep = split_lines(rd, buf, keep + (size_t)n, 0);
	}
	fflush(rd->out);
	return keep;
}

/* Prints what is appended to path, following renames and truncation. */
static void follow(struct reader *rd, const char *path, char *buf)
{
	struct stat st, now;
	off_t pos;
	size_t keep = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	pos = st.st_size;
	while (!stop_follow) {
		int nfd;

		keep = drain(rd, fd, &pos, buf, keep);
		usleep(200000);
		if (stat(path, &now) < 0)
			continue;
		if (now.st_ino == st.st_ino && now.st_dev == st.st_dev && now.st_size >= pos)
			continue;
		/* renamed or truncated: what the old file still got, then the new */
		keep = drain(rd, fd, &pos, buf, keep);
		nfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nfd < 0)
			continue;
		close(fd);
		fd = nfd;
		fstat(fd, &st);
		pos = 0;
		keep = 0;
	}
	close(fd);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Oldest first: path.N.gz / path.N ... path.1, then path. */
static int read_all(struct reader *rd, const char *path, char *buf)
{
	char rotated[512];
	int n, missing = 0, ret;

	for (n = MAX_ROTATED; rd->q->all && n >= 1; n--) {
		snprintf(rotated, sizeof(rotated), "%s.%d.gz", path, n);
		if (!exists(rotated))
			snprintf(rotated, sizeof(rotated), "%s.%d", path, n);
		if (exists(rotated) && read_file(rd, rotated, buf) < 0)
			fprintf(stderr, "portwarden: cannot read %s\n", rotated);
	}
	ret = read_file(rd, path, buf);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot read %s: %s\n", path,
			ret == -EINVAL ? "not a regular file" : strerror(-ret));
		missing = 1;
	}
	return missing;
}

int logview_run(const struct logview_query *q, const char *path, FILE *out)
{
	struct reader rd = { .q = q, .out = out };
	char *buf = malloc(CHUNK + 1);
	int status;

	if (!buf)
		return 1;
	if (q->summary) {
		rd.sum = calloc(1, sizeof(*rd.sum));
		if (!rd.sum) {
			free(buf);
			return 1;
		}
	}
	status = read_all(&rd, path, buf);
	if (rd.sum) {
		if (q->json)
			print_summary_json(out, rd.sum);
		else
			print_summary_text(out, rd.sum);
	} else if (!q->json && !rd.shown && !status) {
		fprintf(out, "no matching entries\n");
	}
	if (q->follow && !rd.sum && !status) {
		fflush(out);
		follow(&rd, path, buf);
	}
	if (rd.corrupt)
		fprintf(stderr, "portwarden: skipped %llu corrupt or truncated line%s\n", rd.corrupt,
			rd.corrupt == 1 ? "" : "s");
	if (rd.sum) {
		free(rd.sum->sources.v);
		free(rd.sum->days.v);
		free(rd.sum->paths.v);
		free(rd.sum);
	}
	free(buf);
	return status;
}
