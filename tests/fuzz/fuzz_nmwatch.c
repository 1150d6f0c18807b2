// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: NetworkManager's answers as nmwatch reads them.  The
 * input decides which reader, and builds its message: the shape the
 * reader expects with any nesting, keys and value types inside, or
 * another shape altogether.  Bytes of the message are sd-bus's (which
 * checks them as it builds); what is fuzzed is how the readers walk what
 * they are given. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nmwatch.h"
#include "sdbusload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef PW_HAVE_SDBUS

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct input *in, unsigned range)
{
	unsigned v;

	if (!in->n || !range)
		return 0;
	v = *in->p % range;
	in->p++;
	in->n--;
	return v;
}

/* a string from the input: one of the names the readers look for, or
 * bytes of its own (printable or not, UTF-8 or not: sd-bus refuses what
 * D-Bus forbids) */
static void text(struct input *in, char *out, size_t cap)
{
	static const char *const names[] = {
		"connection", "zone", "type", "id", "Connection", "Devices", "ActiveConnections",
		"Interface", "IpInterface", "home", "public", "802-11-wireless", "",
	};
	unsigned i, len;

	if (take(in, 2)) {
		snprintf(out, cap, "%s", names[take(in, sizeof(names) / sizeof(names[0]))]);
		return;
	}
	len = take(in, (unsigned)cap);
	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = (char)(take(in, 95) + 32);
	out[i] = '\0';
}

static void path(struct input *in, char *out, size_t cap)
{
	unsigned i, len = take(in, 6);

	snprintf(out, cap, "/org/freedesktop/NetworkManager");
	for (i = 0; i < len; i++) {
		size_t n = strlen(out);

		snprintf(out + n, cap - n, "/%c%u", 'A' + take(in, 26), take(in, 100));
	}
}

static int value(sd_bus_message *m, struct input *in, unsigned depth);

/* a{sv} with keys and values from the input */
static int dict(sd_bus_message *m, struct input *in, unsigned depth)
{
	unsigned i, n = take(in, 6);
	char key[64];
	int r = sd_bus_message_open_container(m, 'a', "{sv}");

	for (i = 0; r >= 0 && i < n; i++) {
		r = sd_bus_message_open_container(m, 'e', "sv");
		text(in, key, sizeof(key));
		if (r >= 0)
			r = sd_bus_message_append_basic(m, 's', key);
		if (r >= 0)
			r = value(m, in, depth + 1);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

/* a variant of a type the input picks */
static int value(sd_bus_message *m, struct input *in, unsigned depth)
{
	static const char *const types[] = { "s", "o", "u", "b", "t", "as", "ao", "ay", "a{sv}", "v" };
	const char *t = types[take(in, depth > 4 ? 5 : sizeof(types) / sizeof(types[0]))];
	char s[64];
	uint32_t u = take(in, 256);
	int r = sd_bus_message_open_container(m, 'v', t), b = (int)(u & 1);

	if (r < 0)
		return r;
	if (!strcmp(t, "s")) {
		text(in, s, sizeof(s));
		r = sd_bus_message_append_basic(m, 's', s);
	} else if (!strcmp(t, "o")) {
		path(in, s, sizeof(s));
		r = sd_bus_message_append_basic(m, 'o', s);
	} else if (!strcmp(t, "u") || !strcmp(t, "t")) {
		uint64_t w = u;

		r = !strcmp(t, "u") ? sd_bus_message_append_basic(m, 'u', &u)
				    : sd_bus_message_append_basic(m, 't', &w);
	} else if (!strcmp(t, "b")) {
		r = sd_bus_message_append_basic(m, 'b', &b);
	} else if (t[0] == 'a' && t[1] != '{') {
		unsigned i, n = take(in, 5);

		r = sd_bus_message_open_container(m, 'a', t + 1);
		for (i = 0; r >= 0 && i < n; i++) {
			uint8_t y = (uint8_t)take(in, 256);

			if (t[1] == 'y')
				r = sd_bus_message_append_basic(m, 'y', &y);
			else if (t[1] == 'o')
				path(in, s, sizeof(s)), r = sd_bus_message_append_basic(m, 'o', s);
			else
				text(in, s, sizeof(s)), r = sd_bus_message_append_basic(m, 's', s);
		}
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	} else if (t[0] == 'a') {
		r = dict(m, in, depth);
	} else {
		r = value(m, in, depth + 1);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int settings(sd_bus_message *m, struct input *in)
{
	unsigned i, n = take(in, 5);
	char group[64];
	int r = sd_bus_message_open_container(m, 'a', "{sa{sv}}");

	for (i = 0; r >= 0 && i < n; i++) {
		r = sd_bus_message_open_container(m, 'e', "sa{sv}");
		text(in, group, sizeof(group));
		if (r >= 0)
			r = sd_bus_message_append_basic(m, 's', group);
		if (r >= 0)
			r = dict(m, in, 1);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int changed(sd_bus_message *m, struct input *in)
{
	unsigned i, n;
	char s[64];
	int r = dict(m, in, 0);

	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "s");
	for (i = 0, n = take(in, 4); r >= 0 && i < n; i++) {
		text(in, s, sizeof(s));
		r = sd_bus_message_append_basic(m, 's', s);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static void count(void *ctx, const char *p)
{
	if (!p || p[0] != '/')
		abort();
	++*(unsigned *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "Devices", "Connection", NULL };
	struct input in = { data, size };
	sd_bus_message *m = NULL;
	static sd_bus *bus;
	static int fds[2];
	unsigned kind = take(&in, 6), n = 0;
	struct zone_nm nm;
	const char *why;
	char buf[192];
	int r;

	if (!bus && (sdbusload_open(SDBUSLOAD_LIB, &why) < 0 ||
		     socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0 ||
		     sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fds[0], fds[0]) < 0 ||
		     sd_bus_start(bus) < 0))
		abort();
	if (sd_bus_message_new_method_call(bus, &m, "org.freedesktop.NetworkManager", "/x",
					   "org.example", "M") < 0)
		abort();
	/* the shape each reader expects, or another reader's */
	switch ((kind + take(&in, 4) / 3) % 5) {
	case 0:
		r = settings(m, &in);
		break;
	case 1:
		r = changed(m, &in);
		break;
	case 2:
		r = dict(m, &in, 0);
		break;
	default:
		r = value(m, &in, 0);
		break;
	}
	if (r < 0 || sd_bus_message_seal(m, 1, 0) < 0 || sd_bus_message_rewind(m, 1) < 0) {
		sd_bus_message_unref(m);
		return 0;
	}
	switch (kind % 5) {
	case 0:
		if (nmwatch_read_settings(m, &nm) == 0 &&
		    (strlen(nm.zone) >= sizeof(nm.zone) || strlen(nm.id) >= sizeof(nm.id)))
			abort();
		break;
	case 1:
		nmwatch_read_changed(m, names);
		break;
	case 2:
		nmwatch_read_active(m, buf, sizeof(buf), count, &n);
		break;
	case 3:
		nmwatch_read_paths(m, count, &n);
		break;
	default:
		if (nmwatch_read_string(m, buf, 16) == 0 && strlen(buf) >= 16)
			abort();
		break;
	}
	for (size_t i = 0; kind % 5 == 0 && i < strlen(nm.id); i++)
		if (nm.id[i] < 0x20 || nm.id[i] > 0x7e)
			abort();
	sd_bus_message_unref(m);
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

#endif
