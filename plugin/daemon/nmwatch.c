// SPDX-License-Identifier: GPL-2.0-or-later
/* NetworkManager's connections over D-Bus, with sd-bus (libsystemd, loaded
 * only once NetworkManager has run on this boot: sdbusload.c).
 *
 * A read of NetworkManager's state is a short chain of asynchronous calls:
 * the manager's ActiveConnections, each active connection's Connection
 * (its settings) and Devices, each device's Interface and IpInterface,
 * each connection's GetSettings for connection.zone, .type and .id.  Its
 * signals (a property of the manager, of an active connection or of a
 * device that says which connections are active on which interfaces; a
 * connection's Updated; the service coming or going) start such a read
 * again; one that comes while a read is under way starts the next after
 * it.  Only NetworkManager itself can answer these calls or send these
 * signals (the bus routes by its name), but every string it gives is cut
 * to printable ASCII and bounded before it goes anywhere. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nmwatch.h"

#ifndef PW_HAVE_SDBUS

int nmwatch_open(struct nmwatch *w)
{
	w->st = NULL;
	return -ENOTSUP;
}

void nmwatch_close(struct nmwatch *w)
{
	(void)w;
}

int nmwatch_fd(const struct nmwatch *w)
{
	(void)w;
	return -1;
}

short nmwatch_events(const struct nmwatch *w)
{
	(void)w;
	return 0;
}

int nmwatch_timeout_ms(const struct nmwatch *w, const struct timespec *now)
{
	(void)w;
	(void)now;
	return -1;
}

int nmwatch_process(struct nmwatch *w, const struct timespec *now)
{
	(void)w;
	(void)now;
	return 0;
}

const struct zone_nm *nmwatch_table(const struct nmwatch *w, unsigned *n)
{
	(void)w;
	*n = 0;
	return NULL;
}

#else

#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "sdbuscalls.h"

#define NM_SERVICE	"org.freedesktop.NetworkManager"
#define NM_PATH		"/org/freedesktop/NetworkManager"
#define NM_ACTIVE	NM_SERVICE ".Connection.Active"
#define NM_DEVICE	NM_SERVICE ".Device"
#define NM_SETTINGS	NM_SERVICE ".Settings.Connection"
#define PROPERTIES	"org.freedesktop.DBus.Properties"
/* made when NetworkManager starts, kept until the host shuts down */
#define NM_RUNDIR	"/run/NetworkManager"

#define RETRY_S		2	/* between attempts to reach the system bus, */
#define RETRY_MAX_S	60	/* doubled while it keeps refusing us */
#define PROCESS_MAX	64	/* messages handled per call: the packet path waits */
#define PATH_LEN	192	/* NetworkManager's paths are short */
#define ACTIVE_MAX	1024
#define DEVICES_MAX	4096

struct nm_active {
	char path[PATH_LEN];
	int conn;		/* index into conns, -1 when not known */
};

struct nm_device {
	char path[PATH_LEN];
	unsigned active;
	char iface[IFNAMSIZ], ip_iface[IFNAMSIZ];
};

struct nm_conn {
	char path[PATH_LEN];
	int read;		/* GetSettings answered */
	struct zone_nm nm;
};

struct nmwatch_state {
	sd_bus *bus;
	struct timespec retry_at;
	int refreshing, again;
	int absent;		/* the service is not there */
	int kept;		/* a read failed otherwise: keep the last table */
	unsigned pending;
	struct nm_active *acts;
	unsigned nacts;
	struct nm_device *devs;
	unsigned ndevs;
	struct nm_conn *conns;
	unsigned nconns;
	struct zone_nm *table;
	unsigned ntable;
	int changed;
	int warned_denied, warned_bus;
	int heard;		/* the bus answered on this connection */
	int warned_match;
	int retry_s;		/* the wait before the next attempt */
	int warned_load;
};

enum call_kind { CALL_ACTIVES, CALL_ACTIVE, CALL_IFACE, CALL_IP_IFACE, CALL_SETTINGS };

struct call {
	struct nmwatch_state *st;
	enum call_kind kind;
	unsigned idx;
};

/* ---- readers ---------------------------------------------------------- */

