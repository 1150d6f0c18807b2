/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PORTMAP_H
#define PORTWARDEN_PORTMAP_H

#include <netinet/in.h>
#include <stdint.h>

/* A set of ports as a bit map per protocol: [0] TCP, [1] UDP.  Declare one
 * as uint8_t name[2][PORTMAP_BYTES]. */
#define PORTMAP_BYTES	(65536 / 8)

static inline int portmap_slot(uint8_t proto)
{
	return proto == IPPROTO_UDP;
}

static inline int portmap_has(const uint8_t (*map)[PORTMAP_BYTES], uint8_t proto, uint16_t port)
{
	return !!(map[portmap_slot(proto)][port / 8] & (1u << (port % 8)));
}

static inline void portmap_set(uint8_t (*map)[PORTMAP_BYTES], uint8_t proto, uint16_t port,
			       int on)
{
	if (on)
		map[portmap_slot(proto)][port / 8] |= (uint8_t)(1u << (port % 8));
	else
		map[portmap_slot(proto)][port / 8] &= (uint8_t)~(1u << (port % 8));
}

/* Whole maps, as memcpy and memset would, but writing no page that is
 * zero on both sides: a map that came zeroed from calloc stays unbacked
 * where it holds no port (portmap.c). */
void portmap_copy(uint8_t (*dst)[PORTMAP_BYTES], const uint8_t (*src)[PORTMAP_BYTES]);
void portmap_clear(uint8_t (*map)[PORTMAP_BYTES]);

/* Walks every (protocol, port) a map holds, ports 1-65535, TCP first:
 *	struct portmap_pos p = PORTMAP_START;
 *	while (portmap_next(&p)) ... p.proto, p.port ... */
struct portmap_pos {
	uint8_t proto;
	uint16_t port;
};

#define PORTMAP_START { IPPROTO_TCP, 0 }

static inline int portmap_next(struct portmap_pos *p)
{
	if (p->port < 65535) {
		p->port++;
		return 1;
	}
	if (p->proto != IPPROTO_TCP)
		return 0;
	p->proto = IPPROTO_UDP;
	p->port = 1;
	return 1;
}

#endif
