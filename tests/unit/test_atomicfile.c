// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

/* A link whose name ends in "foreign" reads as owned by another user:
 * no root needed to plant one. */
int __real_lstat(const char *path, struct stat *st);
int __wrap_lstat(const char *path, struct stat *st)
{
	int ret = __real_lstat(path, st);
	size_t n = strlen(path);

	if (ret == 0 && n >= 7 && !strcmp(path + n - 7, "foreign"))
		st->st_uid = geteuid() + 1000;
	return ret;
}

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/pw-atomicfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char path[4][PATH_MAX];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void atomicfile_replace__new_file__written_with_mode(void **state)
{
	struct stat st;

	assert_int_equal(atomicfile_replace(at("new"), "one\n", 4, 0640), 0);
	assert_string_equal(slurp(at("new")), "one\n");
	assert_int_equal(stat(at("new"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

static void atomicfile_replace__existing_file__keeps_its_mode(void **state)
{
	struct stat st;

	assert_int_equal(atomicfile_replace(at("f"), "old\n", 4, 0644), 0);
	assert_int_equal(chmod(at("f"), 0600), 0);
	assert_int_equal(atomicfile_replace(at("f"), "new\n", 4, 0644), 0);
	assert_string_equal(slurp(at("f")), "new\n");
	assert_int_equal(stat(at("f"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void atomicfile_replace__symlink__target_written_link_kept(void **state)
{
	struct stat st;
	char target[PATH_MAX];

	assert_int_equal(mkdir(at("cm"), 0755), 0);
	assert_int_equal(atomicfile_replace(at("cm/local.rules"), "a\n", 2, 0644), 0);
	/* a relative link to a relative link: both followed */
	assert_int_equal(symlink("cm/local.rules", at("middle")), 0);
	assert_int_equal(symlink("middle", at("local.rules")), 0);
	assert_int_equal(atomicfile_target(at("local.rules"), target, sizeof(target)), 0);
	assert_string_equal(target, at("cm/local.rules"));
	assert_int_equal(atomicfile_replace(at("local.rules"), "b\n", 2, 0644), 0);
	assert_int_equal(lstat(at("local.rules"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(at("middle"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(at("cm/local.rules")), "b\n");
}

static void atomicfile_replace__dangling_link__target_created(void **state)
{
	struct stat st;

	assert_int_equal(symlink("made-by-us", at("dangling")), 0);
	assert_int_equal(atomicfile_replace(at("dangling"), "c\n", 2, 0644), 0);
	assert_int_equal(lstat(at("dangling"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(at("made-by-us")), "c\n");
}

static void atomicfile_replace__link_of_another_user__refused_untouched(void **state)
{
	struct stat st;

	assert_int_equal(atomicfile_replace(at("victim"), "v\n", 2, 0644), 0);
	assert_int_equal(symlink("victim", at("foreign")), 0);
	assert_int_equal(atomicfile_replace(at("foreign"), "x\n", 2, 0644), -ENOLINK);
	assert_string_equal(slurp(at("victim")), "v\n");
	assert_int_equal(lstat(at("foreign"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_non_null(strstr(atomicfile_strerror(-ENOLINK), "owned by another user"));
}

static void atomicfile_target__link_loop__eloop(void **state)
{
	char target[PATH_MAX];

	assert_int_equal(symlink("loop-b", at("loop-a")), 0);
	assert_int_equal(symlink("loop-a", at("loop-b")), 0);
	assert_int_equal(atomicfile_target(at("loop-a"), target, sizeof(target)), -ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(atomicfile_replace__new_file__written_with_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(atomicfile_replace__existing_file__keeps_its_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(atomicfile_replace__symlink__target_written_link_kept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(atomicfile_replace__dangling_link__target_created, setup,
						teardown),
		cmocka_unit_test_setup_teardown(atomicfile_replace__link_of_another_user__refused_untouched,
						setup, teardown),
		cmocka_unit_test_setup_teardown(atomicfile_target__link_loop__eloop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