/* Printable ASCII only, cut to cap */
static void copy_text(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < cap; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

/* A variant holding exactly type; 1 entered, 0 another type (skipped) */
static int enter_variant(sd_bus_message *m, const char *type)
{
	const char *contents;
	char t;
	int r = sd_bus_message_peek_type(m, &t, &contents);

	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	if (t != SD_BUS_TYPE_VARIANT)
		return -EBADMSG;
	if (strcmp(contents, type)) {
		r = sd_bus_message_skip(m, "v");
		return r < 0 ? r : 0;
	}
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, type);
	return r < 0 ? r : 1;
}

/* a variant holding a string: copied (printable), else "" */
static int variant_text(sd_bus_message *m, char *out, size_t cap)
{
	const char *s;
	int r = enter_variant(m, "s");

	out[0] = '\0';
	if (r <= 0)
		return r;
	r = sd_bus_message_read(m, "s", &s);
	if (r < 0)
		return r;
	copy_text(out, cap, s);
	return sd_bus_message_exit_container(m);
}

int nmwatch_read_string(sd_bus_message *m, char *out, size_t cap)
{
	int r = variant_text(m, out, cap);

	return r < 0 ? r : 0;
}

/* an array of object paths, fn for each */
static int paths(sd_bus_message *m, void (*fn)(void *ctx, const char *path), void *ctx)
{
	const char *p;
	int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "o");

	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(m, "o", &p)) > 0)
		fn(ctx, p);
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* a variant holding an array of object paths: fn for each, 1; 0 when it
 * holds something else */
static int variant_paths(sd_bus_message *m, void (*fn)(void *ctx, const char *path), void *ctx)
{
	int r = enter_variant(m, "ao");

	if (r <= 0)
		return r;
	r = paths(m, fn, ctx);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r < 0 ? r : 1;
}

int nmwatch_read_paths(sd_bus_message *m, void (*fn)(void *ctx, const char *path), void *ctx)
{
	int r = variant_paths(m, fn, ctx);

	return r < 0 ? r : r == 0 ? -EBADMSG : 0;
}

/* a variant holding an object path: copied (printable), else "" */
static int variant_path(sd_bus_message *m, char *out, size_t cap)
{
	const char *p;
	int r = enter_variant(m, "o");

	out[0] = '\0';
	if (r <= 0)
		return r;
	r = sd_bus_message_read(m, "o", &p);
	if (r < 0)
		return r;
	copy_text(out, cap, p);
	return sd_bus_message_exit_container(m);
}

int nmwatch_read_active(sd_bus_message *m, char *conn, size_t cap,
			void (*device)(void *ctx, const char *path), void *ctx)
{
	const char *key;
	int r;

	conn[0] = '\0';
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			break;
		if (!strcmp(key, "Connection"))
			r = variant_path(m, conn, cap);
		else if (!strcmp(key, "Devices"))
			r = variant_paths(m, device, ctx);
		else
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r < 0 ? r : 0;
}

