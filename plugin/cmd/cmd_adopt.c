// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden adopt`: before the first start, keep the clients that use
 * guarded services reachable for them, and nobody else.
 *
 *   adopt            clients seen now (established connections, answered
 *                    flows of conntrack) become `from` sources of their
 *                    ports; an adoption window opens (adopt_state), in
 *                    which lan-only ports log would-block instead of
 *                    dropping, so periodic and UDP clients show up too
 *   adopt --finish   the window's clients (the log's would-block lines,
 *                    and what is connected now) become sources, the window
 *                    closes, lan-only ports are enforced
 *
 * The package runs `adopt` once, on first install; portwarden-adopt.timer
 * runs `adopt --finish --if-due`. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <zlib.h>

#include "adopt.h"
#include "atomicfile.h"
#include "commands.h"
#include "ctdump.h"
#include "daemonctl.h"
#include "lanwatch.h"
#include "learnfile.h"
#include "listenpolicy.h"
#include "localrules.h"
#include "log.h"
#include "logline.h"
#include "netaddr.h"
#include "procfd.h"
#include "safetext.h"
#include "sockdiag.h"

#define WINDOW_DEFAULT	(24 * 3600)
#define ROTATED_MAX	20	/* blocked.log.1 ... .20(.gz) */
#define LOCALS_MAX	1024

struct local_addrs {
	struct {
		int family;
		uint8_t addr[16];
	} v[LOCALS_MAX];
	unsigned n;
};

struct run {
	const struct settings *s;
	struct config cfg;
	struct policy_db *db;
	struct lan *lan;
	struct sock_list socks;		/* listening TCP and bound UDP sockets */
	struct local_addrs *locals;
	struct adopt_clients clients;
	unsigned long folded;		/* attempts the log folded under "*" */
	int finish;			/* adopt --finish */
	int conntrack;			/* 1 read, 0 none here, -errno */
};

/* ---- what is seen --------------------------------------------------------- */

static void read_locals(struct local_addrs *l)
{
	struct ifaddrs *ifa, *i;

	l->n = 0;
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i && l->n < LOCALS_MAX; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			memcpy(l->v[l->n].addr, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		else if (i->ifa_addr->sa_family == AF_INET6)
			memcpy(l->v[l->n].addr, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
		else
			continue;
		l->v[l->n++].family = i->ifa_addr->sa_family;
	}
	freeifaddrs(ifa);
}

static int is_local(const struct local_addrs *l, int family, const uint8_t *addr)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family && !memcmp(l->v[i].addr, addr, netaddr_len(family)))
			return 1;
	return 0;
}

/* A port something listens on beyond loopback: connections to it are
 * clients of a service, not the host's own outgoing ones. */
static int listened(const struct run *r, uint8_t proto, uint16_t port)
{
	unsigned i;

	for (i = 0; i < r->socks.n; i++)
		if (r->socks.v[i].proto == proto && r->socks.v[i].port == port &&
		    !sockdiag_is_loopback(&r->socks.v[i]))
			return 1;
	return 0;
}

static int read_proc_tcp(struct run *r, const char *path, int v6)
{
	FILE *f = fopen(path, "re");
	char line[512];
	int ret = 0;

	if (!f)
		return 0;
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		struct adopt_conn c;

		if (adopt_parse_proc_tcp(line, v6, &c) == 1 && listened(r, IPPROTO_TCP, c.lport))
			ret = adopt_clients_add(&r->clients, c.family, c.remote, IPPROTO_TCP, c.lport,
						1, 0);
	}
	fclose(f);
	return ret;
}

/* conntrack: flows to this host's addresses.  One in use now (a TCP
 * connection established, a UDP stream) is a client; any other is one
 * attempt, and only before the window: in it, the log has every attempt. */
static int on_flow(void *ctx, const struct ctdump_flow *f)
{
	struct run *r = ctx;

	if (!is_local(r->locals, f->family, f->dst) || is_local(r->locals, f->family, f->src) ||
	    (!f->live && r->finish))
		return 0;
	return adopt_clients_add(&r->clients, f->family, f->src, f->proto, f->dport, f->live,
				 !f->live);
}

static void read_conntrack(struct run *r)
{
	int ret = ctdump_read(on_flow, r);

	if (ret == -EOPNOTSUPP || ret == -ENOENT || ret == -EPROTONOSUPPORT)
		r->conntrack = 0;	/* no connection tracking on this host */
	else
		r->conntrack = ret < 0 ? ret : 1;
}

