/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LISTENER_H
#define PORTWARDEN_LISTENER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "name[pid]" of the process listening on a local port, for the log.
 * Answers are cached: the lookup walks /proc. */

#define LISTENER_CACHE 32
#define LISTENER_TTL 10

struct listener_cache {
	struct {
		uint8_t proto;
		uint16_t port;
		time_t expires;
		char text[64];
	} e[LISTENER_CACHE];
	unsigned next;
};

const char *listener_describe(struct listener_cache *c, uint8_t proto, uint16_t port, time_t now);

#endif
