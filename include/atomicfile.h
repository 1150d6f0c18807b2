/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ATOMICFILE_H
#define PORTWARDEN_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replaces path with text so that a reader, a crash or a full disk sees
 * either the old file or the new one, never a mix: a temporary file in the
 * same directory, fsync, rename, fsync of the directory.  The new file
 * keeps the old one's mode and owner (mode for a new file).  0 or -errno. */
int atomicfile_replace(const char *path, const char *text, size_t len, mode_t mode);

#endif