/* A would-block line of the window: an attempt of its source. */
static int log_record(struct run *r, const struct log_record *rec, time_t since)
{
	uint8_t addr[16] = { 0 };
	uint8_t proto = !strcmp(rec->proto, "tcp") ? IPPROTO_TCP :
			!strcmp(rec->proto, "udp") ? IPPROTO_UDP : 0;
	int family = strchr(rec->src, ':') ? AF_INET6 : AF_INET;

	if (strcmp(rec->action, "would-block") || rec->ts_ms / 1000 < since || !proto ||
	    rec->dport < 1 || rec->dport > 65535)
		return 0;
	if (inet_pton(family, rec->src, addr) != 1) {
		r->folded += rec->count;	/* "*": a flood folded per port */
		return 0;
	}
	return adopt_clients_add(&r->clients, family, addr, proto, (uint16_t)rec->dport, 0,
				 rec->count);
}

static int read_log_file(struct run *r, const char *path, time_t since)
{
	gzFile f = gzopen(path, "rb");
	char line[8192];
	int ret = 0, skipping = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (ret == 0 && gzgets(f, line, sizeof(line))) {
		size_t n = strlen(line);
		int whole = n && line[n - 1] == '\n';
		struct log_record rec;

		/* a line longer than the buffer is no record: skip all of it */
		if (skipping || !whole) {
			skipping = !whole;
			continue;
		}
		if (logline_parse(line, n - 1, &rec) == 0)
			ret = log_record(r, &rec, since);
	}
	gzclose(f);
	return ret;
}

/* The log and its rotated files: blocked.log.1, .2.gz, ... */
/* The daemon of the queue writes what it holds for the log (the repeats
 * of open folding windows) before the log is read.  0 when they are in
 * the file or no daemon runs here, -1 (said) when not. */
static int daemon_log_written(uint16_t queue)
{
	struct daemonctl_answer a;
	int ret = daemonctl_ask(queue, "log\n", &a);

	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot ask the daemon of queue %u for its log: %s\n",
			queue, strerror(-ret));
		return -1;
	}
	ret = a.outcome == DAEMONCTL_LOGGED || a.outcome == DAEMONCTL_NOT_RUNNING ? 0 : -1;
	if (ret < 0)
		fprintf(stderr, "portwarden: the daemon (pid %d) did not write its log: %s",
			(int)a.pid, a.detail ? a.detail : "an answer to another request\n");
	daemonctl_answer_free(&a);
	return ret;
}

static int read_log(struct run *r, time_t since)
{
	char path[sizeof(r->cfg.log_file) + 16];
	unsigned i;
	int ret = read_log_file(r, r->cfg.log_file, since);

	for (i = 1; ret == 0 && i <= ROTATED_MAX; i++) {
		snprintf(path, sizeof(path), "%s.%u", r->cfg.log_file, i);
		if (access(path, F_OK) < 0)
			snprintf(path, sizeof(path), "%s.%u.gz", r->cfg.log_file, i);
		if (access(path, F_OK) == 0)
			ret = read_log_file(r, path, since);
	}
	if (ret < 0)
		fprintf(stderr, "portwarden: cannot read %s: %s\n", r->cfg.log_file, strerror(-ret));
	return ret;
}

/* ---- what is said and written --------------------------------------------- */

static const struct sock_entry *listener_of(const struct run *r, uint8_t proto, uint16_t port)
{
	unsigned i;

	for (i = 0; i < r->socks.n; i++)
		if (r->socks.v[i].proto == proto && r->socks.v[i].port == port &&
		    !sockdiag_is_loopback(&r->socks.v[i]))
			return &r->socks.v[i];
	return NULL;
}

/* "socat[123]", or "" when nothing listens */
static void who_listens(const struct run *r, uint8_t proto, uint16_t port, char *out, size_t cap,
			struct proc_owner *owner)
{
	const struct sock_entry *s = listener_of(r, proto, port);
	char raw[64];

	memset(owner, 0, sizeof(*owner));
	out[0] = '\0';
	if (!s)
		return;
	owner->inode = s->inode;
	procfd_find(owner, 1);
	if (!owner->pid)
		return;
	/* process names are the processes' own text */
	snprintf(raw, sizeof(raw), "%.30s[%d]", owner->comm, owner->pid);
	safetext(out, cap, raw);
}

