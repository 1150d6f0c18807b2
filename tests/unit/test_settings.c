// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings.h"

static char path[64];

static int setup(void **state)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/pw-stamp.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static void write_text(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* one fixed modification time: an editor that keeps it, or a rewrite
 * within one tick of the file system's clock */
static void age(void)
{
	const struct timespec t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void stamp_of(const char *file, struct settings_stamp *out)
{
	struct settings s;

	settings_defaults(&s);
	assert_int_equal(settings_add_db(&s, file), 0);
	settings_db_stamp(&s, out);
}

static void stamp(struct settings_stamp *out)
{
	stamp_of(path, out);
}

static void settings_db_stamp__file_just_written__racy(void **state)
{
	struct settings_stamp a;

	write_text("143/tcp imap loopback-only\n");
	stamp(&a);
	assert_true(a.racy);
}

static void settings_db_stamp__old_unchanged_file__equal_and_not_racy(void **state)
{
	/* a file installed with the system: its change time is long past (a
	 * file of our own would carry the ctime of the last utimensat) */
	static const char old[] = "/usr/include/stdio.h";
	struct settings_stamp a, b;

	stamp_of(old, &a);
	stamp_of(old, &b);
	assert_true(a.file[0].present);
	assert_false(a.racy);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void settings_db_stamp__same_size_rewritten__differs(void **state)
{
	struct settings_stamp a, b;

	write_text("8080/tcp http-proxy open\n");
	age();
	stamp(&a);
	/* ctime moves with any change, even when mtime is set back */
	write_text("8080/tcp http-proxy opne\n");
	age();
	stamp(&b);
	assert_memory_not_equal(&a, &b, sizeof(a));
}

static void settings_db_stamp__file_removed__differs(void **state)
{
	struct settings_stamp a, b;

	write_text("143/tcp imap loopback-only\n");
	stamp(&a);
	unlink(path);
	stamp(&b);
	assert_false(b.file[0].present);
	assert_memory_not_equal(&a, &b, sizeof(a));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(settings_db_stamp__file_just_written__racy),
		T(settings_db_stamp__old_unchanged_file__equal_and_not_racy),
		T(settings_db_stamp__same_size_rewritten__differs),
		T(settings_db_stamp__file_removed__differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
