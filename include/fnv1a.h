/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_FNV1A_H
#define PORTWARDEN_FNV1A_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 32 bits: the hash of every small open-addressing table here.
 * Continues from h; start with FNV1A_START. */
#define FNV1A_START 2166136261u

static inline uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The same in 64 bits, for digests that must not collide by chance. */
#define FNV1A64_START 14695981039346656037ull

static inline uint64_t fnv1a64(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

#endif
