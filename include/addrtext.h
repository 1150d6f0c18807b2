/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ADDRTEXT_H
#define PORTWARDEN_ADDRTEXT_H

#include <stddef.h>
#include <stdint.h>

/* An address in text, as inet_pton reads it (a fuzz target holds the two
 * to the same answers) but without its cost per call: reviewing a big log
 * reads one address a line.  IPv4 "198.51.100.2" (no leading zeros) into
 * out[0..3], or IPv6 "2001:db8::1", "::ffff:192.0.2.1" into out[0..15].
 * Returns AF_INET, AF_INET6, or 0 for anything else. */
int addrtext_parse(const char *s, size_t len, uint8_t out[16]);

#endif
