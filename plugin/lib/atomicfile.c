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

int atomicfile_replace(const char *path, const char *text, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	struct stat old;
	int fd, ret;

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
