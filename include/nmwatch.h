/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_NMWATCH_H
#define PORTWARDEN_NMWATCH_H

#include <time.h>

#include "zone.h"

/* NetworkManager's active connections, their interfaces and zones, read
 * from its D-Bus API on the system bus (sd-bus) and followed through its
 * signals: a zone changed with nmcli or a new network joined counts within
 * a second.  Nothing here waits: calls are asynchronous and their answers
 * come through the daemon's poll loop.  libsystemd is loaded only once
 * NetworkManager's runtime directory exists.  Built without sd-bus (no
 * libsystemd, as on OpenWrt), or where neither the bus nor NetworkManager
 * runs, or libsystemd cannot be loaded, the table stays empty: zones come
 * from portwarden.conf and from what the host knows of its interfaces. */

struct nmwatch_state;

struct nmwatch {
	struct nmwatch_state *st;	/* NULL when not built in */
};

/* 0, or -ENOTSUP when built without sd-bus; connecting is left to
 * nmwatch_process, which retries while the bus is not there. */
int nmwatch_open(struct nmwatch *w);
void nmwatch_close(struct nmwatch *w);
/* The descriptor to poll and its events; -1 while not connected */
int nmwatch_fd(const struct nmwatch *w);
short nmwatch_events(const struct nmwatch *w);
/* Milliseconds until nmwatch_process has work without the descriptor
 * (answers already read, a retry to connect), -1 for none */
int nmwatch_timeout_ms(const struct nmwatch *w, const struct timespec *now);
/* Connects when it is time, handles what came; 1 when the table changed,
 * 0 when not.  now is CLOCK_MONOTONIC. */
int nmwatch_process(struct nmwatch *w, const struct timespec *now);
/* NetworkManager's connection on each interface it has one on */
const struct zone_nm *nmwatch_table(const struct nmwatch *w, unsigned *n);

#ifdef PW_HAVE_SDBUS
#include <systemd/sd-bus.h>

/* The readers of NetworkManager's answers, for tests and fuzzing: each
 * takes a message positioned at its body and returns 0, or -errno for a
 * message of another shape.  They call sd-bus through sdbusload's table:
 * sdbusload_open() first. */

/* GetSettings: a{sa{sv}}, connection.zone, connection.type, connection.id */
int nmwatch_read_settings(sd_bus_message *m, struct zone_nm *out);
/* PropertiesChanged (sa{sv}as): 1 when one of names (NULL-ended) changed */
int nmwatch_read_changed(sd_bus_message *m, const char *const *names);
/* Properties.Get of a string property: v holding s */
int nmwatch_read_string(sd_bus_message *m, char *out, size_t cap);
/* Properties.Get of an object path list: v holding ao; fn for each */
int nmwatch_read_paths(sd_bus_message *m, void (*fn)(void *ctx, const char *path), void *ctx);
/* GetAll of an active connection (a{sv}): Connection, Devices */
int nmwatch_read_active(sd_bus_message *m, char *conn, size_t cap,
			void (*device)(void *ctx, const char *path), void *ctx);
#endif

#endif
