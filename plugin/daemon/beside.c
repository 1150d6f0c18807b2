// SPDX-License-Identifier: GPL-2.0-or-later
/* The thread beside the worker: reads that take milliseconds to seconds
 * (other tables' rules and chains, /proc) never hold up a verdict.  Hand-off through
 * single slots swapped atomically; eventfds wake either side. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "atomicfile.h"
#include "beside.h"
#include "log.h"
#include "nathooks.h"

#define CHECK_MS	1000	/* the soonest generation check after the last */
#define REREAD_MS	5000	/* the soonest read after the last, while the ruleset churns */
#define STACK_BYTES	(256 * 1024)

static long ms_since(const struct timespec *t, const struct timespec *now)
{
	return (now->tv_sec - t->tv_sec) * 1000L + (now->tv_nsec - t->tv_nsec) / 1000000L;
}

static void signal_fd(int fd)
{
	uint64_t one = 1;

	/* a counter at its limit is already readable: nothing lost */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void drain_fd(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0)
		return;
}

/* ---- the host's addresses, for the walk ---------------------------------- */

struct addrs {
	struct ifaddrs *list;
};

static int is_local(const void *ctx, int family, const uint8_t *addr)
{
	const struct addrs *a = ctx;
	const struct ifaddrs *i;

	for (i = a->list; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != family)
			continue;
		if (family == AF_INET &&
		    !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, addr, 4))
			return 1;
		if (family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, addr, 16))
			return 1;
	}
	return 0;
}

/* ---- the thread's work --------------------------------------------------- */

static struct natscan_list *copy_list(const struct natscan_list *l)
{
	struct natscan_list *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = *l;
	c->v = malloc((l->n + 1) * sizeof(*c->v));
	if (!c->v) {
		free(c);
		return NULL;
	}
	if (l->n)
		memcpy(c->v, l->v, l->n * sizeof(*c->v));
	return c;
}

static void hand_over_nat(struct beside *b)
{
	struct natscan_list *fresh = copy_list(&b->read), *old;

	if (!fresh)
		return;
	old = atomic_exchange(&b->nat, fresh);
	if (old) {
		natscan_free(old);
		free(old);
	}
	signal_fd(b->done);
}

/* The ruleset's generation, asked at most every CHECK_MS: the look at the
 * NAT chains and the DNAT reading share the answer. */
static int generation(struct beside *b, const struct timespec *now, uint32_t *gen)
{
	if (!b->gen_known || ms_since(&b->gen_at, now) >= CHECK_MS) {
		uint32_t g = 0;
		int ret = natscan_gen(&b->nl, &g);

		if (ret < 0)
			return ret;
		b->gen = g;
		b->gen_at = *now;
		b->gen_known = 1;
		b->gen_checks++;
	}
	*gen = b->gen;
	return 0;
}

/* A list at most CHECK_MS old is current enough for a line; one the
 * generation says is still right is current; a changed ruleset is read
 * again, but under churn (kube-proxy rewrites chains every second) at
 * most every REREAD_MS, so that the thread does not spend itself reading. */
static void refresh_nat(struct beside *b)
{
	struct addrs a = { NULL };
	struct timespec now;
	uint32_t gen = 0;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (b->nat_checks && ms_since(&b->checked, &now) < CHECK_MS)
		return;
	b->checked = now;
	b->nat_checks++;
	ret = generation(b, &now, &gen);
	if (ret == 0 && b->nat_reads && ms_since(&b->reread, &now) < REREAD_MS) {
		/* only whether it changed: the read waits for its turn */
		if (gen != b->read.gen)
			b->checked = b->reread;
		return;
	}
	if (ret == 0) {
		if (getifaddrs(&a.list) < 0)
			a.list = NULL;
		ret = natscan_refresh(&b->nl, &b->read, gen, a.list ? is_local : NULL, &a);
		freeifaddrs(a.list);
	}
	if (ret < 0) {
		if (!b->nat_error)
			log_warnx("cannot read the ruleset's DNAT rules for the log: %s", strerror(-ret));
		b->nat_error = 1;
		return;
	}
	b->nat_error = 0;
	if (ret == 0) {	/* read anew, up to the generation checked after it */
		b->reread = now;
		b->nat_reads++;
		b->gen = b->read.gen;
		hand_over_nat(b);
	}
}

