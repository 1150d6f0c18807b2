/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NFTDUMP_H
#define PORTWARDEN_NFTDUMP_H

#include <stdint.h>

#include "nlsock.h"

/* Reading nf_tables objects so that what is read belongs to one ruleset
 * generation, as nftables' cache does (src/cache.c): the generation before
 * and after the dumps must be the same, and a dump the kernel marked
 * interrupted is read again.  For readers whose result must be whole
 * (kstate, the DNAT reader, the watch's check after lost events). */

#define NFTDUMP_TRIES 8

/* The generation the ruleset is at now (NFT_MSG_GETGEN); 0 or -errno. */
int nftdump_genid(struct nlsock *nl, uint32_t *genid);

/* Runs read(nl, ctx), one or more dumps that start their result afresh
 * on every call, until it ran within one generation.  Returns read's
 * result, or -EAGAIN when the ruleset changed during NFTDUMP_TRIES tries. */
typedef int (*nftdump_fn)(struct nlsock *nl, void *ctx);
int nftdump_consistent(struct nlsock *nl, nftdump_fn read, void *ctx);

#endif
