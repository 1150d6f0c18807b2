// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: a receive buffer of a ruleset dump (chains, rules,
 * set elements), every message read for published ports as the daemon
 * and `audit` read them: each rule alone, then the whole as a graph,
 * walked from the prerouting base chains. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "natscan.h"
#include "nlwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct natscan_entry *e)
{
	struct natscan_list l = { (struct natscan_entry *)e, 1, 0, 1 };
	char text[80];

	if (e->port_lo > e->port_hi || (e->family != AF_INET && e->family != AF_INET6))
		abort();
	natscan_target_text(e, text, sizeof(text));
	if (natscan_find(&l, e->family, e->proto, e->port_lo, e->daddr) != e)
		abort();
	natscan_target_port(e, e->port_hi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t *copy = malloc(size + NLWALK_SLACK);
	struct natscan_model *m = natscan_model_new();
	struct natscan_list l = { NULL, 0, 0, 0 };
	struct natscan_want w;
	const struct nlmsghdr *nlh;
	struct nlwalk it;
	unsigned i;

	if (!copy || !m)
		abort();
	memcpy(copy, data, size);
	nlwalk_init(&it, copy, size);
	while ((nlh = nlwalk_next(&it))) {
		struct natscan_entry e;

		if (natscan_msg(nlh, &e) == 1)
			check(&e);
		if (natscan_model_chain(m, nlh) < 0 || natscan_model_rule(m, nlh) < 0 ||
		    natscan_model_elems(m, nlh) < 0)
			abort();
	}
	/* what a reader would ask for next is something the model knows */
	for (i = 0; i < 64 && natscan_model_next(m, &w); i++)
		natscan_model_done(m, &w);
	if (natscan_model_walk(m, &l) < 0)
		abort();
	for (i = 0; i < l.n; i++)
		check(&l.v[i]);
	natscan_free(&l);
	natscan_model_free(m);
	free(copy);
	return 0;
}
