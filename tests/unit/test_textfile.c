// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "textfile.h"

/* A hang is a failure too: a test that blocks is killed by the alarm. */
static int arm_alarm(void **state)
{
	(void)state;
	alarm(10);
	return 0;
}

static void count_line(void *ctx, struct diag *d, unsigned lineno, char *line)
{
	(void)d;
	(void)lineno;
	(void)line;
	++*(unsigned *)ctx;
}

static void textfile_lines__unterminated_last_line__nothing_written_past_buffer(void **state)
{
	static const char text[] = "queue = 3\nfail_mode = open";
	size_t len = sizeof(text) - 1;
	char *buf = malloc(len);	/* exactly len bytes, no room for a NUL */
	struct diag d = { .file = "t" };
	unsigned n = 0;

	assert_non_null(buf);
	memcpy(buf, text, len);
	textfile_lines(&d, buf, len, count_line, &n);
	assert_int_equal(n, 2);
	assert_int_equal(d.errors, 0);
	free(buf);
}

static void config_load_buf__exact_length_buffer__parsed(void **state)
{
	static const char text[] = "queue = 3\nfail_mode = open";
	size_t len = sizeof(text) - 1;
	char *buf = malloc(len);
	struct config cfg;

	assert_non_null(buf);
	memcpy(buf, text, len);
	config_defaults(&cfg);
	assert_int_equal(config_load_buf(&cfg, "t", buf, len, NULL), 0);
	assert_int_equal(cfg.queue_num, 3);
	assert_int_equal(cfg.fail_open, 1);
	free(buf);
}

static void policy_db_load_buf__exact_length_buffer__parsed(void **state)
{
	static const char text[] = "143/tcp imap loopback-only";
	size_t len = sizeof(text) - 1;
	char *buf = malloc(len);
	struct policy_db *db = policy_db_new();

	assert_non_null(buf);
	assert_non_null(db);
	memcpy(buf, text, len);
	assert_int_equal(policy_db_load_buf(db, "t", buf, len, NULL), 0);
	assert_int_equal(db->nentries, 1);
	free(buf);
	policy_db_free(db);
}

static void make_fifo(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/pw-test-fifo.%ld", (long)getpid());
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
}

static void textfile_read__fifo__refused_at_once(void **state)
{
	char path[64], errs[256] = "";
	FILE *err = fmemopen(errs, sizeof(errs), "w");
	struct diag d = { .out = err, .file = path };
	size_t len;
	char *buf = NULL;
	int ret;

	make_fifo(path, sizeof(path));
	ret = textfile_read(&d, path, &buf, &len);
	unlink(path);
	fclose(err);
	assert_int_equal(ret, -EINVAL);
	assert_null(buf);
	assert_non_null(strstr(errs, "not a regular file (a FIFO)"));
}

static void textfile_read__device__refused(void **state)
{
	struct diag d = { .file = "/dev/zero" };
	size_t len;
	char *buf = NULL;

	assert_int_equal(textfile_read(&d, "/dev/zero", &buf, &len), -EINVAL);
	assert_null(buf);
	assert_int_equal(d.errors, 1);
}

static void textfile_read__dev_null__empty(void **state)
{
	struct diag d = { .file = "/dev/null" };
	size_t len = 1;
	char *buf = NULL;

	assert_int_equal(textfile_read(&d, "/dev/null", &buf, &len), 0);
	assert_int_equal(len, 0);
	free(buf);
}

static void textfile_read__directory__refused(void **state)
{
	struct diag d = { .file = "/tmp" };
	size_t len;
	char *buf = NULL;

	assert_int_equal(textfile_read(&d, "/tmp", &buf, &len), -EISDIR);
	assert_null(buf);
}

static void textfile_load__optional_directory__reported_as_such(void **state)
{
	char out[512] = "";
	FILE *err = fmemopen(out, sizeof(out), "w");
	struct config cfg;

	config_defaults(&cfg);
	/* only a missing optional file is quiet: anything else is said */
	assert_int_equal(config_load_file(&cfg, "/tmp", 1, err), 1);
	assert_int_equal(config_load_file(&cfg, "/nonexistent/pw.conf", 1, err), 0);
	fclose(err);
	assert_non_null(strstr(out, "/tmp: not a regular file (a directory)"));
	assert_null(strstr(out, "nonexistent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(textfile_lines__unterminated_last_line__nothing_written_past_buffer),
		cmocka_unit_test(config_load_buf__exact_length_buffer__parsed),
		cmocka_unit_test(policy_db_load_buf__exact_length_buffer__parsed),
		cmocka_unit_test(textfile_read__fifo__refused_at_once),
		cmocka_unit_test(textfile_read__device__refused),
		cmocka_unit_test(textfile_read__dev_null__empty),
		cmocka_unit_test(textfile_read__directory__refused),
		cmocka_unit_test(textfile_load__optional_directory__reported_as_such),
	};

	return cmocka_run_group_tests_name("textfile", tests, arm_alarm, NULL);
}
