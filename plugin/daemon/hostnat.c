// SPDX-License-Identifier: GPL-2.0-or-later
/* Following the host's NAT (hostnat.h). */
#include <errno.h>
#include <string.h>

#include "hostnat.h"
#include "log.h"
#include "nathooks.h"
#include "natscan.h"
#include "reload.h"

/* The look itself, here: at the start, and between drains only when the
 * thread beside the worker does not run.  The chains are dumped again
 * only when the ruleset's generation moved; legacy iptables advances
 * none, so its table list is read each time. */
static int look(struct daemon *d)
{
	uint32_t gen = 0;
	int ret = natscan_gen(&d->fw.nl, &gen);

	if (ret == 0 && (!d->nat_gen_known || gen != d->nat_gen)) {
		ret = nathooks_chains(&d->fw.nl);
		if (ret >= 0) {
			d->nat_chains = ret;
			d->nat_gen = gen;
			d->nat_gen_known = 1;
		}
	}
	if (ret < 0)
		return ret;
	return d->nat_chains || nathooks_legacy();
}

void hostnat_read(struct daemon *d)
{
	int ret = look(d);

	if (ret < 0)
		log_warnx("cannot read the host's NAT chains: %s; UDP is decided without "
			  "connection tracking", strerror(-ret));
	d->host_nat = ret > 0;
	d->nat_due = 0;
}

void hostnat_tick(struct daemon *d)
{
	struct timespec now;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < d->nat_due)
		return;
	/* the thread looks once a second and says what it saw; without it,
	 * the worker looks itself, once a second */
	ret = beside_host_nat(&d->beside);
	if (ret == -ENOTCONN) {
		d->nat_due = now.tv_sec + 1;
		ret = look(d);
	}
	if (ret < 0 || ret == d->host_nat)
		return;
	d->host_nat = ret;
	if (reload_apply(d, d->db, &d->cfg, d->lan) < 0) {
		d->host_nat = !ret;	/* the kernel keeps the old table: again in a second */
		d->nat_gen_known = 0;
		d->nat_due = now.tv_sec + 1;
		return;
	}
	reload_start_watching(d);
	log_info(ret ? "the host uses NAT now: UDP is decided after connection tracking, "
		       "replies to NATed flows pass" :
		       "the host uses no NAT any more: no connection tracking in the table");
}
