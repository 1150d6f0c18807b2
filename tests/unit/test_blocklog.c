// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blocklog.h"
#include "logline.h"

static struct packet_info v6pkt(void)
{
	struct packet_info p = { .family = AF_INET6, .proto = IPPROTO_TCP, .has_ports = 1,
				 .sport = 40000, .dport = 143 };

	inet_pton(AF_INET6, "2001:db8::2", p.saddr);
	inet_pton(AF_INET6, "2001:db8::1", p.daddr);
	return p;
}

static void blocklog_format__hostile_strings__escaped_and_read_back(void **state)
{
	struct packet_info p = v6pkt();
	struct blocklog_entry e = {
		.ts = { 1795766400, 123456789 },
		.action = "blocked", .pkt = &p,
		.iif = "eth\"0\\\n", .service = "imap", .policy = "loopback-only",
		.path = "queue", .count = 3, .listener = "ev\x01il\"proc[7]",
	};
	char line[BLOCKLOG_LINE_MAX];
	struct log_record r;
	int n = blocklog_format(line, sizeof(line), &e);

	assert_true(n > 0);
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', (size_t)n - 1));
	assert_non_null(strstr(line, "\"ts\":\"2026-11-27T08:00:00.123Z\""));
	assert_non_null(strstr(line, "\"iif\":\"eth\\\"0\\\\\\u000a\""));
	assert_non_null(strstr(line, "\"listener\":\"ev\\u0001il\\\"proc[7]\""));
	assert_int_equal(logline_parse(line, (size_t)n - 1, &r), 0);
	assert_string_equal(r.iif, "eth\"0\\\n");
	assert_string_equal(r.src, "2001:db8::2");
	assert_int_equal(r.count, 3);
}

static void blocklog_format__any_source__star(void **state)
{
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "kernel", .count = 9,
				    .any_source = 1 };
	char line[BLOCKLOG_LINE_MAX];

	assert_true(blocklog_format(line, sizeof(line), &e) > 0);
	assert_non_null(strstr(line, "\"src\":\"*\",\"sport\":0"));
}

static void blocklog_format__published_port__target_written_and_read_back(void **state)
{
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1,
				    .nat_dst = "2001:db8:3::2", .nat_dport = 6380 };
	char line[BLOCKLOG_LINE_MAX];
	struct log_record r;
	int n = blocklog_format(line, sizeof(line), &e);

	assert_true(n > 0);
	assert_non_null(strstr(line, "\"dport\":143,"));
	assert_non_null(strstr(line, "\"nat_dst\":\"2001:db8:3::2\",\"nat_dport\":6380}"));
	assert_int_equal(logline_parse(line, (size_t)n - 1, &r), 0);
	assert_int_equal(r.dport, 143);
	assert_string_equal(r.nat_dst, "2001:db8:3::2");
	assert_int_equal(r.nat_dport, 6380);
	/* a port nobody publishes: no such members at all */
	e.nat_dst = NULL;
	n = blocklog_format(line, sizeof(line), &e);
	assert_null(strstr(line, "nat_"));
	assert_int_equal(logline_parse(line, (size_t)n - 1, &r), 0);
	assert_string_equal(r.nat_dst, "");
}

static void blocklog_format__small_buffer__refused(void **state)
{
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1 };
	char line[64];

	assert_int_equal(blocklog_format(line, sizeof(line), &e), -1);
}

static void blocklog_write__renamed_file__reopened_nothing_lost(void **state)
{
	char dir[] = "/tmp/pw-blocklog-XXXXXX", path[128], moved[128], buf[8192];
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1 };
	struct blocklog l;
	int fd, lines = 0;
	ssize_t n, i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/blocked.log", dir);
	snprintf(moved, sizeof(moved), "%s/sub/blocked.log.1", dir);
	assert_int_equal(blocklog_open(&l, path), 0);
	e.ts.tv_sec = 100;
	assert_int_equal(blocklog_write(&l, &e), 0);
	assert_int_equal(rename(path, moved), 0);
	e.ts.tv_sec = 101;	/* a new second: the path is checked again */
	assert_int_equal(blocklog_write(&l, &e), 0);
	blocklog_close(&l);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, 1);
	unlink(path);
	unlink(moved);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

/* A folded line carries the time of its window's last repeat, which may be
 * earlier than a line written meanwhile: the file stays in time order. */
