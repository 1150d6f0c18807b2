// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing the blocked-connection log. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "blocklog.h"
#include "json.h"

int blocklog_format(char *buf, size_t cap, const struct blocklog_entry *e)
{
	char ts[96], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], num[8];
	const struct packet_info *p = e->pkt;
	struct tm tm;
	struct json j;

	gmtime_r(&e->ts.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (e->ts.tv_nsec / 1000000) % 1000);
	if (e->any_source)
		snprintf(src, sizeof(src), "*");
	else if (!inet_ntop(p->family, p->saddr, src, sizeof(src)))
		snprintf(src, sizeof(src), "?");
	if (!inet_ntop(p->family, p->daddr, dst, sizeof(dst)))
		snprintf(dst, sizeof(dst), "?");
	json_begin(&j, buf, cap);
	json_str(&j, "ts", ts);
	json_str(&j, "action", e->action);
	json_str(&j, "proto", packet_proto_name(p->proto, num, sizeof(num)));
	json_str(&j, "src", src);
	json_uint(&j, "sport", e->any_source ? 0 : p->sport);
	json_str(&j, "dst", dst);
	json_uint(&j, "dport", p->dport);
	json_str(&j, "iif", e->iif ? e->iif : "");
	json_str(&j, "service", e->service ? e->service : "");
	json_str(&j, "policy", e->policy ? e->policy : "");
	json_str(&j, "path", e->path);
	json_uint(&j, "count", e->count);
	json_str(&j, "listener", e->listener ? e->listener : "");
	if (e->nat_dst) {
		json_str(&j, "nat_dst", e->nat_dst);
		json_uint(&j, "nat_dport", e->nat_dport);
	}
	return json_end(&j);
}

static int ensure_parent(const char *path)
{
	char dir[256];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static long long ms_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - then->tv_sec) * 1000LL + (now.tv_nsec - then->tv_nsec) / 1000000;
}

int blocklog_sync(struct blocklog *l)
{
	int ret = 0;

	if (!l->dirty || l->fd < 0)
		return 0;
	if (fdatasync(l->fd) < 0) {
		ret = -errno;
		l->sync_failed++;
	}
	l->dirty = 0;
	clock_gettime(CLOCK_MONOTONIC, &l->synced);
	return ret;
}

/* A flood writes many lines a second: one sync per interval keeps the
 * disk from setting the pace, and the first line of a quiet spell goes
 * down at once. */
void blocklog_sync_due(struct blocklog *l)
{
	if (ms_since(&l->synced) >= BLOCKLOG_SYNC_MS)
		blocklog_sync(l);
}

static int open_file(struct blocklog *l)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, ret;

	ret = ensure_parent(l->path);
	if (ret < 0)
		return ret;
	/* the symbolic link policy of every file portwarden writes: where a
	 * link of root's or ours leads (atomicfile.h); a link swapped in
	 * after this look is refused by O_NOFOLLOW */
	ret = atomicfile_target(l->path, path, sizeof(path));
	if (ret < 0)
		return ret;
	/* a FIFO or device under the path is refused, never waited on: its
	 * kind is known before open() could block */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return -EINVAL;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
		  O_NONBLOCK, 0640);
	if (fd < 0)
		return errno == ENXIO ? -EINVAL : -errno;	/* a FIFO slipped in */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	/* readable by the group (adm under logrotate) whatever the umask */
	if (st.st_size == 0 && (st.st_mode & 0777) != 0640)
		fchmod(fd, 0640);
	if (l->fd >= 0) {
		blocklog_sync(l);
		close(l->fd);
	}
	l->fd = fd;
	l->torn = 0;	/* a new file has no fragment to close */
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->size = st.st_size;
	return 0;
}

void blocklog_set_max_size(struct blocklog *l, off_t bytes)
{
	l->max_size = bytes;
}

/* The cap: one older file is kept, so the log never takes more than twice
 * the cap and the newest lines are never the ones lost. */
static void enforce_cap(struct blocklog *l, size_t len)
{
	char old[sizeof(l->path) + 2];

	if (!l->max_size || l->size + (off_t)len <= l->max_size || l->size == 0)
		return;
	snprintf(old, sizeof(old), "%s.1", l->path);
	/* PATH.1 appears complete on the disk, or not at all */
	blocklog_sync(l);
	if (rename(l->path, old) == 0)
		open_file(l);
}

int blocklog_open(struct blocklog *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (strlen(path) >= sizeof(l->path))
		return -ENAMETOOLONG;
	memcpy(l->path, path, strlen(path) + 1);
	/* the first line is synced at once */
	l->synced.tv_sec = -BLOCKLOG_SYNC_MS / 1000 - 1;
	return open_file(l);
}

void blocklog_close(struct blocklog *l)
{
	if (l->fd >= 0) {
		blocklog_sync(l);
		close(l->fd);
	}
	l->fd = -1;
}

int blocklog_reopen(struct blocklog *l)
{
	return open_file(l);
}

/* logrotate without copytruncate renames the file: follow the path. */
static void follow_rotation(struct blocklog *l, time_t now)
{
	struct stat st;

	if (now == l->checked)
		return;
	l->checked = now;
	if (stat(l->path, &st) < 0 || st.st_dev != l->dev || st.st_ino != l->ino)
		open_file(l);
}

static int earlier(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int blocklog_write(struct blocklog *l, const struct blocklog_entry *in)
{
	char buf[BLOCKLOG_LINE_MAX + 1], *line = buf + 1;
	struct blocklog_entry at = *in, *e = &at;
	int len;
	ssize_t n;

	if (earlier(&at.ts, &l->last_ts))
		at.ts = l->last_ts;
	len = blocklog_format(line, sizeof(buf) - 1, e);
	if (len < 0) {
		l->failed++;
		return -EMSGSIZE;
	}
	follow_rotation(l, e->ts.tv_sec);
	enforce_cap(l, (size_t)len);
	if (l->fd < 0) {
		l->failed++;
		return -EBADF;
	}
	/* after a short write (disk full) the file ends in a fragment: this
	 * line starts on a fresh line, so the fragment swallows nothing */
	if (l->torn) {
		*--line = '\n';
		len++;
	}
	do
		n = write(l->fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n != len) {
		l->failed++;
		if (n > 0)
			l->torn = 1;
		return n < 0 ? -errno : -EIO;
	}
	l->torn = 0;
	l->last_ts = at.ts;
	l->written++;
	l->size += len;
	l->dirty = 1;
	blocklog_sync_due(l);
	return 0;
}