/* the settings group "connection": its zone, type and id */
static int connection_group(sd_bus_message *m, struct zone_nm *out)
{
	const char *key;
	int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");

	while (r >= 0 && (r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			break;
		if (!strcmp(key, "zone"))
			r = variant_text(m, out->zone, sizeof(out->zone));
		else if (!strcmp(key, "type"))
			r = variant_text(m, out->type, sizeof(out->type));
		else if (!strcmp(key, "id"))
			r = variant_text(m, out->id, sizeof(out->id));
		else
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

int nmwatch_read_settings(sd_bus_message *m, struct zone_nm *out)
{
	const char *group;
	int r;

	out->zone[0] = out->type[0] = out->id[0] = '\0';
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sa{sv}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}")) > 0) {
		r = sd_bus_message_read(m, "s", &group);
		if (r >= 0)
			r = strcmp(group, "connection") ? sd_bus_message_skip(m, "a{sv}")
							: connection_group(m, out);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r < 0 ? r : 0;
}

int nmwatch_read_changed(sd_bus_message *m, const char *const *names)
{
	const char *key;
	unsigned i;
	int r, found = 0;

	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &key);
		for (i = 0; r >= 0 && names[i]; i++)
			found |= !strcmp(key, names[i]);
		if (r >= 0)
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	/* invalidated: named without their value */
	if (r >= 0)
		r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
	while (r >= 0 && (r = sd_bus_message_read(m, "s", &key)) > 0)
		for (i = 0; names[i]; i++)
			found |= !strcmp(key, names[i]);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r < 0 ? r : found;
}

/* ---- one read of NetworkManager's state --------------------------------- */

static void start_read(struct nmwatch_state *st);

static void free_call(void *userdata)
{
	free(userdata);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *err);

/* Sends one asynchronous call; its answer comes to on_reply.  Never
 * starts NetworkManager through D-Bus activation: where it is installed
 * but not running, the admin chose so. */
static void send_call(struct nmwatch_state *st, enum call_kind kind, unsigned idx, const char *path,
		      const char *iface, const char *member, const char *types, const char *a,
		      const char *b)
{
	struct call *c = malloc(sizeof(*c));
	sd_bus_message *m = NULL;
	sd_bus_slot *slot = NULL;
	int r;

	if (!c) {
		st->kept = 1;
		return;
	}
	*c = (struct call){ st, kind, idx };
	r = sd_bus_message_new_method_call(st->bus, &m, NM_SERVICE, path, iface, member);
	if (r >= 0)
		r = sd_bus_message_set_auto_start(m, 0);
	if (r >= 0)
		r = sd_bus_message_append(m, types, a, b);
	if (r >= 0)
		r = sd_bus_call_async(st->bus, &slot, m, on_reply, c, 0);
	sd_bus_message_unref(m);
	if (r < 0) {
		free(c);
		st->kept = 1;
		return;
	}
	/* the bus keeps the call and frees c with it */
	sd_bus_slot_set_destroy_callback(slot, free_call);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	st->pending++;
}

/* Properties.Get(iface, name) */
static void get(struct nmwatch_state *st, enum call_kind kind, unsigned idx, const char *path,
		const char *iface, const char *name)
{
	send_call(st, kind, idx, path, PROPERTIES, "Get", "ss", iface, name);
}

static void add_active(void *ctx, const char *path)
{
	struct nmwatch_state *st = ctx;
	struct nm_active *grown;

	if (st->nacts == ACTIVE_MAX || strlen(path) >= PATH_LEN)
		return;
	grown = realloc(st->acts, (st->nacts + 1) * sizeof(*grown));
	if (!grown) {
		st->kept = 1;
		return;
	}
	st->acts = grown;
	snprintf(grown[st->nacts].path, PATH_LEN, "%s", path);
	grown[st->nacts].conn = -1;
	send_call(st, CALL_ACTIVE, st->nacts, path, PROPERTIES, "GetAll", "s", NM_ACTIVE, NULL);
	st->nacts++;
}

struct device_ctx {
	struct nmwatch_state *st;
	unsigned active;
};

static void add_device(void *ctx, const char *path)
{
	struct device_ctx *dc = ctx;
	struct nmwatch_state *st = dc->st;
	struct nm_device *grown, *d;

	if (st->ndevs == DEVICES_MAX || strlen(path) >= PATH_LEN)
		return;
	grown = realloc(st->devs, (st->ndevs + 1) * sizeof(*grown));
	if (!grown) {
		st->kept = 1;
		return;
	}
	st->devs = grown;
	d = &grown[st->ndevs];
	memset(d, 0, sizeof(*d));
	snprintf(d->path, PATH_LEN, "%s", path);
	d->active = dc->active;
	get(st, CALL_IFACE, st->ndevs, path, NM_DEVICE, "Interface");
	get(st, CALL_IP_IFACE, st->ndevs, path, NM_DEVICE, "IpInterface");
	st->ndevs++;
}

/* The settings of path, read once per read of the state */
static int conn_index(struct nmwatch_state *st, const char *path)
{
	struct nm_conn *grown;
	unsigned i;

	for (i = 0; i < st->nconns; i++)
		if (!strcmp(st->conns[i].path, path))
			return (int)i;
	if (!path[0] || !strcmp(path, "/") || st->nconns == ACTIVE_MAX)
		return -1;
	grown = realloc(st->conns, (st->nconns + 1) * sizeof(*grown));
	if (!grown) {
		st->kept = 1;
		return -1;
	}
	st->conns = grown;
	memset(&grown[st->nconns], 0, sizeof(grown[0]));
	snprintf(grown[st->nconns].path, PATH_LEN, "%s", path);
	send_call(st, CALL_SETTINGS, st->nconns, path, NM_SETTINGS, "GetSettings", "", NULL, NULL);
	return (int)st->nconns++;
}

static void valid_name(char *name)
{
	if (strchr(name, '/') || strchr(name, ':') || strchr(name, ' '))
		name[0] = '\0';
}

static void handle(struct nmwatch_state *st, const struct call *c, sd_bus_message *m)
{
	int r = 0;

	switch (c->kind) {
	case CALL_ACTIVES:
		r = nmwatch_read_paths(m, add_active, st);
		break;
	case CALL_ACTIVE: {
		struct device_ctx dc = { st, c->idx };
		char path[PATH_LEN];

		r = nmwatch_read_active(m, path, sizeof(path), add_device, &dc);
		if (r == 0)
			st->acts[c->idx].conn = conn_index(st, path);
		break;
	}
	case CALL_IFACE:
	case CALL_IP_IFACE: {
		struct nm_device *d = &st->devs[c->idx];
		char *name = c->kind == CALL_IFACE ? d->iface : d->ip_iface;

		r = nmwatch_read_string(m, name, IFNAMSIZ);
		valid_name(name);
		break;
	}
	case CALL_SETTINGS:
		r = nmwatch_read_settings(m, &st->conns[c->idx].nm);
		st->conns[c->idx].read = r == 0;
		break;
	}
	if (r < 0 && c->kind == CALL_ACTIVES)
		st->kept = 1;
}

static int nm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zone_nm *)a)->ifname, ((const struct zone_nm *)b)->ifname);
}

