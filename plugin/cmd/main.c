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

#ifndef PW_VERSION
#define PW_VERSION "unknown"
#endif

struct command {
	const char *name, *args, *summary;
	int (*run)(const struct settings *s, int argc, char **argv);
	int min_args, max_args;	/* -1: any number */
	const char *options;	/* the command's own options, for CMD --help */
};

/* commands that take no arguments */
#define NOARGS(fn) \
	static int run_##fn(const struct settings *s, int argc, char **argv) \
	{ (void)argc; (void)argv; return cmd_##fn(s); }
NOARGS(check)
NOARGS(status)
NOARGS(flush)
NOARGS(log)
NOARGS(audit)
NOARGS(adopt)
NOARGS(report)
NOARGS(reload)
NOARGS(changes)

static int run_daemon(const struct settings *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return daemon_run(s);
}

static const struct command commands[] = {
	{ "run", "", "install the table and serve the queue (foreground)", run_daemon, 0, 0,
	  "  SIGHUP reloads the policy, SIGUSR1 reopens the log, SIGTERM stops\n" },
	{ "check", "[--lint]", "validate configuration and database", run_check, 0, 0,
	  "  --lint             also report weak entries: related ports nobody describes,\n"
	  "                     undeclared overlaps, guarded entries without explanation\n"
	  "                     (exit 1 when there are any)\n" },
	{ "lookup", "PORT[/PROTO]|SERVICE[/PROTO]...", "show what the database says about a port or service",
	  cmd_lookup, 1, -1, NULL },
	{ "status", "", "what the kernel enforces now, with counters (-j: JSON)", run_status, 0, 0,
	  "  exit 0 enforcing, 1 table without worker, 3 not installed, 5 monitor mode\n" },
	{ "audit", "", "listening sockets against the policy (exit 1: exposed)", run_audit, 0, 0, NULL },
	{ "log", "", "review the blocked-connection log", run_log, 0, 0,
	  "  --since WHEN, --until WHEN   1h, 2d, 2026-11-27 or RFC 3339\n"
	  "  --port N|SERVICE, --source ADDR[/PREFIX], --service NAME\n"
	  "  --summary          totals per port (most first), source (IPv6 by /64), hour\n"
	  "                     (ranges under 3 days) or day, and path\n"
	  "  -f, --follow       print new entries as they come (from the end, as tail -f;\n"
	  "                     with --all or --since, what is there first)\n"
	  "  --all              include rotated files (blocked.log.1, .2.gz, ...)\n"
	  "  --local-time       times, hours and days in the local time zone, not UTC\n" },
	{ "report", "", "the log as a page: attempts over time, top ports and sources, audit",
	  run_report, 0, 0,
	  "  the filters of log: --since, --until, --port, --source, --service, --all,\n"
	  "  --local-time\n"
	  "  -o, --output FILE  write there instead of standard output\n"
	  "  --text             the same sections as text, with sparklines\n" },
	{ "allow", "PORT|SERVICE", "open a guarded port (--lan: to the LAN, --from: to networks)",
	  cmd_allow, 1, 1,
	  "  --from CIDR[,CIDR...]  admit these networks too; the port keeps its policy\n"
	  "  --lan              lan-only instead of open\n"
	  "  --why TEXT         the reason, kept as a comment in local.rules\n"
	  "  --timeout TIME     only for a while (90s, 10m, 2h, 1d): then what was\n"
	  "                     there before applies again, also over a restart\n" },
	{ "guard", "PORT|SERVICE loopback-only|lan-only", "guard a port", cmd_guard, 2, 2,
	  "  --from CIDR[,CIDR...]  admit exactly these networks too (none without it)\n"
	  "  --why TEXT         the reason, kept as a comment in local.rules\n"
	  "  --timeout TIME     only for a while, as for allow\n" },
	{ "reset", "PORT|SERVICE", "undo the last change of a port in local.rules", cmd_reset, 1, 1,
	  "  one step back each time (to an adopted entry, say); the last one\n"
	  "  leaves the port to the shipped policy\n" },
	{ "adopt", "[--finish]", "keep guarded services open to their clients (first install)",
	  run_adopt, 0, 0,
	  "  --window DURATION  how long lan-only ports log instead of dropping, to see\n"
	  "                     periodic and UDP clients (default 24h; 0: no window)\n"
	  "  --finish           keep the window's clients as from sources and end it\n"
	  "  --if-due           with --finish: only once the window's time is up (the timer)\n"
	  "  --open             make ports with clients from outside open, not from sources\n"
	  "  -n, --dry-run      only say what would be adopted\n" },
	{ "changes", "", "local.rules' entries against the shipped policy",
	  run_changes, 0, 0, "  -j, --json         one object with a \"changes\" array\n" },
	{ "reload", "", "the running daemon applies the files; says what changed",
	  run_reload, 0, 0,
	  "  exit 0 applied, 1 refused (FILE:LINE printed) or failed, 3 no daemon runs\n" },
	{ "why", "SOURCE PORT|SERVICE", "explain a block and how to allow it", cmd_why, 2, 2, NULL },
	{ "zone", "[IF lan|public|wan|auto]", "each interface's zone and why (-j: JSON); set one",
	  cmd_zone, 0, 2,
	  "  IF is an interface, a prefix ending in * (wlan*), or * (every other one);\n"
	  "  auto removes the setting: portwarden.conf(5), NetworkManager and the\n"
	  "  interface's addresses decide\n"
	  "  --why TEXT         the reason, kept as a comment in portwarden.conf\n" },
	{ "flush", "", "remove portwarden's table (guarded ports become reachable)", run_flush, 0, 0, NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: portwarden [options] COMMAND [args]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		if (strlen(head) > 22)
			fprintf(out, "  %s\n  %-22s %s\n", head, "", commands[i].summary);
		else
			fprintf(out, "  %-22s %s\n", head, commands[i].summary);
	}
	fprintf(out,
		"\n"
		"options:\n"
		"  -c, --config FILE  configuration (default /etc/portwarden/portwarden.conf)\n"
		"  -d, --db FILE      rules file; repeat for overrides (later wins)\n"
		"  -l, --log FILE     blocked-connection log\n"
		"  -q, --queue N      netfilter queue number\n"
		"  -j, --json         machine-readable output\n"
		"  -v, --verbose      more diagnostics (run: each decision)\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this text; COMMAND --help: that command's\n"
		"\n"
		"See portwarden(8).\n");
}

static void command_usage(const struct command *c, FILE *out)
{
	fprintf(out, "usage: portwarden [options] %s%s%s\n%s\n", c->name, *c->args ? " " : "",
		c->args, c->summary);
	if (c->options)
		fprintf(out, "\n%s", c->options);
	fprintf(out, "\nCommon options: portwarden --help.  See portwarden(8).\n");
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* Options before the command (stop_at_command) or after it (any order). */
static int parse_options(struct settings *s, int argc, char **argv, int stop_at_command)
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
		{ "lan", no_argument, NULL, 'L' },
		{ "why", required_argument, NULL, 'W' },
		{ "version", no_argument, NULL, 'V' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "lint", no_argument, NULL, 'I' },
		{ "local-time", no_argument, NULL, 'T' },
		{ "text", no_argument, NULL, 'X' },
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'F' },
		{ "window", required_argument, NULL, 'w' },
		{ "finish", no_argument, NULL, 'E' },
		{ "if-due", no_argument, NULL, 'D' },
		{ "open", no_argument, NULL, 'O' },
		{ "timeout", required_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 0;	/* glibc: start afresh, also on the second call */
	while ((c = getopt_long(argc, argv, stop_at_command ? "+c:d:l:q:jvhfVno:" : "c:d:l:q:jvhfVno:",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			s->config_path = optarg;
			s->config_explicit = 1;
			break;
		case 'd':
			if (settings_add_db(s, optarg) < 0) {
				fprintf(stderr, "portwarden: too many --db files (at most %d)\n",
					SETTINGS_DB_MAX);
				exit(2);
			}
			break;
		case 'l':
			s->log_path = optarg;
			break;
		case 'q':
			s->queue = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || s->queue > 65535) {
				fprintf(stderr, "portwarden: --queue wants a number from 0 to 65535, "
					"not \"%s\"\n", optarg);
				exit(2);	/* a usage error */
			}
			break;
		case 'j':
			s->json = 1;
			break;
		case 'v':
			s->verbose++;
			break;
		case 'h':
			s->help = 1;
			break;
		case 'V':
			printf("portwarden %s\n", PW_VERSION);
			exit(0);
		case 'L':
			s->lan = 1;
			break;
		case 'n':
			s->dry_run = 1;
			break;
		case 'W':
			s->why = optarg;
			break;
		case 'w':
			s->adopt_window = optarg;
			break;
		case 'E':
			s->finish = 1;
			break;
		case 'D':
			s->if_due = 1;
			break;
		case 'O':
			s->open = 1;
			break;
		case 'F':
			if (s->from) {
				fprintf(stderr, "portwarden: --from given twice; list the networks with "
					"commas\n");
				exit(2);	/* a usage error */
			}
			s->from = optarg;
			break;
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
		case 'I':
			s->lint = 1;
			break;
		case 'T':
			s->local_time = 1;
			break;
		case 'X':
			s->text = 1;
			break;
		case 'o':
			s->output = optarg;
			break;
		case 'Y':
			s->timeout = optarg;
			break;
		default:
			fprintf(stderr, "Try: portwarden --help\n");
			exit(2);
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	const struct command *c;
	struct settings s;
	int first, nargs;

	settings_defaults(&s);
	first = parse_options(&s, argc, argv, 1);
	if (first >= argc) {
		usage(s.help ? stdout : stderr);
		return s.help ? 0 : 2;
	}
	c = find_command(argv[first]);
	if (!c) {
		fprintf(stderr, "portwarden: unknown command \"%s\"\n", argv[first]);
		usage(stderr);
		return 2;
	}
	/* the command's own options may follow it, in any order */
	argc -= first;
	argv += first;
	first = parse_options(&s, argc, argv, 0);
	log_init("portwarden", s.verbose);
	if (s.help) {
		command_usage(c, stdout);
		return 0;
	}
	nargs = argc - first;
	if (nargs < c->min_args || (c->max_args >= 0 && nargs > c->max_args)) {
		fprintf(stderr, "portwarden %s: %s\n", c->name,
			nargs < c->min_args ? "missing arguments" : "too many arguments");
		command_usage(c, stderr);
		return 2;
	}
	return c->run(&s, nargs, argv + first);
}