/* Once a second, unasked: does the host use NAT?  Its chains are dumped
 * again only when the generation moved; legacy iptables advances none, so
 * its table list is read each time.  A change wakes the worker, which
 * installs the table again (hostnat.c). */
static void look_nat_hooks(struct beside *b, const struct timespec *now)
{
	uint32_t gen = 0;
	int ret, nat;

	if (b->hook_looks && ms_since(&b->hooks_at, now) < CHECK_MS)
		return;
	b->hooks_at = *now;
	b->hook_looks++;
	ret = generation(b, now, &gen);
	if (ret == 0 && (!b->hooks_known || gen != b->hooks_gen)) {
		ret = nathooks_chains(&b->nl);
		if (ret >= 0) {
			b->nat_chains = ret;
			b->hooks_gen = gen;
			b->hooks_known = 1;
			b->hook_reads++;
			ret = 0;
		}
	}
	if (ret < 0) {
		if (!b->hooks_error)
			log_warnx("cannot read the host's NAT chains: %s; the table stays as it is",
				  strerror(-ret));
		b->hooks_error = 1;
		return;
	}
	b->hooks_error = 0;
	nat = b->nat_chains || nathooks_legacy();
	if (atomic_exchange(&b->host_nat, nat) != nat)
		signal_fd(b->done);
}

/* How long the thread may sleep before the next look at the NAT chains */
static int until_next_look(const struct beside *b)
{
	struct timespec now;
	long left;

	if (!b->hook_looks)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = CHECK_MS - ms_since(&b->hooks_at, &now);
	return left < 0 ? 0 : left > CHECK_MS ? CHECK_MS : (int)left;
}

static void name_sockets(struct beside *b)
{
	struct beside_names *q;

	atomic_store(&b->busy, 1);
	q = atomic_exchange(&b->ask, NULL);
	if (q) {
		q->denied = procfd_find_cached(&b->procs, q->v, q->n);
		/* the worker asks again only after taking the last answer */
		free(atomic_exchange(&b->answer, q));
	}
	atomic_store(&b->busy, 0);
	if (q)
		signal_fd(b->done);
}

static void sync_log(struct beside *b)
{
	int fd = atomic_exchange(&b->sync_fd, -1);

	if (fd < 0)
		return;
	b->syncs++;
	if (fdatasync(fd) < 0)
		b->sync_failed++;
	close(fd);
}

/* The metrics file: two fsyncs that an I/O-bound disk can hold for a
 * good part of a second */
static void write_file(struct beside *b)
{
	struct beside_file *f = atomic_exchange(&b->file, NULL);
	int ret;

	if (!f)
		return;
	b->files++;
	ret = atomicfile_replace(f->path, f->text, f->len, 0644);
	b->files_failed += ret < 0;
	/* said once, until a write works again */
	if (ret < 0 && !b->file_failing)
		log_warnx("cannot write %s: %s", f->path, atomicfile_strerror(ret));
	b->file_failing = ret < 0;
	free(f);
}

static void *run(void *arg)
{
	struct beside *b = arg;
	struct pollfd pfd = { .fd = b->wake, .events = POLLIN };

	while (!atomic_load(&b->stop)) {
		struct timespec now;

		if (poll(&pfd, 1, until_next_look(b)) > 0)
			drain_fd(b->wake);
		name_sockets(b);
		sync_log(b);
		write_file(b);
		clock_gettime(CLOCK_MONOTONIC, &now);
		look_nat_hooks(b, &now);
		if (atomic_load(&b->want_nat)) {
			refresh_nat(b);
			/* looked, found current, or failed: the lines go out */
			atomic_store(&b->want_nat, 0);
			signal_fd(b->done);
		}
	}
	sync_log(b);	/* the last lines, asked for before the stop */
	write_file(b);
	return NULL;
}

/* ---- the worker's side --------------------------------------------------- */