static void put_entry(struct zone_nm *t, unsigned *n, const char *ifname, const struct zone_nm *nm)
{
	unsigned i;

	if (!ifname[0])
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(t[i].ifname, ifname))
			return;
	t[*n] = *nm;
	snprintf(t[*n].ifname, sizeof(t[*n].ifname), "%s", ifname);
	(*n)++;
}

/* Every answer is in: the table of this read */
static void finish_read(struct nmwatch_state *st)
{
	struct zone_nm *t = NULL;
	unsigned i, n = 0;

	st->refreshing = 0;
	if (st->kept && !st->absent)
		goto out;	/* a read that failed halfway says nothing new */
	if (!st->absent && st->ndevs) {
		t = calloc(2 * st->ndevs, sizeof(*t));
		if (!t)
			goto out;
	}
	for (i = 0; !st->absent && i < st->ndevs; i++) {
		const struct nm_device *d = &st->devs[i];
		int conn = st->acts[d->active].conn;

		if (conn < 0 || !st->conns[conn].read)
			continue;	/* not visible to us: the facts decide */
		put_entry(t, &n, d->iface, &st->conns[conn].nm);
		put_entry(t, &n, d->ip_iface, &st->conns[conn].nm);
	}
	if (n)
		qsort(t, n, sizeof(*t), nm_cmp);
	if (n != st->ntable || (n && memcmp(t, st->table, n * sizeof(*t)))) {
		free(st->table);
		st->table = t;
		st->ntable = n;
		st->changed = 1;
		t = NULL;
	}
	free(t);
out:
	if (st->again) {
		st->again = 0;
		start_read(st);
	}
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const struct call *c = userdata;
	struct nmwatch_state *st = c->st;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	(void)ret_error;
	/* the bus answers a call it never delivered with NoReply, and so does
	 * sd-bus for calls pending when the connection closes */
	if (!e || !sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY))
		st->heard = 1;
	if (e) {
		if (c->kind == CALL_ACTIVES &&
		    (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		     sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)))
			st->absent = 1;
		else if (c->kind == CALL_ACTIVES)
			st->kept = 1;
		if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED) && !st->warned_denied) {
			log_warnx("NetworkManager refused to say %s: %s; its zones are not used",
				  c->kind == CALL_SETTINGS ? "a connection's zone" : "its state",
				  e->message ? e->message : e->name);
			st->warned_denied = 1;
		}
	} else {
		handle(st, c, m);
	}
	if (--st->pending == 0)
		finish_read(st);
	return 0;
}

