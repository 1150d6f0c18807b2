/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_SDBUSCALLS_H
#define PORTWARDEN_SDBUSCALLS_H

/* sd-bus's names called through the table sdbusload_open fills: for
 * nmwatch.c alone, which calls none of them before the table is full.  A
 * name missing here is a direct call, and the program, not linked against
 * libsystemd, does not link. */
#include "sdbusload.h"

#define sd_bus_open_system		sdbusload_fn.sd_bus_open_system
#define sd_bus_flush_close_unref	sdbusload_fn.sd_bus_flush_close_unref
#define sd_bus_add_match_async		sdbusload_fn.sd_bus_add_match_async
#define sd_bus_call_async		sdbusload_fn.sd_bus_call_async
#define sd_bus_process			sdbusload_fn.sd_bus_process
#define sd_bus_get_fd			sdbusload_fn.sd_bus_get_fd
#define sd_bus_get_events		sdbusload_fn.sd_bus_get_events
#define sd_bus_get_timeout		sdbusload_fn.sd_bus_get_timeout
#define sd_bus_error_has_name		sdbusload_fn.sd_bus_error_has_name
#define sd_bus_message_new_method_call	sdbusload_fn.sd_bus_message_new_method_call
#define sd_bus_message_set_auto_start	sdbusload_fn.sd_bus_message_set_auto_start
#define sd_bus_message_append		sdbusload_fn.sd_bus_message_append
#define sd_bus_message_unref		sdbusload_fn.sd_bus_message_unref
#define sd_bus_message_get_error	sdbusload_fn.sd_bus_message_get_error
#define sd_bus_message_is_signal	sdbusload_fn.sd_bus_message_is_signal
#define sd_bus_message_peek_type	sdbusload_fn.sd_bus_message_peek_type
#define sd_bus_message_enter_container	sdbusload_fn.sd_bus_message_enter_container
#define sd_bus_message_exit_container	sdbusload_fn.sd_bus_message_exit_container
#define sd_bus_message_read		sdbusload_fn.sd_bus_message_read
#define sd_bus_message_skip		sdbusload_fn.sd_bus_message_skip
#define sd_bus_slot_set_destroy_callback sdbusload_fn.sd_bus_slot_set_destroy_callback
#define sd_bus_slot_set_floating	sdbusload_fn.sd_bus_slot_set_floating
#define sd_bus_slot_unref		sdbusload_fn.sd_bus_slot_unref

#endif
