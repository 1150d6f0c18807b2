// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the rules-file parser, the index built from it and
 * the lint that reads it. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_db *db = policy_db_new();
	char *buf = malloc(size + 1);
	FILE *sink = fopen("/dev/null", "w");

	if (!db || !buf || !sink)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (policy_db_load_buf(db, "fuzz.rules", buf, size, sink) == 0) {
		policy_db_build_index(db);
		/* every painted cell must point at an entry that covers the port */
		for (unsigned p = 1; p <= 65535; p++) {
			const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, (uint16_t)p);

			if (e && (p < e->lo || p > e->hi || !(e->protos & POLICY_TCP)))
				abort();
		}
		/* lint reads every list and row of whatever the parser accepted */
		policy_lint(db, sink);
		/* every from network is whole: a family, a prefix that fits */
		for (unsigned i = 0; i < db->nentries; i++)
			for (unsigned k = 0; k < db->entries[i].nsources; k++) {
				const struct config_net *n = &db->entries[i].sources[k].net;

				if ((n->family != AF_INET && n->family != AF_INET6) ||
				    n->prefix > (n->family == AF_INET ? 32 : 128) ||
				    db->entries[i].kind == POLICY_OPEN)
					abort();
			}
		/* and so is every network an expires line gives after its
		 * time, never to an entry that is open then */
		for (unsigned i = 0; i < db->nentries; i++)
			for (unsigned k = 0; k < db->entries[i].nexpires_sources; k++) {
				const struct policy_entry *e = &db->entries[i];
				const struct config_net *n = &e->expires_sources[k].net;

				if ((n->family != AF_INET && n->family != AF_INET6) ||
				    n->prefix > (n->family == AF_INET ? 32 : 128) ||
				    e->expires_then == 0 || e->expires_then == POLICY_OPEN + 1)
					abort();
			}
	}
	fclose(sink);
	free(buf);
	policy_db_free(db);
	return 0;
}
