// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden reload`: the running daemon applies its files now and says
 * what changed, or why it kept its policy (what systemctl reload runs). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "daemonctl.h"
#include "localrules.h"
#include "policydiff.h"

static void print_changes(const struct daemonctl_answer *a)
{
	unsigned i;

	for (i = 0; i < a->nchanges; i++) {
		const struct daemonctl_change *c = &a->changes[i];
		struct policydiff_run r = { c->proto, c->lo, c->hi, c->was, c->now, c->sources };
		char range[32];

		policydiff_format(&r, range, sizeof(range));
		if (c->was == c->now)
			printf("  %-14s %s, other from networks\n", range, policy_kind_name(c->now));
		else
			printf("  %-14s %s -> %s%s\n", range, policy_kind_name(c->was),
			       policy_kind_name(c->now), c->sources ? ", other from networks" : "");
	}
	if (a->more)
		printf("  ... and %u more\n", a->more);
}

int cmd_reload(const struct settings *s)
{
	struct daemonctl_answer a;
	struct config cfg;
	unsigned n;
	int ret;

	/* only the queue is needed here: the daemon reads (and judges) the
	 * files itself */
	settings_load_config(s, &cfg, NULL);
	ret = daemonctl_ask(cfg.queue_num, "reload\n", &a);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot ask the daemon of queue %u to reload: %s%s\n",
			cfg.queue_num, strerror(-ret),
			ret == -ETIMEDOUT ? " (no answer; see its log)" : "");
		return 1;
	}
	switch (a.outcome) {
	case DAEMONCTL_NOT_RUNNING:
		fprintf(stderr, "portwarden: no portwarden serves queue %u here; nothing to reload\n",
			cfg.queue_num);
		ret = 3;
		break;
	case DAEMONCTL_APPLIED:
		n = a.nchanges + a.more;
		printf("reloaded: the daemon (pid %d) applied its files (%u entries): %u change%s\n",
		       (int)a.pid, a.entries, n, n == 1 ? "" : "s");
		print_changes(&a);
		ret = 0;
		break;
	default:
		ret = localrules_report(&a, cfg.queue_num);
		break;
	}
	daemonctl_answer_free(&a);
	return ret;
}
