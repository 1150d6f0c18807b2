// SPDX-License-Identifier: GPL-2.0-or-later
/* portwarden: keeps loopback-only and LAN-only services unreachable from
 * outside.  This file turns the command line into one subcommand call. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "daemon.h"
#include "log.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: portwarden [options] COMMAND [args]\n"
		"\n"
		"commands:\n"
		"  check              validate configuration and database\n"
		"  lookup PORT[/PROTO] show what the database says about a port\n"
		"  run                install the table and serve the queue (foreground)\n"
		"  status             what the kernel enforces now, with counters\n"
		"  flush              remove portwarden's table\n"
		"  log                review the blocked-connection log\n"
		"  audit              listening sockets against the policy (exit 1: exposed)\n"
		"\n"
		"options:\n"
		"  -c, --config FILE  configuration (default /etc/portwarden/portwarden.conf)\n"
		"  -d, --db FILE      rules file; repeat for overrides (later wins)\n"
		"  -l, --log FILE     blocked-connection log\n"
		"  -q, --queue N      netfilter queue number\n"
		"  -j, --json         machine-readable output\n"
		"  -v, --verbose      more diagnostics\n"
		"  -h, --help         this text\n"
		"\n"
		"log options:\n"
		"  --since WHEN, --until WHEN   1h, 2d, 2026-11-27 or RFC 3339\n"
		"  --port N, --source ADDR[/PREFIX], --service NAME\n"
		"  --summary          totals per port, source, day and path\n"
		"  -f, --follow       keep printing new entries\n"
		"  --all              include rotated files (blocked.log.1, .2.gz, ...)\n");
}

static int parse_options(struct settings *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "log", required_argument, NULL, 'l' },
		{ "queue", required_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "port", required_argument, NULL, 'P' },
		{ "source", required_argument, NULL, 's' },
		{ "service", required_argument, NULL, 'N' },
		{ "follow", no_argument, NULL, 'f' },
		{ "summary", no_argument, NULL, 'm' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "c:d:l:q:jvhf", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			s->config_path = optarg;
			s->config_explicit = 1;
			break;
		case 'd':
			if (settings_add_db(s, optarg) < 0)
				fatalx("too many --db files (at most %d)", SETTINGS_DB_MAX);
			break;
		case 'l':
			s->log_path = optarg;
			break;
		case 'q':
			s->queue = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || s->queue > 65535)
				fatalx("--queue wants a number from 0 to 65535");
			break;
		case 'j':
			s->json = 1;
			break;
		case 'v':
			s->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'S':
			s->since = optarg;
			break;
		case 'U':
			s->until = optarg;
			break;
		case 'P':
			s->port = optarg;
			break;
		case 's':
			s->source = optarg;
			break;
		case 'N':
			s->service = optarg;
			break;
		case 'f':
			s->follow = 1;
			break;
		case 'm':
			s->summary = 1;
			break;
		case 'a':
			s->all = 1;
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct settings s;
	const char *cmd;
	int first;

	settings_defaults(&s);
	first = parse_options(&s, argc, argv);
	log_init("portwarden", s.verbose);
	if (first >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[first];
	argc -= first + 1;
	argv += first + 1;
	if (!strcmp(cmd, "check"))
		return cmd_check(&s);
	if (!strcmp(cmd, "lookup"))
		return cmd_lookup(&s, argc, argv);
	if (!strcmp(cmd, "run"))
		return daemon_run(&s);
	if (!strcmp(cmd, "status"))
		return cmd_status(&s);
	if (!strcmp(cmd, "flush"))
		return cmd_flush(&s);
	if (!strcmp(cmd, "log"))
		return cmd_log(&s);
	if (!strcmp(cmd, "audit"))
		return cmd_audit(&s);
	fprintf(stderr, "portwarden: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