static void start_read(struct nmwatch_state *st)
{
	if (st->refreshing) {
		st->again = 1;
		return;
	}
	st->refreshing = 1;
	st->absent = st->kept = 0;
	st->nacts = st->ndevs = st->nconns = 0;
	get(st, CALL_ACTIVES, 0, NM_PATH, NM_SERVICE, "ActiveConnections");
	if (!st->pending)
		finish_read(st);
}

/* ---- signals ------------------------------------------------------------ */

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	static const char *const manager[] = { "ActiveConnections", NULL };
	static const char *const active[] = { "Connection", "Devices", NULL };
	static const char *const device[] = { "Interface", "IpInterface", "ActiveConnection", NULL };
	struct nmwatch_state *st = userdata;
	const char *iface;

	(void)ret_error;
	if (sd_bus_message_is_signal(m, PROPERTIES, "PropertiesChanged")) {
		const char *const *names;

		if (sd_bus_message_read(m, "s", &iface) < 0)
			return 0;
		names = !strcmp(iface, NM_SERVICE) ? manager : !strcmp(iface, NM_ACTIVE) ? active :
			!strcmp(iface, NM_DEVICE) ? device : NULL;
		if (!names || nmwatch_read_changed(m, names) <= 0)
			return 0;
	}
	start_read(st);
	return 0;
}

/* AddMatch answered: a rule the bus refused is said once (sd-bus would
 * close the connection without an install callback) */
static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct nmwatch_state *st = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	(void)ret_error;
	if (e && !st->warned_match) {
		log_warnx("the system bus refused a rule for NetworkManager's signals (%s: %s): "
			  "changes NetworkManager announces that way are not followed", e->name,
			  e->message ? e->message : "");
		st->warned_match = 1;
	}
	return 0;
}

static const char *const matches[] = {
	"type='signal',sender='" NM_SERVICE "',interface='" PROPERTIES "',member='PropertiesChanged',"
	"path='" NM_PATH "',arg0='" NM_SERVICE "'",
	"type='signal',sender='" NM_SERVICE "',interface='" PROPERTIES "',member='PropertiesChanged',"
	"arg0='" NM_ACTIVE "'",
	"type='signal',sender='" NM_SERVICE "',interface='" PROPERTIES "',member='PropertiesChanged',"
	"arg0='" NM_DEVICE "'",
	"type='signal',sender='" NM_SERVICE "',interface='" NM_SETTINGS "',member='Updated'",
	"type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
	"member='NameOwnerChanged',arg0='" NM_SERVICE "'",
};

/* ---- the bus ------------------------------------------------------------ */

static int later(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

static void retry_later(struct nmwatch_state *st, const struct timespec *now)
{
	st->retry_at = *now;
	st->retry_at.tv_sec += st->retry_s;
	st->retry_s = st->retry_s * 2 > RETRY_MAX_S ? RETRY_MAX_S : st->retry_s * 2;
}

/* Said once until a connection works again.  A bus that closes on us
 * before it answered anything refuses this service's user: dbus-daemon
 * does when it cannot look a dynamic user up (nss-systemd). */
static void drop_bus(struct nmwatch_state *st, const struct timespec *now, int err)
{
	if (!st->warned_bus && st->heard)
		log_warnx("the system bus went away (%s); NetworkManager's zones stay as they "
			  "were until it is back", strerror(err));
	else if (!st->warned_bus)
		log_warnx("the system bus closed the connection before answering (%s): can it "
			  "look this service's user up (libnss-systemd)?  NetworkManager's zones "
			  "are not followed meanwhile", strerror(err));
	st->warned_bus = 1;
	/* the answers still owed free their calls as the bus goes */
	sd_bus_flush_close_unref(st->bus);
	st->bus = NULL;
	st->pending = 0;
	st->refreshing = st->again = 0;
	retry_later(st, now);
}

/* libsystemd is loaded once NetworkManager has run on this boot, never
 * before: a host without it maps none of the library.  Its directory is
 * looked for every RETRY_S (a stat; the loop wakes twice a second anyway),
 * so NetworkManager started later is followed within that. */
static int nm_loaded(struct nmwatch_state *st, const struct timespec *now)
{
	const char *why;

	if (access(NM_RUNDIR, F_OK) < 0) {
		st->retry_at = *now;
		st->retry_at.tv_sec += RETRY_S;
		return 0;
	}
	if (sdbusload_open(SDBUSLOAD_LIB, &why) < 0) {
		if (!st->warned_load)
			log_warnx("NetworkManager runs here, but %s cannot be loaded (%s): its "
				  "zones are not followed; zones come from portwarden.conf and the "
				  "interfaces themselves", SDBUSLOAD_LIB, why);
		st->warned_load = 1;
		retry_later(st, now);
		return 0;
	}
	return 1;
}

static void connect_bus(struct nmwatch_state *st, const struct timespec *now)
{
	unsigned i;
	int r;

	if (!nm_loaded(st, now))
		return;
	r = sd_bus_open_system(&st->bus);
	if (r < 0) {
		st->bus = NULL;
		if (!st->warned_bus)
			log_info("the system bus is not there (%s): trying again for "
				 "NetworkManager's zones", strerror(-r));
		st->warned_bus = 1;
		retry_later(st, now);
		return;
	}
	st->heard = 0;
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		r = sd_bus_add_match_async(st->bus, NULL, matches[i], on_signal, on_match_installed,
					   st);
		if (r < 0) {
			drop_bus(st, now, -r);
			return;
		}
	}
	start_read(st);
}