static void blocklog_write__earlier_time__written_no_earlier_than_the_last(void **state)
{
	char dir[] = "/tmp/pw-blocklog-XXXXXX", path[128], buf[8192], *nl;
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1 };
	struct log_record first, second;
	struct blocklog l;
	ssize_t n;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/blocked.log", dir);
	assert_int_equal(blocklog_open(&l, path), 0);
	e.ts.tv_sec = 1795766455;
	e.ts.tv_nsec = 250000000;
	assert_int_equal(blocklog_write(&l, &e), 0);
	e.ts.tv_sec = 1795766450;	/* repeats that ended five seconds before */
	e.count = 57;
	assert_int_equal(blocklog_write(&l, &e), 0);
	blocklog_close(&l);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	nl = memchr(buf, '\n', (size_t)n);
	assert_non_null(nl);
	assert_int_equal(logline_parse(buf, (size_t)(nl - buf), &first), 0);
	assert_int_equal(logline_parse(nl + 1, (size_t)(buf + n - nl - 2), &second), 0);
	assert_int_equal(second.count, 57);
	assert_true(second.ts_ms >= first.ts_ms);
	unlink(path);
	rmdir(dir);
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void blocklog_write__cap__moved_to_dot1_once_newest_kept(void **state)
{
	char dir[] = "/tmp/pw-blocklog-XXXXXX", path[128], old[128];
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1 };
	struct blocklog l;
	off_t line;
	int i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/blocked.log", dir);
	snprintf(old, sizeof(old), "%s/blocked.log.1", dir);
	assert_int_equal(blocklog_open(&l, path), 0);
	e.ts.tv_sec = 100;
	assert_int_equal(blocklog_write(&l, &e), 0);
	line = file_size(path);
	blocklog_set_max_size(&l, 3 * line);
	for (i = 0; i < 2; i++)
		assert_int_equal(blocklog_write(&l, &e), 0);
	assert_int_equal(file_size(path), 3 * line);	/* at the cap, not past it */
	assert_int_equal(file_size(old), -1);
	assert_int_equal(blocklog_write(&l, &e), 0);	/* would pass it: moved */
	assert_int_equal(file_size(old), 3 * line);
	assert_int_equal(file_size(path), line);
	for (i = 0; i < 3; i++)
		assert_int_equal(blocklog_write(&l, &e), 0);
	assert_int_equal(file_size(old), 3 * line);	/* the older .1 replaced */
	assert_int_equal(file_size(path), line);
	blocklog_close(&l);
	unlink(path);
	unlink(old);
	rmdir(dir);
}

/* A disk that fills up in the middle of a line: the wrapped write() stores
 * half of the next line it is given, then fails, as write(2) does. */
static int fail_halfway;

ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	if (fail_halfway && len > 1) {
		fail_halfway = 0;
		return __real_write(fd, buf, len / 2);
	}
	return __real_write(fd, buf, len);
}

static void blocklog_write__torn_line__next_line_starts_fresh(void **state)
{
	char path[] = "/tmp/pw-torn-XXXXXX", buf[8192], *second;
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1 };
	struct log_record r;
	struct blocklog l;
	ssize_t n;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(blocklog_open(&l, path), 0);
	fail_halfway = 1;
	assert_true(blocklog_write(&l, &e) < 0);
	e.count = 7;
	assert_int_equal(blocklog_write(&l, &e), 0);
	blocklog_close(&l);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	/* the fragment is a line of its own; the next line is whole */
	second = strchr(buf, '\n');
	assert_non_null(second);
	assert_int_not_equal(logline_parse(buf, (size_t)(second - buf), &r), 0);
	second++;
	assert_int_equal(second[strlen(second) - 1], '\n');
	assert_int_equal(logline_parse(second, strlen(second) - 1, &r), 0);
	assert_int_equal(r.count, 7);
}

static void blocklog_open__fifo__refused_without_blocking(void **state)
{
	char path[64];
	struct blocklog l;

	alarm(10);	/* a hang fails the test */
	snprintf(path, sizeof(path), "/tmp/pw-log-fifo.%ld", (long)getpid());
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(blocklog_open(&l, path), -EINVAL);
	unlink(path);
	alarm(0);
}

/* fdatasync and rename seen by the log: how often it syncs, and whether
 * a rotation comes after the sync of what the old file holds. */
static unsigned syncs, syncs_at_rename;

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd)
{
	syncs++;
	return __real_fdatasync(fd);
}

int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to)
{
	syncs_at_rename = syncs;
	return __real_rename(from, to);
}

static void open_temp_log(struct blocklog *l, char *path)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(blocklog_open(l, path), 0);
}

static void write_lines(struct blocklog *l, int n)
{
	struct packet_info p = v6pkt();
	struct blocklog_entry e = { .action = "blocked", .pkt = &p, .path = "queue", .count = 1 };

	while (n-- > 0)
		assert_int_equal(blocklog_write(l, &e), 0);
}

