// SPDX-License-Identifier: GPL-2.0-or-later
/* Whole port maps copied and cleared page by page.  The daemon's maps
 * come zeroed from calloc: a page never written is no resident memory
 * (reading it maps the kernel's shared zero page), and one page holds
 * 32768 ports of one protocol.  A plain memcpy or memset writes every
 * page, so ten maps of listener facts cost 160 kB for a few ports. */
#include <stdint.h>
#include <string.h>

#include "allzero.h"
#include "portmap.h"

#define PAGE	4096u

/* The bytes of [p, end) up to the next page boundary */
static size_t chunk(const uint8_t *p, const uint8_t *end)
{
	size_t to_page = PAGE - (size_t)((uintptr_t)p % PAGE);
	size_t left = (size_t)(end - p);

	return to_page < left ? to_page : left;
}

void portmap_copy(uint8_t (*dst)[PORTMAP_BYTES], const uint8_t (*src)[PORTMAP_BYTES])
{
	uint8_t *d = &dst[0][0], *end = d + 2 * PORTMAP_BYTES;
	const uint8_t *s = &src[0][0];

	while (d < end) {
		size_t n = chunk(d, end);

		/* a page zero on both sides stays unwritten */
		if (!all_zero(s, n) || !all_zero(d, n))
			memcpy(d, s, n);
		d += n;
		s += n;
	}
}

void portmap_clear(uint8_t (*map)[PORTMAP_BYTES])
{
	uint8_t *p = &map[0][0], *end = p + 2 * PORTMAP_BYTES;

	while (p < end) {
		size_t n = chunk(p, end);

		if (!all_zero(p, n))
			memset(p, 0, n);
		p += n;
	}
}
