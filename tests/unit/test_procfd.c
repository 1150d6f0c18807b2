// SPDX-License-Identifier: GPL-2.0-or-later
/* Naming a socket's process without walking every process: the cached
 * look finds a socket of a process started since the last look, and of a
 * process that held one before, in its first round; only a socket of an
 * older process that held none takes a look at every process, and a
 * socket no process holds takes it once.  Reads this machine's /proc:
 * its own process and a child it starts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfd.h"

static uint32_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (uint32_t)st.st_ino;
}

static struct proc_owner ask(struct procfd_cache *c, uint32_t inode)
{
	struct proc_owner o;

	memset(&o, 0, sizeof(o));
	o.inode = inode;
	procfd_find_cached(c, &o, 1);
	return o;
}

/* A child waits to be killed.  It ends by itself too, and lets go of the
 * output it shares with the test's runner: a failed assertion skips the
 * kill, and a child left behind would hold the runner's pipe open. */
static void child_waits(void)
{
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	alarm(30);
	pause();
	_exit(0);
}

/* a child holding a socket: its pid, and the socket's inode in *inode */
static pid_t child_with_socket(uint32_t *inode)
{
	int pipefd[2], fd;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		*inode = inode_of(fd);
		if (write(pipefd[1], inode, sizeof(*inode)) != sizeof(*inode))
			_exit(1);
		child_waits();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], inode, sizeof(*inode)), sizeof(*inode));
	close(pipefd[0]);
	return pid;
}

