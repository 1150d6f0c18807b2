// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden lookup`: the database entry of a port or service name. */
#include <errno.h>
#include <stdio.h>

#include "commands.h"
#include "lookup.h"

int cmd_lookup(const struct settings *s, int argc, char **argv)
{
	struct policy_db *db;
	struct config cfg;
	int i, status = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: portwarden lookup PORT[/tcp|/udp]|NAME[/tcp|/udp]...\n");
		return 2;
	}
	db = settings_load(s, &cfg, stderr);
	if (!db)
		return 2;
	for (i = 0; i < argc; i++) {
		if (i && !s->json)
			putchar('\n');
		int rc = lookup_print(stdout, db, argv[i], s->json);

		if (rc == -ENOENT) {
			fprintf(stderr, "portwarden: no entry and no services-file name \"%s\"\n", argv[i]);
			status = 1;
		} else if (rc < 0) {
			fprintf(stderr, "portwarden: \"%s\" is not PORT, NAME, PORT/PROTO or NAME/PROTO (port 1-65535, proto tcp or udp)\n",
				argv[i]);
			status = 2;
		}
	}
	policy_db_free(db);
	return status;
}
