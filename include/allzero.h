/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ALLZERO_H
#define PORTWARDEN_ALLZERO_H

#include <stddef.h>
#include <stdint.h>

/* Whether n bytes at p are all zero (an unset address, a page of a map
 * that holds no port). */
static inline int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

#endif
