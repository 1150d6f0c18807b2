// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctlsock.h"
#include "daemonctl.h"

static void daemonctl_parse__applied__changes_and_checks(void **state)
{
	struct daemonctl_answer a;

	assert_int_equal(daemonctl_parse("applied 1254\n"
					 "change tcp 8000 8010 lan-only open\n"
					 "change udp 53 53 open loopback-only\n"
					 "more 3\n"
					 "expect tcp 8000 8010 open 11 11\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_APPLIED);
	assert_int_equal(a.entries, 1254);
	assert_int_equal(a.nchanges, 2);
	assert_int_equal(a.changes[0].proto, IPPROTO_TCP);
	assert_int_equal(a.changes[0].hi, 8010);
	assert_int_equal(a.changes[1].now, POLICY_LOOPBACK_ONLY);
	assert_int_equal(a.more, 3);
	assert_int_equal(a.nchecks, 1);
	assert_int_equal(a.checks[0].agree, 11);
	daemonctl_answer_free(&a);
}

/* what a command that wrote from lines or changed an adoption window
 * checks: the ports' sources, and the window the daemon runs */
static void daemonctl_parse__window_and_sources__read(void **state)
{
	struct daemonctl_answer a;

	assert_int_equal(daemonctl_parse("applied 9\n"
					 "change tcp 9100 9100 lan-only lan-only from\n"
					 "window open\n"
					 "expect tcp 9100 9100 lan-only 1 1 from 00a1b2c3d4e5f607\n"
					 "expect tcp 22 22 open 1 1\n", &a), 0);
	assert_int_equal(a.window, 1);
	assert_int_equal(a.nchanges, 1);
	assert_true(a.changes[0].sources);
	assert_int_equal(a.nchecks, 2);
	assert_true(a.checks[0].sources == 0x00a1b2c3d4e5f607ull);
	assert_true(a.checks[1].sources == 0);
	daemonctl_answer_free(&a);
	assert_int_equal(daemonctl_parse("applied 9\nwindow closed\n", &a), 0);
	assert_int_equal(a.window, 0);
	daemonctl_answer_free(&a);
	/* an answer that does not say: not checked */
	assert_int_equal(daemonctl_parse("applied 9\n", &a), 0);
	assert_int_equal(a.window, -1);
	daemonctl_answer_free(&a);
}

static void daemonctl_parse__refused_failed_error__detail_kept(void **state)
{
	struct daemonctl_answer a;

	assert_int_equal(daemonctl_parse("refused\n/etc/portwarden/local.rules:3: unknown policy\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_REFUSED);
	assert_string_equal(a.detail, "/etc/portwarden/local.rules:3: unknown policy\n");
	daemonctl_answer_free(&a);
	assert_int_equal(daemonctl_parse("failed\ninstalling table inet portwarden failed\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_FAILED);
	daemonctl_answer_free(&a);
	assert_int_equal(daemonctl_parse("error permission denied: only root\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_ERROR);
	assert_string_equal(a.detail, "permission denied: only root\n");
	daemonctl_answer_free(&a);
}

/* an answer is the daemon's, but nothing in it is trusted blindly */
static void daemonctl_parse__malformed__eproto(void **state)
{
	static const char *const bad[] = {
		"", "applied\n", "applied 5 x\n", "accepted\n",
		"applied 5\nchange tcp 10 9 open open\n",
		"applied 5\nchange tcp 1 70000 open open\n",
		"applied 5\nchange sctp 1 2 open open\n",
		"applied 5\nchange tcp 1 2 open wide-open\n",
		"applied 5\nexpect tcp 1 10 open 11 10\n",
		"applied 5\nexpect tcp 1 10 open 3 9\n",
		"applied 5\nsomething else\n",
		"applied 5\nchange tcp 1 2 open open\n",
		"applied 5\nchange tcp 1 2 open lan-only to\n",
		"applied 5\nexpect tcp 1 10 open 10 10 from\n",
		"applied 5\nexpect tcp 1 10 open 10 10 from xyz\n",
		"applied 5\nexpect tcp 1 10 open 10 10 from 0123456789abcdef0\n",
		"applied 5\nwindow ajar\n",
	};
	struct daemonctl_answer a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(daemonctl_parse(bad[i], &a), -EPROTO);
}

/* A stand-in daemon on a queue number of the test's own: accepts one
 * client and answers it (or hangs up at once with a refusal). */
static uint16_t test_queue;

static uint16_t queue_of_test(void)
{
	return test_queue;	/* set once, before any fork */
}

static pid_t fake_daemon(const char *answer, int hang_up_first)
{
	struct pollfd pfd = { .events = POLLIN };
	int ready[2], lfd, fd;
	char req[256], c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid > 0) {
		/* the peer's credentials are those of the process that listened */
		close(ready[1]);
		assert_int_equal(read(ready[0], &c, 1), 1);
		close(ready[0]);
		return pid;
	}
	lfd = ctlsock_listen(queue_of_test());
	if (lfd < 0 || write(ready[1], "x", 1) != 1)
		_exit(1);
	pfd.fd = lfd;
	if (poll(&pfd, 1, 5000) != 1)	/* the socket does not block */
		_exit(1);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(1);
	if (!hang_up_first && ctlsock_recv(fd, req, sizeof(req), 5000) < 0)
		_exit(2);
	if (!hang_up_first && strncmp(req, "reload\n", 7))
		_exit(3);
	ctlsock_send(fd, answer, strlen(answer));
	/* as the daemon does: nothing of the peer's left unread */
	while (recv(fd, req, sizeof(req), MSG_DONTWAIT) > 0)
		;
	_exit(0);
}

static void daemonctl_ask__no_daemon__not_running(void **state)
{
	struct daemonctl_answer a;

	assert_int_equal(daemonctl_ask(queue_of_test(), "reload\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_NOT_RUNNING);
}

static void daemonctl_ask__daemon_answers__outcome_and_its_pid(void **state)
{
	pid_t pid = fake_daemon("applied 7\nchange tcp 143 143 loopback-only open\n", 0);
	struct daemonctl_answer a;
	int status;

	assert_int_equal(daemonctl_ask(queue_of_test(), "reload\nexpect tcp 143 143 open\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_APPLIED);
	assert_int_equal(a.pid, pid);	/* from the socket, not from /proc */
	assert_int_equal(a.nchanges, 1);
	daemonctl_answer_free(&a);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* a refusal is sent at once and the daemon hangs up: the answer is read
 * even when the request could not be sent any more */
static void daemonctl_ask__refused_before_the_request__answer_read(void **state)
{
	pid_t pid = fake_daemon("error permission denied\n", 1);
	struct daemonctl_answer a;

	assert_int_equal(daemonctl_ask(queue_of_test(), "reload\n", &a), 0);
	assert_int_equal(a.outcome, DAEMONCTL_ERROR);
	daemonctl_answer_free(&a);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(daemonctl_parse__applied__changes_and_checks),
		cmocka_unit_test(daemonctl_parse__window_and_sources__read),
		cmocka_unit_test(daemonctl_parse__refused_failed_error__detail_kept),
		cmocka_unit_test(daemonctl_parse__malformed__eproto),
		cmocka_unit_test(daemonctl_ask__no_daemon__not_running),
		cmocka_unit_test(daemonctl_ask__daemon_answers__outcome_and_its_pid),
		cmocka_unit_test(daemonctl_ask__refused_before_the_request__answer_read),
	};

	signal(SIGPIPE, SIG_IGN);
	test_queue = (uint16_t)(60000 + getpid() % 5000);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