static void nets_text(const struct adopt_port *p, char *out, size_t cap)
{
	size_t n = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < p->nnets && n + 1 < cap; i++) {
		char net[64];

		policy_net_text(&p->nets[i], net, sizeof(net));
		n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", net);
	}
}

static void print_clients(const struct run *r, const struct adopt_port *p, const char *service)
{
	unsigned i;

	for (i = 0; i < r->clients.n; i++) {
		const struct adopt_client *c = &r->clients.v[i];
		char addr[INET6_ADDRSTRLEN] = "?", net[64], what[64];

		if (c->proto != p->proto || c->port != p->port ||
		    (c->fate != ADOPT_KEPT && c->fate != ADOPT_ONCE && c->fate != ADOPT_LINK_SCOPE))
			continue;
		inet_ntop(c->family, c->addr, addr, sizeof(addr));
		policy_net_text(&c->net, net, sizeof(net));
		adopt_client_evidence(c, what, sizeof(what));
		if (c->fate == ADOPT_LINK_SCOPE) {
			char then[64] = "";

			if (p->entry->kind != POLICY_LAN_ONLY)
				snprintf(then, sizeof(then), ", then portwarden allow %u/%s --lan", p->port,
					 p->proto == IPPROTO_TCP ? "tcp" : "udp");
			printf("%13snot kept %s (%s): a link-local address is the same on every link, "
			       "so no from line holds it; trust the interface it uses: portwarden zone "
			       "IF lan%s\n", "", addr, what, then);
			syslog(LOG_NOTICE, "adopt: not kept %s (%s) for %u/%s (%s): link-local", addr, what,
			       p->port, p->proto == IPPROTO_TCP ? "tcp" : "udp", service);
			continue;
		}
		if (c->fate == ADOPT_ONCE) {
			printf("%13snot kept %s (%s): one attempt is a probe, not a client; "
			       "portwarden allow %u/%s --from %s keeps it\n", "", addr, what, p->port,
			       p->proto == IPPROTO_TCP ? "tcp" : "udp", addr);
			continue;
		}
		printf("%13sclient %s (%s) -> %s\n", "", addr, what,
		       p->outcome == ADOPT_SOURCES ? net : p->outcome == ADOPT_OPEN ? "open" : "not written");
		if (p->outcome == ADOPT_SOURCES || p->outcome == ADOPT_OPEN)
			syslog(LOG_NOTICE, "adopt: kept %s (%s) for %u/%s (%s) as %s", addr, what,
			       p->port, p->proto == IPPROTO_TCP ? "tcp" : "udp", service,
			       p->outcome == ADOPT_OPEN ? "open" : net);
	}
}

static void print_port(const struct run *r, const struct adopt_port *p)
{
	const char *proto = p->proto == IPPROTO_TCP ? "tcp" : "udp";
	const char *kind = policy_kind_name((enum policy_kind)p->entry->kind);
	char who[160], nets[ADOPT_NETS_MAX * 44], service[64];
	struct proc_owner owner;

	who_listens(r, p->proto, p->port, who, sizeof(who), &owner);
	safetext(service, sizeof(service), p->entry->service);
	switch (p->outcome) {
	case ADOPT_SOURCES:
		nets_text(p, nets, sizeof(nets));
		printf("  kept       %5u/%s  %-14s %s%s%s + from %s\n", p->port, proto, service, who,
		       who[0] ? " " : "", kind, nets);
		break;
	case ADOPT_OPEN:
		printf("  opened     %5u/%s  %-14s %s%s%s -> open (--open)\n", p->port, proto, service,
		       who, who[0] ? " " : "", kind);
		break;
	case ADOPT_TOO_MANY:
		printf("  left       %5u/%s  %-14s %s%s%s: clients from %u networks: that is the "
		       "Internet, not a set of clients; nothing written (--open would open it)\n",
		       p->port, proto, service, who, who[0] ? " " : "", kind, p->networks_seen);
		syslog(LOG_WARNING, "adopt: %u/%s (%s) had clients from %u networks; left %s",
		       p->port, proto, service, p->networks_seen, kind);
		break;
	case ADOPT_NOTHING:
		if (p->linkscope)
			printf("  guarded    %5u/%s  %-14s %s%s%s: %u link-local client%s cut unless "
			       "its interface is trusted (below)\n", p->port, proto, service, who,
			       who[0] ? " " : "", kind, p->linkscope, p->linkscope == 1 ? "" : "s");
		else
			printf("  guarded    %5u/%s  %-14s %s%s%s, no client it would cut\n", p->port,
			       proto, service, who, who[0] ? " " : "", kind);
		break;
	}
	print_clients(r, p, service);
}