static void blocklog_write__flood__synced_not_per_line(void **state)
{
	char path[] = "/tmp/pw-sync-XXXXXX";
	struct blocklog l;

	open_temp_log(&l, path);
	syncs = 0;
	write_lines(&l, 1000);
	/* the first line at once, then at most one sync per interval */
	assert_in_range(syncs, 1, 10);
	blocklog_close(&l);
	unlink(path);
}

static void blocklog_close__unsynced_lines__synced(void **state)
{
	char path[] = "/tmp/pw-sync-XXXXXX";
	struct blocklog l;

	open_temp_log(&l, path);
	write_lines(&l, 3);
	syncs = 0;
	blocklog_close(&l);
	assert_int_equal(syncs, 1);
	unlink(path);
}

static void blocklog_write__cap__old_file_synced_before_rename(void **state)
{
	char path[] = "/tmp/pw-sync-XXXXXX", old[64];
	struct blocklog l;
	off_t line;

	open_temp_log(&l, path);
	snprintf(old, sizeof(old), "%s.1", path);
	write_lines(&l, 1);
	line = file_size(path);
	blocklog_set_max_size(&l, 3 * line);
	write_lines(&l, 2);
	syncs = syncs_at_rename = 0;
	write_lines(&l, 1);	/* passes the cap: moved */
	assert_int_equal(file_size(old), 3 * line);
	assert_int_equal(syncs_at_rename, 1);
	blocklog_close(&l);
	unlink(path);
	unlink(old);
}

/* the symbolic link policy of every file portwarden writes (atomicfile.h):
 * the lines land where the link leads, and the link stays */
static void blocklog_open__symlink__target_written_link_kept(void **state)
{
	char path[] = "/tmp/pw-link-XXXXXX", link[64];
	struct blocklog l;
	struct stat st;

	open_temp_log(&l, path);
	blocklog_close(&l);
	snprintf(link, sizeof(link), "%s.link", path);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(blocklog_open(&l, link), 0);
	write_lines(&l, 2);
	blocklog_close(&l);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_true(file_size(path) > 0);
	unlink(link);
	unlink(path);
}

static void blocklog_sync__after_batch__once_then_nothing_to_do(void **state)
{
	char path[] = "/tmp/pw-sync-XXXXXX";
	struct blocklog l;

	open_temp_log(&l, path);
	write_lines(&l, 2);
	syncs = 0;
	assert_int_equal(blocklog_sync(&l), 0);
	assert_int_equal(blocklog_sync(&l), 0);
	blocklog_close(&l);
	assert_int_equal(syncs, 1);
	unlink(path);
}

static void blocklog_sync_due__burst_then_quiet__last_lines_synced_once(void **state)
{
	char path[] = "/tmp/pw-sync-XXXXXX";
	struct blocklog l;

	open_temp_log(&l, path);
	write_lines(&l, 5);	/* the first synced at once, the rest wait */
	syncs = 0;
	blocklog_sync_due(&l);
	assert_int_equal(syncs, 0);	/* within the interval: nothing yet */
	l.synced.tv_sec -= BLOCKLOG_SYNC_MS / 1000 + 1;	/* the interval has passed */
	blocklog_sync_due(&l);
	blocklog_sync_due(&l);
	assert_int_equal(syncs, 1);
	blocklog_close(&l);
	assert_int_equal(syncs, 1);	/* nothing left for close */
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocklog_format__hostile_strings__escaped_and_read_back),
		cmocka_unit_test(blocklog_format__any_source__star),
		cmocka_unit_test(blocklog_format__published_port__target_written_and_read_back),
		cmocka_unit_test(blocklog_format__small_buffer__refused),
		cmocka_unit_test(blocklog_write__renamed_file__reopened_nothing_lost),
		cmocka_unit_test(blocklog_write__earlier_time__written_no_earlier_than_the_last),
		cmocka_unit_test(blocklog_write__cap__moved_to_dot1_once_newest_kept),
		cmocka_unit_test(blocklog_write__torn_line__next_line_starts_fresh),
		cmocka_unit_test(blocklog_open__fifo__refused_without_blocking),
		cmocka_unit_test(blocklog_open__symlink__target_written_link_kept),
		cmocka_unit_test(blocklog_write__flood__synced_not_per_line),
		cmocka_unit_test(blocklog_close__unsynced_lines__synced),
		cmocka_unit_test(blocklog_write__cap__old_file_synced_before_rename),
		cmocka_unit_test(blocklog_sync__after_batch__once_then_nothing_to_do),
		cmocka_unit_test(blocklog_sync_due__burst_then_quiet__last_lines_synced_once),
	};

	return cmocka_run_group_tests_name("blocklog", tests, NULL, NULL);
}
