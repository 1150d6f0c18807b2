/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ATOMICFILE_H
#define PORTWARDEN_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* The one symbolic link policy of every file portwarden writes: a link at
 * the path is followed, and the file it leads to is written (the link
 * stays a link, as configuration management expects); a link is
 * followed only when root or the writing user owns it. */
#define ATOMICFILE_LINKS_MAX 16

/* Where a write to path lands, into out: path itself, or the end of the
 * links at it (which need not exist yet).  0, -ENOLINK for a link owned by
 * someone else, -ELOOP, or -errno. */
int atomicfile_target(const char *path, char *out, size_t cap);

/* Replaces path (atomicfile_target's) with text so that a reader, a crash
 * or a full disk sees either the old file or the new one, never a mix: a
 * temporary file in the same directory, fsync, rename, fsync of the
 * directory.  The new file keeps the old one's mode and owner (mode for a
 * new file).  0 or -errno. */
int atomicfile_replace(const char *path, const char *text, size_t len, mode_t mode);

/* What a write's error means, for a message after the path. */
const char *atomicfile_strerror(int err);

#endif