/* Listening services (a protocol and port) the policy guards */
static unsigned guarded_listeners(const struct run *r)
{
	unsigned i, n = 0;

	for (i = 0; i < r->socks.n; i++) {
		const struct sock_entry *s = &r->socks.v[i];

		n += listener_of(r, s->proto, s->port) == s &&
		     policy_kind_of(r->db, s->proto, s->port) != POLICY_OPEN;
	}
	return n;
}

/* Guarded services that nobody outside uses, and served ones. */
static void print_listeners(const struct run *r, const struct adopt_port *ports, unsigned n)
{
	unsigned i, k;

	for (i = 0; i < r->socks.n; i++) {
		const struct sock_entry *s = &r->socks.v[i];
		const struct policy_entry *e = policy_lookup(r->db, s->proto, s->port);
		struct proc_owner owner;
		char who[160], service[64];
		int done = 0;

		if (!e || e->kind == POLICY_OPEN || sockdiag_is_loopback(s) ||
		    listener_of(r, s->proto, s->port) != s)
			continue;
		for (k = 0; k < n && !done; k++)
			done = ports[k].proto == s->proto && ports[k].port == s->port;
		if (done)
			continue;
		who_listens(r, s->proto, s->port, who, sizeof(who), &owner);
		safetext(service, sizeof(service), e->service);
		if (e->served_by && listenpolicy_served_by(e->served_by, owner.exe))
			printf("  served     %5u/%s  %-14s %s: a public server of its protocol\n", s->port,
			       s->proto == IPPROTO_TCP ? "tcp" : "udp", service, who);
		else
			printf("  guarded    %5u/%s  %-14s %s%s%s, no client it would cut\n", s->port,
			       s->proto == IPPROTO_TCP ? "tcp" : "udp", service, who, who[0] ? " " : "",
			       policy_kind_name((enum policy_kind)e->kind));
	}
}

/* The entry adoption writes: the local one governing the port when there
 * is one (same ports, same protocols), else one for this port alone. */
static struct portspec spec_of(const struct adopt_port *p, const char *local)
{
	const struct policy_entry *e = p->entry;

	if (!strcmp(e->file, local))
		return (struct portspec){ e->lo, e->hi, e->protos, e };
	return (struct portspec){ p->port, p->port,
				  p->proto == IPPROTO_TCP ? POLICY_TCP : POLICY_UDP, e };
}

static int write_port(struct localrules *lr, const struct run *r, const struct adopt_port *p,
		      struct portspec *ps)
{
	char note[320], why[240], nets[ADOPT_NETS_MAX * 44];

	*ps = spec_of(p, lr->path);
	snprintf(why, sizeof(why), "%u client%s seen", p->kept, p->kept == 1 ? "" : "s");
	localrules_note(note, sizeof(note), "adopted", "adopt", why);
	/* open keeps no `from` line; one step in the history either way, so
	 * `portwarden reset PORT` takes the adoption back whole */
	if (p->outcome == ADOPT_OPEN)
		return localrules_set_sources(lr, r->db, ps, "open", note, 0, 1, NULL);
	nets_text(p, nets, sizeof(nets));
	return localrules_set_sources(lr, r->db, ps, policy_kind_name((enum policy_kind)p->entry->kind),
				      note, 0, 0, nets);
}

/* Writes local.rules (when anything changed) and, with a state change, the
 * adoption window's file; then has a running daemon apply both. */