int beside_start(struct beside *b)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int ret;

	memset(b, 0, sizeof(*b));
	atomic_init(&b->sync_fd, -1);
	atomic_init(&b->host_nat, -1);
	b->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->done = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->wake < 0 || b->done < 0) {
		ret = -errno;
		goto out_fds;
	}
	ret = nlsock_open(&b->nl);
	if (ret < 0)
		goto out_fds;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_BYTES);
	/* signals are the worker's: the thread runs with all of them blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&b->thread, &attr, run, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret < 0)
		goto out_socket;
	b->started = 1;
	return 0;

out_socket:
	nlsock_close(&b->nl);
out_fds:
	if (b->wake >= 0)
		close(b->wake);
	if (b->done >= 0)
		close(b->done);
	b->wake = b->done = -1;
	return ret;
}

void beside_stop(struct beside *b)
{
	struct natscan_list *l;

	if (!b->started)
		return;
	atomic_store(&b->stop, 1);
	signal_fd(b->wake);
	pthread_join(b->thread, NULL);
	b->started = 0;
	log_info("beside the worker: DNAT rules read %lu times, generation checked %lu times, "
		 "NAT chains read %lu times; %lu looks for a listener's process went past the new "
		 "processes; %lu log syncs (%lu failed); %lu metrics writes (%lu failed)",
		 b->nat_reads, b->gen_checks, b->hook_reads, b->procs.walks, b->syncs, b->sync_failed,
		 b->files, b->files_failed);
	l = atomic_exchange(&b->nat, NULL);
	if (l) {
		natscan_free(l);
		free(l);
	}
	free(atomic_exchange(&b->ask, NULL));
	free(atomic_exchange(&b->answer, NULL));
	free(atomic_exchange(&b->file, NULL));
	natscan_free(&b->read);
	procfd_cache_free(&b->procs);
	nlsock_close(&b->nl);
	close(b->wake);
	close(b->done);
}

int beside_fd(const struct beside *b)
{
	return b->started ? b->done : -1;
}

void beside_ack(struct beside *b)
{
	drain_fd(b->done);
}

void beside_want_nat(struct beside *b)
{
	if (!b->started || atomic_exchange(&b->want_nat, 1))
		return;	/* already asked */
	signal_fd(b->wake);
}

int beside_nat_wanted(const struct beside *b)
{
	return b->started && atomic_load(&b->want_nat);
}

int beside_take_nat(struct beside *b, struct natscan_list *l)
{
	struct natscan_list *fresh = b->started ? atomic_exchange(&b->nat, NULL) : NULL;

	if (!fresh)
		return 0;
	natscan_free(l);
	*l = *fresh;
	free(fresh);
	return 1;
}

int beside_host_nat(const struct beside *b)
{
	int nat;

	if (!b->started)
		return -ENOTCONN;
	nat = atomic_load(&b->host_nat);
	return nat < 0 ? -EAGAIN : nat;
}

int beside_ask_names(struct beside *b, const uint32_t *inodes, unsigned n)
{
	struct beside_names *q;
	unsigned i;

	if (!b->started)
		return -ENOTCONN;
	if (beside_naming(b))
		return -EBUSY;
	q = calloc(1, sizeof(*q) + (size_t)n * sizeof(q->v[0]));
	if (!q)
		return -ENOMEM;
	q->n = n;
	for (i = 0; i < n; i++)
		q->v[i].inode = inodes[i];
	atomic_store(&b->ask, q);
	signal_fd(b->wake);
	return 0;
}

struct beside_names *beside_take_names(struct beside *b)
{
	return b->started ? atomic_exchange(&b->answer, NULL) : NULL;
}

int beside_sync(void *ctx, int fd)
{
	struct beside *b = ctx;
	int copy;

	if (!b->started)
		return -ENOTCONN;
	if (atomic_load(&b->sync_fd) >= 0)
		return -EBUSY;
	/* a duplicate: a rotation may close the log's fd meanwhile */
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		return -errno;
	atomic_store(&b->sync_fd, copy);
	signal_fd(b->wake);
	return 0;
}

int beside_naming(const struct beside *b)
{
	/* the thread marks itself busy before it takes the request and
	 * clears the mark after it answered: read in the opposite order,
	 * one of the three holds it */
	if (atomic_load(&b->ask) != NULL || atomic_load(&b->busy))
		return 1;
	return atomic_load(&b->answer) != NULL;
}

int beside_write_file(struct beside *b, const char *path, const char *text, size_t len)
{
	size_t plen = strlen(path) + 1;
	struct beside_file *f;

	if (!b->started)
		return -ENOTCONN;
	f = malloc(sizeof(*f) + plen + len);
	if (!f)
		return -ENOMEM;
	memcpy(f->path, path, plen);
	f->text = f->path + plen;
	memcpy(f->text, text, len);
	f->len = len;
	/* the newest counts win: a write the thread has not begun is dropped */
	free(atomic_exchange(&b->file, f));
	signal_fd(b->wake);
	return 0;
}