int nmwatch_open(struct nmwatch *w)
{
	w->st = calloc(1, sizeof(*w->st));
	if (!w->st)
		return -ENOMEM;
	w->st->retry_s = RETRY_S;
	return 0;
}

void nmwatch_close(struct nmwatch *w)
{
	struct nmwatch_state *st = w->st;

	if (!st)
		return;
	if (st->bus)
		sd_bus_flush_close_unref(st->bus);
	free(st->acts);
	free(st->devs);
	free(st->conns);
	free(st->table);
	free(st);
	w->st = NULL;
}

int nmwatch_fd(const struct nmwatch *w)
{
	return w->st && w->st->bus ? sd_bus_get_fd(w->st->bus) : -1;
}

short nmwatch_events(const struct nmwatch *w)
{
	int e = w->st && w->st->bus ? sd_bus_get_events(w->st->bus) : 0;

	return (short)(e > 0 ? e : 0);
}

int nmwatch_timeout_ms(const struct nmwatch *w, const struct timespec *now)
{
	const struct nmwatch_state *st = w->st;
	uint64_t until, at;

	if (!st)
		return -1;
	if (!st->bus) {
		long ms = (st->retry_at.tv_sec - now->tv_sec) * 1000L +
			  (st->retry_at.tv_nsec - now->tv_nsec) / 1000000L;

		return ms < 0 ? 0 : (int)ms;
	}
	if (sd_bus_get_timeout(st->bus, &until) < 0 || until == UINT64_MAX)
		return -1;
	at = (uint64_t)now->tv_sec * 1000000u + (uint64_t)now->tv_nsec / 1000u;
	if (until <= at)
		return 0;
	return (until - at) / 1000 >= 60000 ? 60000 : (int)((until - at) / 1000 + 1);
}

int nmwatch_process(struct nmwatch *w, const struct timespec *now)
{
	struct nmwatch_state *st = w->st;
	int i, changed;

	if (!st)
		return 0;
	if (!st->bus && later(now, &st->retry_at))
		connect_bus(st, now);
	for (i = 0; st->bus && i < PROCESS_MAX; i++) {
		int r = sd_bus_process(st->bus, NULL);

		if (r == 0)
			break;
		if (r < 0)
			drop_bus(st, now, -r);
	}
	/* a connection that works: say so once, wait the least next time */
	if (st->bus && st->heard && st->warned_bus) {
		log_info("connected to the system bus: NetworkManager's zones are followed");
		st->warned_bus = 0;
	}
	if (st->bus && st->heard)
		st->retry_s = RETRY_S;
	changed = st->changed;
	st->changed = 0;
	return changed;
}

const struct zone_nm *nmwatch_table(const struct nmwatch *w, unsigned *n)
{
	*n = w->st ? w->st->ntable : 0;
	return w->st ? w->st->table : NULL;
}

#endif