static int apply(struct run *r, const struct adopt_port *ports, unsigned n, int window_change,
		 const struct learnfile *open_window)
{
	struct portspec *specs = calloc(n + 1, sizeof(*specs));
	struct localrules lr = { 0 };
	struct policy_db *after = NULL;
	unsigned i, nspecs = 0;
	struct config cfg;
	int status = 1;

	if (!specs || localrules_read(r->s, &lr) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (ports[i].outcome != ADOPT_SOURCES && ports[i].outcome != ADOPT_OPEN)
			continue;
		if (write_port(&lr, r, &ports[i], &specs[nspecs]) < 0)
			goto out;
		nspecs++;
	}
	if (lr.changed) {
		after = localrules_validate(r->s, &lr);
		if (!after || localrules_write(&lr) < 0)
			goto out;
		printf("written to %s; undo one with: portwarden reset PORT\n", lr.path);
	}
	if (window_change && open_window) {
		char text[512];
		int len = learnfile_format(open_window, text, sizeof(text)), ret;
		char *dir = strdup(r->cfg.adopt_state), *slash = dir ? strrchr(dir, '/') : NULL;

		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0755);	/* an existing one is fine */
		}
		free(dir);
		ret = atomicfile_replace(r->cfg.adopt_state, text, (size_t)len, 0644);
		if (ret < 0) {
			fprintf(stderr, "portwarden: cannot write %s: %s\n", r->cfg.adopt_state,
				strerror(-ret));
			goto out;
		}
	} else if (window_change && unlink(r->cfg.adopt_state) < 0 && errno != ENOENT) {
		fprintf(stderr, "portwarden: cannot remove %s: %s\n", r->cfg.adopt_state,
			strerror(errno));
		goto out;
	}
	if (!lr.changed && !window_change) {
		status = 0;
		goto out;
	}
	/* the daemon applies what the files say now */
	if (!after)
		after = settings_load(r->s, &cfg, stderr);
	else if (settings_load_config(r->s, &cfg, stderr) < 0)
		goto out;
	if (after)
		status = localrules_reload(specs, nspecs, after, &cfg);
out:
	policy_db_free(after);
	localrules_free(&lr);
	free(specs);
	return status;
}

/* ---- the command ---------------------------------------------------------- */

/* "0", "90s", "30m", "24h", "7d" */
static int parse_window(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	long unit = !*end ? 1 : !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 :
		    !strcmp(end, "h") ? 3600 : !strcmp(end, "d") ? 86400 : 0;

	if (s[0] < '0' || s[0] > '9' || v < 0 || !unit || v > 366L * 86400 / unit)
		return -1;
	*out = v * unit;
	return 0;
}

static void summary(const struct run *r, const struct adopt_port *ports, unsigned n)
{
	unsigned i, kept = 0, clients = 0;

	for (i = 0; i < n; i++) {
		kept += ports[i].outcome == ADOPT_SOURCES || ports[i].outcome == ADOPT_OPEN;
		clients += ports[i].outcome == ADOPT_SOURCES || ports[i].outcome == ADOPT_OPEN ?
			   ports[i].kept : 0;
	}
	printf("%u port%s kept for %u client%s", kept, kept == 1 ? "" : "s", clients,
	       clients == 1 ? "" : "s");
	if (r->conntrack == 0)
		printf("; no connection tracking here (established connections read from /proc)");
	if (r->folded)
		printf("; %lu attempts from sources the log folded (a flood or a scan) not kept",
		       r->folded);
	if (r->clients.dropped)
		printf("; %lu clients past %d not considered", r->clients.dropped, ADOPT_CLIENTS_MAX);
	printf("\n");
	syslog(LOG_NOTICE, "adopt: %u port%s kept for %u client%s", kept, kept == 1 ? "" : "s",
	       clients, clients == 1 ? "" : "s");
}

/* A port a public server of its protocol holds (served-by) is open while it
 * does: its clients need nothing, and a from line would outlive it. */
static int served_port(const struct run *r, const struct sock_entry *s)
{
	const struct policy_entry *e = policy_lookup(r->db, s->proto, s->port);
	struct proc_owner owner = { 0 };

	if (!e || !e->served_by || sockdiag_is_loopback(s) || listener_of(r, s->proto, s->port) != s)
		return 0;
	owner.inode = s->inode;
	procfd_find(&owner, 1);
	return listenpolicy_served_by(e->served_by, owner.exe);
}

static void forget_served(struct run *r)
{
	unsigned i, k;

	for (i = 0; i < r->socks.n; i++) {
		const struct sock_entry *s = &r->socks.v[i];

		if (!served_port(r, s))
			continue;
		for (k = 0; k < r->clients.n; k++)
			if (r->clients.v[k].proto == s->proto && r->clients.v[k].port == s->port)
				r->clients.v[k].served = 1;
	}
}