static void procfd_find_cached__new_process_and_holder__first_round(void **state)
{
	struct procfd_cache c = { 0 };
	int mine = socket(AF_INET, SOCK_STREAM, 0), second;
	uint32_t theirs;
	struct proc_owner o;
	pid_t pid;

	/* the first look knows no process: every one is new */
	o = ask(&c, inode_of(mine));
	assert_int_equal(o.pid, getpid());
	/* a process started since: found among the new ones */
	pid = child_with_socket(&theirs);
	o = ask(&c, theirs);
	assert_int_equal(o.pid, pid);
	assert_int_equal(c.walks, 0);
	/* a holder's next socket: found among the holders */
	second = socket(AF_INET, SOCK_STREAM, 0);
	o = ask(&c, inode_of(second));
	assert_int_equal(o.pid, getpid());
	assert_int_equal(c.walks, 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(mine);
	close(second);
	procfd_cache_free(&c);
}

/* A process looked at before, holding no socket then, opens one: the
 * second look at it walks every process and finds it */
static void procfd_find_cached__old_process_new_socket__found_by_the_walk(void **state)
{
	struct procfd_cache c = { 0 };
	int mine, go[2], back[2];
	uint32_t theirs;
	struct proc_owner o;
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(back), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char x;

		if (read(go[0], &x, 1) != 1)
			_exit(1);
		theirs = inode_of(socket(AF_INET, SOCK_STREAM, 0));
		if (write(back[1], &theirs, sizeof(theirs)) != sizeof(theirs))
			_exit(1);
		child_waits();
		_exit(0);
	}
	/* the first look sees the child without a socket: asked for one
	 * that no process holds, it looks at every process (ours is made
	 * after the fork: the child must not hold it) */
	o = ask(&c, 0x7ffffff1u);
	assert_int_equal(o.pid, 0);
	mine = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(read(back[0], &theirs, sizeof(theirs)), sizeof(theirs));
	o = ask(&c, theirs);
	assert_int_equal(o.pid, 0);	/* not among the new processes or the holders */
	o = ask(&c, theirs);
	assert_int_equal(o.pid, pid);
	assert_int_equal(c.walks, 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(mine);
	procfd_cache_free(&c);
}

/* this process's name (under valgrind or an emulator, theirs) */
static const char *own_comm(void)
{
	static char comm[32];
	FILE *f = fopen("/proc/self/comm", "r");

	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

/* a thread that opens a socket, says its inode on the pipe (arg) and
 * stays: /proc/TID lives as long as the thread */
static void *thread_with_socket(void *arg)
{
	int *back = arg;
	uint32_t inode;

	pthread_setname_np(pthread_self(), "pwthread");
	inode = inode_of(socket(AF_INET, SOCK_STREAM, 0));
	if (write(*back, &inode, sizeof(inode)) != sizeof(inode))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

/* An old process starts a thread after a look: the thread's id is among
 * the pids given out since, and /proc/TID shows the process's fds.  The
 * owner is the process (its pid and name), not the thread. */
static void procfd_find_cached__socket_of_a_new_thread__owner_is_its_process(void **state)
{
	struct procfd_cache c = { 0 };
	int go[2], back[2];
	uint32_t theirs;
	struct proc_owner o;
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(back), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pthread_t t;
		char x;

		if (read(go[0], &x, 1) != 1 ||
		    pthread_create(&t, NULL, thread_with_socket, &back[1]))
			_exit(1);
		child_waits();
	}
	/* the child is looked at, holding nothing */
	o = ask(&c, 0x7ffffff2u);
	assert_int_equal(o.pid, 0);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(read(back[0], &theirs, sizeof(theirs)), sizeof(theirs));
	o = ask(&c, theirs);
	assert_int_equal(o.pid, pid);
	assert_string_not_equal(o.comm, "pwthread");
	assert_string_equal(o.comm, own_comm());	/* the child's, as forked from us */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	procfd_cache_free(&c);
}

/* A socket a server hands down to a worker it forks (Postfix's master and
 * smtpd): whichever holder a look comes across first, the owner is the
 * one that opened it.  Here the worker is the new process the look tries
 * first. */
static void procfd_find_cached__socket_handed_down__owner_is_the_topmost_holder(void **state)
{
	struct procfd_cache c = { 0 };
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	struct proc_owner o;
	pid_t pid;

	/* a first look: every process so far is known, none holds it */
	o = ask(&c, 0x7ffffff3u);
	assert_int_equal(o.pid, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_waits();
	o = ask(&c, inode_of(listener));
	assert_int_equal(o.pid, getpid());
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(listener);
	procfd_cache_free(&c);
}

static void procfd_find_cached__held_nowhere__one_whole_walk(void **state)
{
	struct procfd_cache c = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct proc_owner o;

	ask(&c, inode_of(fd));
	/* an inode no process holds (a kernel socket's, or one closed since
	 * the dump): a look at every process only once it was asked for
	 * twice, then no more while only it is wanted */
	o = ask(&c, 0x7ffffff0u);
	assert_int_equal(o.pid, 0);
	assert_int_equal(c.walks, 0);
	o = ask(&c, 0x7ffffff0u);
	assert_int_equal(o.pid, 0);
	assert_int_equal(c.walks, 1);
	c.walked = 0;	/* as if the walk were long ago */
	o = ask(&c, 0x7ffffff0u);
	assert_int_equal(o.pid, 0);
	assert_int_equal(c.walks, 1);
	close(fd);
	procfd_cache_free(&c);
}

static void procfd_take_args__cut_off__ends_in_nul(void **state)
{
	struct proc_owner o;
	char long_arg[2 * PROCFD_ARGS_MAX];

	memset(&o, 0, sizeof(o));
	procfd_take_args(&o, "node\0--inspect=9230\0", 20);
	assert_int_equal(o.args_len, 20);
	assert_string_equal(procfd_next_arg(&o, o.args), "--inspect=9230");
	memset(long_arg, 'a', sizeof(long_arg));
	procfd_take_args(&o, long_arg, sizeof(long_arg));
	assert_int_equal(o.args_len, PROCFD_ARGS_MAX);
	assert_int_equal(o.args[o.args_len - 1], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(procfd_find_cached__new_process_and_holder__first_round),
		cmocka_unit_test(procfd_find_cached__old_process_new_socket__found_by_the_walk),
		cmocka_unit_test(procfd_find_cached__socket_of_a_new_thread__owner_is_its_process),
		cmocka_unit_test(procfd_find_cached__socket_handed_down__owner_is_the_topmost_holder),
		cmocka_unit_test(procfd_find_cached__held_nowhere__one_whole_walk),
		cmocka_unit_test(procfd_take_args__cut_off__ends_in_nul),
	};

	return cmocka_run_group_tests_name("procfd", tests, NULL, NULL);
}
