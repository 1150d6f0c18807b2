/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_HEXDIGIT_H
#define PORTWARDEN_HEXDIGIT_H

/* The value of a hexadecimal digit, -1 for any other byte. */
static inline int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
