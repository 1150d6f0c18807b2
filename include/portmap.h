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

/* Every port 1-65535 of TCP, then of UDP:
 *	struct portmap_iter it = PORTMAP_ITER_INIT;
 *	while (portmap_next(&it))
 *		use(it.proto, it.port); */
struct portmap_iter {
	uint8_t proto;	/* 0 before the first step */
	uint16_t port;
};
#define PORTMAP_ITER_INIT	{ 0, 0 }

static inline int portmap_next(struct portmap_iter *it)
{
	if (it->proto && it->port < 65535) {
		it->port++;
		return 1;
	}
	if (it->proto == IPPROTO_UDP)
		return 0;
	it->proto = it->proto ? IPPROTO_UDP : IPPROTO_TCP;
	it->port = 1;
	return 1;
}

#endif
