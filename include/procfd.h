/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PROCFD_H
#define PORTWARDEN_PROCFD_H

#include <stdint.h>

/* Which process holds a socket: one pass over /proc/PID/fd. */
struct proc_owner {
	uint32_t inode;
	int pid;		/* 0 when not found */
	char comm[32];
	char exe[256];
};

/* Fills owners[i] for each owners[i].inode set by the caller. */
void procfd_find(struct proc_owner *owners, unsigned n);

#endif