static int gather(struct run *r, int with_log, time_t since)
{
	int ret = sockdiag_list_all(&r->socks);

	if (ret < 0) {
		fprintf(stderr, "portwarden: cannot list listening sockets: %s\n", strerror(-ret));
		return -1;
	}
	if (lanwatch_effective(&r->cfg, r->lan) < 0)
		fprintf(stderr, "portwarden: cannot read the interfaces; the LAN is what "
			"portwarden.conf names\n");
	read_locals(r->locals);
	if (read_proc_tcp(r, "/proc/net/tcp", 0) < 0 || read_proc_tcp(r, "/proc/net/tcp6", 1) < 0)
		return -1;
	read_conntrack(r);
	if (r->conntrack < 0)
		fprintf(stderr, "portwarden: cannot read the connection tracking table: %s\n",
			strerror(-r->conntrack));
	if (with_log && read_log(r, since) < 0)
		return -1;
	forget_served(r);
	return 0;
}

static int run_adopt(struct run *r, int finish)
{
	const struct settings *s = r->s;
	struct learnfile window = { 0 };
	struct adopt_port *ports = NULL;
	char until[32], started[32];
	unsigned n = 0;
	long length = WINDOW_DEFAULT;
	time_t now = time(NULL);
	int status;

	if (s->adopt_window && parse_window(s->adopt_window, &length) < 0) {
		fprintf(stderr, "portwarden: --window wants a duration: 0, 90s, 30m, 24h or 7d\n");
		return 2;
	}
	if (finish && !r->cfg.learning) {
		if (!s->if_due)	/* the timer looks every quarter of an hour: quietly */
			printf("portwarden adopt --finish: no adoption window is open (%s)\n",
			       r->cfg.adopt_state);
		return 0;
	}
	if (finish && s->if_due && now < r->cfg.learn_until)
		return 0;	/* the timer looks again later */
	/* the daemon folds repeats in memory: they go into the log first */
	if (finish && !s->dry_run && daemon_log_written(r->cfg.queue_num) < 0)
		return 1;
	if (gather(r, finish, r->cfg.learn_started) < 0 ||
	    adopt_plan(&r->clients, r->db, r->lan, s->open, &ports, &n) < 0)
		return 1;
	learnfile_time_text(r->cfg.learn_started, started, sizeof(started));
	if (finish)
		printf("portwarden adopt --finish: the window opened at %s%s\n", started,
		       s->dry_run ? " (dry run: nothing written)" : "");
	else
		printf("portwarden adopt: %u listening service%s the policy guards%s\n",
		       guarded_listeners(r), guarded_listeners(r) == 1 ? "" : "s",
		       s->dry_run ? " (dry run: nothing written)" : "");
	for (unsigned i = 0; i < n; i++)
		print_port(r, &ports[i]);
	print_listeners(r, ports, n);
	summary(r, ports, n);
	window.started = now;
	window.until = now + length;
	learnfile_time_text(window.until, until, sizeof(until));
	if (finish)
		printf("adoption window closed: lan-only ports are enforced from now on\n");
	else if (r->cfg.learning)
		printf("an adoption window is open already; `portwarden adopt --finish` ends it\n");
	else if (length)
		printf("adoption window open until %s: lan-only ports log would-block instead of "
		       "dropping (loopback-only ones are enforced now); `portwarden adopt --finish` "
		       "keeps the clients seen and ends it\n", until);
	if (!finish && !r->cfg.learning && length)
		syslog(LOG_NOTICE, "adopt: adoption window open until %s", until);
	if (finish)
		syslog(LOG_NOTICE, "adopt: adoption window closed");
	status = s->dry_run ? 0 :
		 apply(r, ports, n, finish || (!r->cfg.learning && length),
		       finish ? NULL : &window);
	free(ports);
	return status;
}

int cmd_adopt(const struct settings *s)
{
	struct run r = { .s = s };
	int status = 1;

	r.db = settings_load(s, &r.cfg, stderr);
	if (!r.db)
		return 1;
	log_open_syslog();
	r.lan = calloc(1, sizeof(*r.lan));
	r.locals = calloc(1, sizeof(*r.locals));
	r.finish = s->finish;
	if (r.lan && r.locals)
		status = run_adopt(&r, s->finish);
	policy_db_free(r.db);
	sockdiag_free(&r.socks);
	adopt_clients_free(&r.clients);
	if (r.lan)
		lan_free(r.lan);
	free(r.lan);
	free(r.locals);
	return status;
}
