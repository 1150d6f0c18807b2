/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_PORTSPEC_H
#define PORTWARDEN_PORTSPEC_H

#include "policy.h"

/* What a command-line argument names: "143", "143/tcp", "6000-6063/tcp",
 * or a service name or alias from the database ("imap"). */
struct portspec {
	uint16_t lo, hi;
	uint8_t protos;		/* POLICY_TCP | POLICY_UDP */
	const struct policy_entry *entry;	/* the entry a name matched, or NULL */
};

#define PORTSPEC_MAX 16

/* Fills out[] and returns how many specs the argument names; -EINVAL for
 * text that is neither a port nor a name, -ENOENT for an unknown name.
 * A bare port takes the protocols its database entries cover (both when
 * none does). */
int portspec_resolve(const struct policy_db *db, const char *arg, struct portspec *out,
		     unsigned max);

/* "143/tcp", "6000-6063/tcp", "53/both" */
void portspec_format(const struct portspec *ps, char *buf, size_t cap);

#endif
