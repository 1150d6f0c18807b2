// SPDX-License-Identifier: GPL-2.0-or-later
/* NetworkManager's answers, built as sd-bus messages of the shapes its
 * D-Bus API documents, read back by nmwatch's readers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nmwatch.h"
#include "sdbusload.h"

#ifdef PW_HAVE_SDBUS

static sd_bus *bus;
static int fds[2];

/* A bus object over a socket pair: enough to build and read messages; the
 * readers call the library the test links through the table */
static int setup(void **state)
{
	const char *why;

	if (sdbusload_open(SDBUSLOAD_LIB, &why) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0 || sd_bus_new(&bus) < 0 ||
	    sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	sd_bus_flush_close_unref(bus);
	close(fds[1]);
	return 0;
}

static sd_bus_message *message(void)
{
	sd_bus_message *m = NULL;

	assert_int_equal(sd_bus_message_new_method_call(bus, &m, "org.freedesktop.NetworkManager",
							"/x", "org.example", "M"), 0);
	return m;
}

/* sealed and ready to be read from the start */
static sd_bus_message *sealed(sd_bus_message *m)
{
	assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
	assert_true(sd_bus_message_rewind(m, 1) >= 0);
	return m;
}

static void nmwatch_read_settings__connection_group__zone_type_id(void **state)
{
	sd_bus_message *m = message();
	struct zone_nm nm;

	assert_true(sd_bus_message_append(m, "a{sa{sv}}", 3,
		"802-11-wireless", 2, "ssid", "ay", 3, 'a', 'b', 'c', "mode", "s", "infrastructure",
		"connection", 5, "id", "s", "Caf\xc3\xa9\x01 free", "type", "s", "802-11-wireless",
		"uuid", "s", "d6e1", "timestamp", "t", (uint64_t)1700000000, "zone", "s", "home",
		"ipv4", 1, "method", "s", "auto") >= 0);
	assert_int_equal(nmwatch_read_settings(sealed(m), &nm), 0);
	assert_string_equal(nm.zone, "home");
	assert_string_equal(nm.type, "802-11-wireless");
	/* printable ASCII only */
	assert_string_equal(nm.id, "Caf??? free");
	sd_bus_message_unref(m);
}

static void nmwatch_read_settings__odd_values__left_empty(void **state)
{
	sd_bus_message *m = message();
	struct zone_nm nm;
	char longid[200];

	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	/* a zone that is no string, an id longer than kept */
	assert_true(sd_bus_message_append(m, "a{sa{sv}}", 1, "connection", 3, "zone", "u", 7,
					  "id", "s", longid, "type", "as", 1, "gsm") >= 0);
	assert_int_equal(nmwatch_read_settings(sealed(m), &nm), 0);
	assert_string_equal(nm.zone, "");
	assert_string_equal(nm.type, "");
	assert_int_equal(strlen(nm.id), sizeof(nm.id) - 1);
	sd_bus_message_unref(m);
	/* another shape altogether */
	m = message();
	assert_true(sd_bus_message_append(m, "s", "connection") >= 0);
	assert_true(nmwatch_read_settings(sealed(m), &nm) < 0);
	sd_bus_message_unref(m);
}

static int wanted(const char *name, const char *const *names)
{
	sd_bus_message *m = message();
	int r;

	assert_true(sd_bus_message_append(m, "a{sv}as", 2, "State", "u", 2, "Devices", "ao", 1,
					  "/org/freedesktop/NetworkManager/Devices/3", 1, name) >= 0);
	r = nmwatch_read_changed(sealed(m), names);
	sd_bus_message_unref(m);
	return r;
}

static void nmwatch_read_changed__changed_and_invalidated__found(void **state)
{
	static const char *const devices[] = { "Devices", NULL }, *const conn[] = { "Connection", NULL },
				 *const other[] = { "Id", "Vpn", NULL };

	assert_int_equal(wanted("Connection", devices), 1);
	assert_int_equal(wanted("Connection", conn), 1);	/* invalidated */
	assert_int_equal(wanted("Ip4Config", other), 0);
}

static void add_path(void *ctx, const char *path)
{
	char *out = ctx;

	strcat(out, path);
	strcat(out, ";");
}

static void nmwatch_read_active__connection_and_devices(void **state)
{
	sd_bus_message *m = message();
	char conn[192], devs[256] = "";

	assert_true(sd_bus_message_append(m, "a{sv}", 4, "Id", "s", "Home",
		"Connection", "o", "/org/freedesktop/NetworkManager/Settings/4",
		"Devices", "ao", 2, "/org/freedesktop/NetworkManager/Devices/3",
		"/org/freedesktop/NetworkManager/Devices/7", "State", "u", 2) >= 0);
	assert_int_equal(nmwatch_read_active(sealed(m), conn, sizeof(conn), add_path, devs), 0);
	assert_string_equal(conn, "/org/freedesktop/NetworkManager/Settings/4");
	assert_string_equal(devs, "/org/freedesktop/NetworkManager/Devices/3;"
				  "/org/freedesktop/NetworkManager/Devices/7;");
	sd_bus_message_unref(m);
}

static void nmwatch_read_paths_and_string__variants(void **state)
{
	sd_bus_message *m = message();
	char paths[256] = "", name[IFNAMSIZ];

	assert_true(sd_bus_message_append(m, "v", "ao", 2, "/a/1", "/a/2") >= 0);
	assert_int_equal(nmwatch_read_paths(sealed(m), add_path, paths), 0);
	assert_string_equal(paths, "/a/1;/a/2;");
	sd_bus_message_unref(m);
	m = message();
	assert_true(sd_bus_message_append(m, "v", "s", "wlp2s0") >= 0);
	assert_int_equal(nmwatch_read_string(sealed(m), name, sizeof(name)), 0);
	assert_string_equal(name, "wlp2s0");
	sd_bus_message_unref(m);
	/* a string where paths were asked for */
	m = message();
	assert_true(sd_bus_message_append(m, "v", "s", "/a/1") >= 0);
	assert_true(nmwatch_read_paths(sealed(m), add_path, paths) < 0);
	sd_bus_message_unref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nmwatch_read_settings__connection_group__zone_type_id),
		cmocka_unit_test(nmwatch_read_settings__odd_values__left_empty),
		cmocka_unit_test(nmwatch_read_changed__changed_and_invalidated__found),
		cmocka_unit_test(nmwatch_read_active__connection_and_devices),
		cmocka_unit_test(nmwatch_read_paths_and_string__variants),
	};

	return cmocka_run_group_tests_name("nmwatch", tests, setup, teardown);
}

#else

static void nmwatch__built_without_sd_bus__skipped(void **state)
{
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nmwatch__built_without_sd_bus__skipped),
	};

	return cmocka_run_group_tests_name("nmwatch", tests, NULL, NULL);
}

#endif
