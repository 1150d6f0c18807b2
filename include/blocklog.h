/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_BLOCKLOG_H
#define PORTWARDEN_BLOCKLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "packet.h"

/* The blocked-connection log: JSON lines appended to a file, each written
 * with one write() so a crash never leaves half a line; a write cut short
 * (disk full) is remembered and the next line starts on a fresh line.
 * Lines reach the disk (fdatasync) at most BLOCKLOG_SYNC_MS after they were
 * written while lines keep coming, and always on close and before the file
 * is rotated; a flood costs one sync per interval, not one per line. */

#define BLOCKLOG_LINE_MAX 2048
#define BLOCKLOG_SYNC_MS  1000

struct blocklog_entry {
	struct timespec ts;
	const char *action;	/* "blocked" or "would-block" */
	const struct packet_info *pkt;
	const char *iif;
	const char *service;
	const char *policy;
	const char *path;	/* "queue" or "kernel" */
	unsigned long count;
	const char *listener;	/* "name[pid]" or NULL */
	/* a published port: where DNAT sends the connection, or NULL */
	const char *nat_dst;
	uint16_t nat_dport;
	int any_source;		/* src "*": folded over many sources */
};

struct blocklog {
	int fd;
	char path[256];
	dev_t dev;
	ino_t ino;
	time_t checked;		/* last time the path was compared with fd */
	unsigned long written, failed;
	off_t size, max_size;	/* max_size 0: no cap */
	int torn;		/* the last write stopped mid-line */
	int dirty;		/* lines written since the last fdatasync */
	struct timespec synced;	/* CLOCK_MONOTONIC of the last fdatasync */
	unsigned long sync_failed;
	struct timespec last_ts;	/* of the last line: none goes out earlier */
};

int blocklog_open(struct blocklog *l, const char *path);
void blocklog_close(struct blocklog *l);
/* Caps the file (log_max_size, for logs in RAM): a line that would pass
 * the cap first moves the file to PATH.1, replacing an older one. */
void blocklog_set_max_size(struct blocklog *l, off_t bytes);
/* Reopens the path, e.g. after logrotate renamed the file. */
int blocklog_reopen(struct blocklog *l);
/* Lines go out in time order, which `log --since` relies on to seek: a
 * line whose time is earlier than the last one's (a folded line carries
 * its window's last repeat, written when the window closes) gets the
 * last one's time. */
int blocklog_write(struct blocklog *l, const struct blocklog_entry *e);
/* Puts the lines written so far on the disk; for the end of a batch of
 * lines.  0, or -errno from fdatasync. */
int blocklog_sync(struct blocklog *l);
/* The same once BLOCKLOG_SYNC_MS have passed since the last sync: called
 * by every write and by the daemon's timer, so the last lines of a burst
 * do not wait for the next line to reach the disk. */
void blocklog_sync_due(struct blocklog *l);

/* One JSON line, newline included; returns its length or -1. */
int blocklog_format(char *buf, size_t cap, const struct blocklog_entry *e);

#endif
