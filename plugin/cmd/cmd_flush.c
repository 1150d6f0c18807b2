// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden flush`: removes portwarden's table, an explicit act. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "firewall.h"
#include "kstate.h"

int cmd_flush(const struct settings *s)
{
	struct firewall fw;
	struct kstate ks;
	int ret;

	(void)s;
	ret = kstate_read(&ks);
	if (ret == 0 && !ks.installed) {
		printf("table inet %s was not installed\n", RULESET_TABLE);
		return 0;
	}
	kstate_free(&ks);
	ret = firewall_open(&fw, 0);
	if (ret == 0)
		ret = firewall_remove(&fw);
	firewall_close(&fw);
	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot remove table inet %s: %s\n", RULESET_TABLE,
			strerror(-ret));
		return 1;
	}
	printf("table inet %s removed\n", RULESET_TABLE);
	return 0;
}
