/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NETADDR_H
#define PORTWARDEN_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* What every address-handling module needs, written once: addresses are
 * kept as 16 bytes, an IPv4 one in the first 4. */

/* Bytes of an address of family (AF_INET: 4, else 16). */
static inline size_t netaddr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* 127.0.0.0/8 or ::1 */
static inline int netaddr_is_loopback(int family, const uint8_t *addr)
{
	static const uint8_t v6[16] = { [15] = 1 };

	return family == AF_INET ? addr[0] == 127 : !memcmp(addr, v6, sizeof(v6));
}

#endif
