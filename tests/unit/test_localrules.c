// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "daemonctl.h"
#include "localrules.h"
#include "policydiff.h"
#include "textfile.h"

/* A shipped database and a local.rules in a directory of the test's own. */
static char dir[64], shipped[96], local[96];
static uint16_t test_queue;

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	struct diag d = { .out = stderr, .file = path };
	char *text;
	size_t len;

	assert_int_equal(textfile_read(&d, path, &text, &len), 0);
	return text;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/pw-localrules.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(shipped, sizeof(shipped), "%s/ports.db", dir);
	snprintf(local, sizeof(local), "%s/local.rules", dir);
	put_file(shipped, "143/tcp  imap  loopback-only\n6379/tcp  redis  lan-only\n");
	put_file(local, "# mine\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void settings_of_test(struct settings *s)
{
	settings_defaults(s);
	s->config_path = "/dev/null";
	s->config_explicit = 1;
	settings_add_db(s, shipped);
	settings_add_db(s, local);
}

static const struct portspec imap = { .lo = 143, .hi = 143, .protos = POLICY_TCP };

/* one command's edit, as cmd_edit makes it */
static void edit(const struct settings *s, const char *policy, int64_t until)
{
	struct localrules lr;
	struct policy_db *db;
	struct config cfg;

	assert_int_equal(localrules_read(s, &lr), 0);
	db = settings_load(s, &cfg, stderr);
	assert_non_null(db);
	if (policy)
		assert_int_equal(localrules_set_until(&lr, db, &imap, policy, "changed", until), 0);
	else
		assert_true(localrules_remove(&lr, &imap) >= 0);
	assert_int_equal(localrules_write(&lr), 0);
	policy_db_free(db);
	localrules_free(&lr);
}

static enum policy_kind kind_now(const struct settings *s)
{
	struct config cfg;
	struct policy_db *db = settings_load(s, &cfg, stderr);
	enum policy_kind k;

	assert_non_null(db);
	k = policy_kind_of(db, IPPROTO_TCP, 143);
	policy_db_free(db);
	return k;
}

static void localrules_remove__after_two_changes__one_step_back_each(void **state)
{
	struct settings s;
	char *text;

	settings_of_test(&s);
	edit(&s, "open", 0);
	edit(&s, "lan-only", 0);
	assert_int_equal(kind_now(&s), POLICY_LAN_ONLY);
	edit(&s, NULL, 0);
	assert_int_equal(kind_now(&s), POLICY_OPEN);
	edit(&s, NULL, 0);
	assert_int_equal(kind_now(&s), POLICY_LOOPBACK_ONLY);	/* the shipped policy */
	text = slurp(local);
	assert_string_equal(text, "# mine\n");
	free(text);
}

static void localrules_remove__entry_edited_by_hand__goes(void **state)
{
	struct settings s;
	char *text;

	settings_of_test(&s);
	edit(&s, "open", 0);
	edit(&s, "lan-only", 0);
	put_file(local, "# mine\n143/tcp  imap  open\n");	/* by hand */
	edit(&s, NULL, 0);
	text = slurp(local);
	assert_null(strstr(text, "143/tcp"));	/* not the stale record's entry */
	free(text);
}

static void localrules_set_until__time_over__entry_before_is_back(void **state)
{
	struct settings s;
	char *text;

	settings_of_test(&s);
	edit(&s, "lan-only", 0);
	edit(&s, "open", (int64_t)time(NULL) + 2);
	assert_int_equal(kind_now(&s), POLICY_OPEN);
	text = slurp(local);
	assert_non_null(strstr(text, "\texpires "));
	assert_non_null(strstr(text, " lan-only\n"));	/* what comes after it */
	free(text);
	sleep(3);
	assert_int_equal(kind_now(&s), POLICY_LAN_ONLY);	/* without any command */
	edit(&s, NULL, 0);	/* a command writes the ended entry back... */
	text = slurp(local);
	assert_null(strstr(text, "expires"));
	free(text);
	/* ...and reset then undoes the lan-only entry */
	assert_int_equal(kind_now(&s), POLICY_LOOPBACK_ONLY);
}

/* allow --from, guard --from, adopt: the policy, the from lines and the
 * end of one command are one step back for reset, and an entry whose time
 * ran out goes back to what it replaced, its networks included. */
static void from_edit(const struct settings *s, const char *policy, int replace, const char *nets,
		      int64_t until)
{
	struct localrules lr;
	struct policy_db *db;
	struct config cfg;

	assert_int_equal(localrules_read(s, &lr), 0);
	db = settings_load(s, &cfg, stderr);
	assert_non_null(db);
	assert_int_equal(localrules_set_sources(&lr, db, &imap, policy, "changed", until, replace,
						nets), 0);
	assert_int_equal(localrules_write(&lr), 0);
	policy_db_free(db);
	localrules_free(&lr);
}

static unsigned sources_now(const struct settings *s)
{
	struct config cfg;
	struct policy_db *db = settings_load(s, &cfg, stderr);
	unsigned n;

	assert_non_null(db);
	n = policy_lookup(db, IPPROTO_TCP, 143)->nsources;
	policy_db_free(db);
	return n;
}

static void localrules_set_sources__one_step_each__reset_takes_networks_back(void **state)
{
	struct settings s;
	char *text;

	settings_of_test(&s);
	from_edit(&s, "loopback-only", 0, "203.0.113.0/24", 0);
	from_edit(&s, "loopback-only", 0, "198.51.100.0/24 2001:db8::/32", 0);
	assert_int_equal(sources_now(&s), 3);
	text = slurp(local);
	assert_non_null(strstr(text, "\tfrom 203.0.113.0/24\n\tfrom 198.51.100.0/24 2001:db8::/32\n"));
	free(text);
	edit(&s, NULL, 0);	/* reset: the second command's networks go */
	assert_int_equal(sources_now(&s), 1);
	/* guard --from: exactly these; open: none */
	from_edit(&s, "lan-only", 1, "192.0.2.0/24", 0);
	assert_int_equal(kind_now(&s), POLICY_LAN_ONLY);
	assert_int_equal(sources_now(&s), 1);
	from_edit(&s, "open", 0, "192.0.2.0/24", 0);
	assert_int_equal(sources_now(&s), 0);
	edit(&s, NULL, 0);
	edit(&s, NULL, 0);
	text = slurp(local);
	assert_non_null(strstr(text, "\tfrom 203.0.113.0/24\n"));
	assert_null(strstr(text, "192.0.2.0"));
	free(text);
	edit(&s, NULL, 0);
	assert_int_equal(kind_now(&s), POLICY_LOOPBACK_ONLY);	/* the shipped policy */
	text = slurp(local);
	assert_string_equal(text, "# mine\n");
	free(text);
}

static void localrules_set_sources__time_over__networks_before_are_back(void **state)
{
	struct settings s;
	char *text;

	settings_of_test(&s);
	from_edit(&s, "loopback-only", 0, "203.0.113.0/24", 0);
	/* allow --from for a while: the networks before come back */
	from_edit(&s, "loopback-only", 0, "198.51.100.7", (int64_t)time(NULL) + 2);
	assert_int_equal(sources_now(&s), 2);
	text = slurp(local);
	assert_non_null(strstr(text, " loopback-only from 203.0.113.0/24\n"));
	free(text);
	/* guard --timeout without --from: none for a while, then those */
	settings_of_test(&s);
	{
		static const struct portspec redis = { .lo = 6379, .hi = 6379, .protos = POLICY_TCP };
		struct localrules lr;
		struct policy_db *db;
		struct config cfg;

		assert_int_equal(localrules_read(&s, &lr), 0);
		db = settings_load(&s, &cfg, stderr);
		assert_int_equal(localrules_set_sources(&lr, db, &redis, "lan-only", "n", 0, 1,
							"192.0.2.0/24"), 0);
		assert_int_equal(localrules_write(&lr), 0);
		policy_db_free(db);
		localrules_free(&lr);
		assert_int_equal(localrules_read(&s, &lr), 0);
		db = settings_load(&s, &cfg, stderr);
		assert_int_equal(localrules_set_sources(&lr, db, &redis, "loopback-only", "n",
							(int64_t)time(NULL) + 2, 1, NULL), 0);
		assert_int_equal(localrules_write(&lr), 0);
		policy_db_free(db);
		localrules_free(&lr);
	}
	sleep(3);
	/* the daemon's view, with no command run: the entry each replaced */
	assert_int_equal(kind_now(&s), POLICY_LOOPBACK_ONLY);
	assert_int_equal(sources_now(&s), 1);
	{
		struct config cfg;
		struct policy_db *db = settings_load(&s, &cfg, stderr);
		const struct policy_entry *e = policy_lookup(db, IPPROTO_TCP, 6379);

		assert_int_equal(e->kind, POLICY_LAN_ONLY);
		assert_int_equal(e->nsources, 1);
		assert_int_equal(e->sources[0].net.addr[0], 192);
		policy_db_free(db);
	}
	/* a command writes the ended entries back, then reset goes on */
	edit(&s, "lan-only", 0);
	text = slurp(local);
	assert_non_null(strstr(text, "\tfrom 192.0.2.0/24\n"));
	assert_null(strstr(text, "expires"));
	free(text);
	edit(&s, NULL, 0);
	text = slurp(local);
	assert_non_null(strstr(text, "\tfrom 203.0.113.0/24\n"));
	assert_null(strstr(text, "198.51.100.7"));
	free(text);
}

/* The lock: a second command reads the file only after the first one's
 * write, so neither change is lost. */
static void localrules_read__lock_held__waits_for_the_write(void **state)
{
	static const struct portspec redis = { .lo = 6379, .hi = 6379, .protos = POLICY_TCP };
	struct settings s;
	struct localrules lr;
	struct policy_db *db;
	struct config cfg;
	int ready[2];
	char c;
	pid_t pid;

	settings_of_test(&s);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (localrules_read(&s, &lr) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep(300000);	/* the other command is waiting now */
		db = settings_load(&s, &cfg, NULL);
		if (!db || localrules_set(&lr, db, &imap, "open", "child") < 0 ||
		    localrules_write(&lr) < 0)
			_exit(2);
		localrules_free(&lr);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(localrules_read(&s, &lr), 0);	/* waits */
	assert_non_null(strstr(lr.text, "143/tcp  imap  open"));
	db = settings_load(&s, &cfg, stderr);
	assert_int_equal(localrules_set(&lr, db, &redis, "open", "parent"), 0);
	assert_int_equal(localrules_write(&lr), 0);
	localrules_free(&lr);
	policy_db_free(db);
	waitpid(pid, NULL, 0);
	assert_int_equal(kind_now(&s), POLICY_OPEN);
	{
		struct policy_db *all = settings_load(&s, &cfg, stderr);

		assert_int_equal(policy_kind_of(all, IPPROTO_TCP, 6379), POLICY_OPEN);
		policy_db_free(all);
	}
}

/* localrules_reload, the entry point every command shares: the request
 * asks for every run of equal policy over every port, and an answer that
 * does not show every port with it is a failure. */
static pid_t fake_daemon(const char *answer, int req_fd)
{
	struct pollfd pfd = { .events = POLLIN };
	int ready[2], lfd, fd;
	char req[4096], c;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid > 0) {
		close(ready[1]);
		assert_int_equal(read(ready[0], &c, 1), 1);
		close(ready[0]);
		return pid;
	}
	lfd = ctlsock_listen(test_queue);
	if (lfd < 0 || write(ready[1], "x", 1) != 1)
		_exit(1);
	pfd.fd = lfd;
	if (poll(&pfd, 1, 5000) != 1 || (fd = accept(lfd, NULL, NULL)) < 0)
		_exit(1);
	n = ctlsock_recv(fd, req, sizeof(req), 5000);
	if (n < 0 || write(req_fd, req, (size_t)n) != n)
		_exit(2);
	ctlsock_send(fd, answer, strlen(answer));
	_exit(0);
}

static void localrules_reload__range__every_port_asked_and_confirmed(void **state)
{
	struct portspec range = { .lo = 8000, .hi = 8010, .protos = POLICY_TCP };
	struct policy_db *db = policy_db_new();
	char text[] = "8000-8010/tcp web lan-only\n8005/tcp admin loopback-only\n", req[512];
	struct config cfg;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(policy_db_load_buf(db, "t", text, strlen(text), stderr), 0);
	policy_db_build_index(db);
	config_defaults(&cfg);
	cfg.queue_num = test_queue;
	assert_int_equal(pipe(pipefd), 0);
	pid = fake_daemon("applied 2\nexpect tcp 8000 8004 lan-only 5 5\n"
			  "expect tcp 8005 8005 loopback-only 1 1\nexpect tcp 8006 8010 lan-only 5 5\n",
			  pipefd[1]);
	assert_int_equal(localrules_reload(&range, 1, db, &cfg), 0);
	n = read(pipefd[0], req, sizeof(req) - 1);
	assert_true(n > 0);
	req[n] = '\0';
	assert_string_equal(req, "reload\nexpect tcp 8000 8004 lan-only\n"
				 "expect tcp 8005 8005 loopback-only\nexpect tcp 8006 8010 lan-only\n");
	waitpid(pid, &status, 0);
	/* a port the daemon has otherwise: its files are not the command's */
	pid = fake_daemon("applied 2\nexpect tcp 8000 8004 lan-only 5 5\n"
			  "expect tcp 8005 8005 loopback-only 0 1\nexpect tcp 8006 8010 lan-only 5 5\n",
			  pipefd[1]);
	assert_int_equal(localrules_reload(&range, 1, db, &cfg), 1);
	waitpid(pid, &status, 0);
	pid = fake_daemon("refused\nlocal.rules:3: unknown policy\n", pipefd[1]);
	assert_int_equal(localrules_reload(&range, 1, db, &cfg), 1);
	waitpid(pid, &status, 0);
	/* no daemon: the file applies when it starts */
	assert_int_equal(localrules_reload(&range, 1, db, &cfg), 0);
	close(pipefd[0]);
	close(pipefd[1]);
	policy_db_free(db);
}

/* the sources a change wrote and the adoption window it left are part of
 * what the answer must show */
static void localrules_reload__sources_and_window__asked_and_confirmed(void **state)
{
	struct portspec site = { .lo = 9100, .hi = 9101, .protos = POLICY_TCP };
	struct policy_db *db = policy_db_new();
	char text[] = "9100-9101/tcp site lan-only\n\tfrom 203.0.113.0/24\n"
		      "9101/tcp other lan-only\n", req[512], want[256], answer[256];
	uint64_t digest;
	struct config cfg;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(policy_db_load_buf(db, "t", text, strlen(text), stderr), 0);
	policy_db_build_index(db);
	digest = policydiff_sources(db, IPPROTO_TCP, 9100);
	assert_true(digest != 0);
	config_defaults(&cfg);
	cfg.queue_num = test_queue;
	assert_int_equal(pipe(pipefd), 0);
	snprintf(answer, sizeof(answer), "applied 2\nwindow closed\n"
		 "expect tcp 9100 9100 lan-only 1 1 from %016llx\nexpect tcp 9101 9101 lan-only 1 1\n",
		 (unsigned long long)digest);
	pid = fake_daemon(answer, pipefd[1]);
	assert_int_equal(localrules_reload(&site, 1, db, &cfg), 0);
	n = read(pipefd[0], req, sizeof(req) - 1);
	assert_true(n > 0);
	req[n] = '\0';
	/* the same policy, other sources: two ranges */
	snprintf(want, sizeof(want), "reload\nexpect tcp 9100 9100 lan-only from %016llx\n"
		 "expect tcp 9101 9101 lan-only\n", (unsigned long long)digest);
	assert_string_equal(req, want);
	waitpid(pid, &status, 0);
	/* the daemon has other networks there */
	snprintf(answer, sizeof(answer), "applied 2\nwindow closed\n"
		 "expect tcp 9100 9100 lan-only 0 1 from %016llx\nexpect tcp 9101 9101 lan-only 1 1\n",
		 (unsigned long long)digest);
	pid = fake_daemon(answer, pipefd[1]);
	assert_int_equal(localrules_reload(&site, 1, db, &cfg), 1);
	waitpid(pid, &status, 0);
	/* an adoption window this command did not leave open */
	snprintf(answer, sizeof(answer), "applied 2\nwindow open\n"
		 "expect tcp 9100 9100 lan-only 1 1 from %016llx\nexpect tcp 9101 9101 lan-only 1 1\n",
		 (unsigned long long)digest);
	pid = fake_daemon(answer, pipefd[1]);
	assert_int_equal(localrules_reload(&site, 1, db, &cfg), 1);
	waitpid(pid, &status, 0);
	cfg.learning = 1;	/* one it did */
	pid = fake_daemon(answer, pipefd[1]);
	assert_int_equal(localrules_reload(&site, 1, db, &cfg), 0);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	policy_db_free(db);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(localrules_remove__after_two_changes__one_step_back_each),
		T(localrules_remove__entry_edited_by_hand__goes),
		T(localrules_set_until__time_over__entry_before_is_back),
		T(localrules_set_sources__one_step_each__reset_takes_networks_back),
		T(localrules_set_sources__time_over__networks_before_are_back),
		T(localrules_read__lock_held__waits_for_the_write),
		T(localrules_reload__range__every_port_asked_and_confirmed),
		T(localrules_reload__sources_and_window__asked_and_confirmed),
	};

	signal(SIGPIPE, SIG_IGN);
	test_queue = (uint16_t)(55000 + getpid() % 5000);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
