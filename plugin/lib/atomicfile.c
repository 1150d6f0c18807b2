// SPDX-License-Identifier: GPL-2.0-or-later
/* Replacing a configuration file in one step. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, ret = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* path with its last component replaced by link (relative to path's
 * directory unless absolute), into out */
static int follow(const char *path, const char *link, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (link[0] == '/' || !slash)
		n = snprintf(out, cap, "%s", link);
	else
		n = snprintf(out, cap, "%.*s/%s", (int)(slash - path), path, link);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int atomicfile_target(const char *path, char *out, size_t cap)
{
	char cur[PATH_MAX], link[PATH_MAX];
	struct stat st;
	int hops;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return -ENAMETOOLONG;
	for (hops = 0; hops <= ATOMICFILE_LINKS_MAX; hops++) {
		ssize_t n;

		if (lstat(cur, &st) < 0) {
			if (errno != ENOENT)
				return -errno;
			break;	/* a new file, or a link to one still to be made */
		}
		if (!S_ISLNK(st.st_mode))
			break;
		/* like fs.protected_symlinks: a link someone else could have
		 * planted is never followed for a write */
		if (st.st_uid != 0 && st.st_uid != geteuid())
			return -ENOLINK;
		n = readlink(cur, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		{
			char at[PATH_MAX];

			memcpy(at, cur, sizeof(at));
			if (follow(at, link, cur, sizeof(cur)) < 0)
				return -ENAMETOOLONG;
		}
	}
	if (hops > ATOMICFILE_LINKS_MAX)
		return -ELOOP;
	if (snprintf(out, cap, "%s", cur) >= (int)cap)
		return -ENAMETOOLONG;
	return 0;
}

int atomicfile_replace(const char *link, const char *text, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	struct stat old;
	int fd, ret;

	ret = atomicfile_target(link, path, sizeof(path));
	if (ret < 0)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (stat(path, &old) == 0) {
		mode = old.st_mode & 07777;
		if (fchown(fd, old.st_uid, old.st_gid) < 0) {
			ret = -errno;
			goto out_unlink;
		}
	}
	if (fchmod(fd, mode) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	ret = write_all(fd, text, len);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (ret < 0)
		goto out_unlink;
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto out_unlink;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	return sync_dir(path);

out_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ret;
}

const char *atomicfile_strerror(int err)
{
	if (err == -ENOLINK)
		return "a symbolic link owned by another user (portwarden follows only links owned "
		       "by root or by itself)";
	if (err == -ELOOP)
		return "too many levels of symbolic links";
	return strerror(-err);
}
