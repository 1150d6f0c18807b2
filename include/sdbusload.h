/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SDBUSLOAD_H
#define PORTWARDEN_SDBUSLOAD_H

/* sd-bus (libsystemd) loaded at run time, only where NetworkManager runs:
 * the library and what it pulls in (lzma, zstd, lz4, gcrypt, cap) keep
 * 1.2 MB resident that a host without NetworkManager never uses.  The
 * program is not linked against it; nmwatch.c calls these through
 * sdbuscalls.h. */

#ifdef PW_HAVE_SDBUS
#include <systemd/sd-bus.h>

#define SDBUSLOAD_LIB	"libsystemd.so.0"

/* every sd-bus function nmwatch.c calls */
#define SDBUSLOAD_FUNCTIONS(X) \
	X(sd_bus_open_system) X(sd_bus_flush_close_unref) X(sd_bus_add_match_async) \
	X(sd_bus_call_async) X(sd_bus_process) X(sd_bus_get_fd) X(sd_bus_get_events) \
	X(sd_bus_get_timeout) X(sd_bus_error_has_name) X(sd_bus_message_new_method_call) \
	X(sd_bus_message_set_auto_start) X(sd_bus_message_append) X(sd_bus_message_unref) \
	X(sd_bus_message_get_error) X(sd_bus_message_is_signal) X(sd_bus_message_peek_type) \
	X(sd_bus_message_enter_container) X(sd_bus_message_exit_container) \
	X(sd_bus_message_read) X(sd_bus_message_skip) X(sd_bus_slot_set_destroy_callback) \
	X(sd_bus_slot_set_floating) X(sd_bus_slot_unref)

#define SDBUSLOAD_MEMBER(f) __typeof__(f) *f;
struct sdbusload_fn {
	SDBUSLOAD_FUNCTIONS(SDBUSLOAD_MEMBER)
};
#undef SDBUSLOAD_MEMBER

/* Filled whole by a successful sdbusload_open, all NULL before */
extern struct sdbusload_fn sdbusload_fn;

/* Loads lib (SDBUSLOAD_LIB) once: 0 when every function is in the table,
 * -ENOTSUP when the library or one of its functions is missing (*why says
 * which; the table stays empty and lib is not kept). */
int sdbusload_open(const char *lib, const char **why);
#endif

#endif
