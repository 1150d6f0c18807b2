// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "linkinfo.h"

static struct linkinfo_uevent parse(const char *text)
{
	struct linkinfo_uevent u;

	linkinfo_parse_uevent(text, strlen(text), &u);
	return u;
}

static void linkinfo_parse_uevent__devtypes__wlan_and_wwan(void **state)
{
	struct linkinfo_uevent u;

	u = parse("DEVTYPE=wlan\nINTERFACE=wlan0\nIFINDEX=3\n");
	assert_true(u.wlan);
	assert_false(u.wwan);
	assert_int_equal(u.ifindex, 3);
	u = parse("INTERFACE=wwan0\nIFINDEX=12\nDEVTYPE=wwan");	/* no newline at the end */
	assert_true(u.wwan);
	assert_false(u.wlan);
	assert_int_equal(u.ifindex, 12);
	u = parse("DEVTYPE=bridge\nINTERFACE=br0\nIFINDEX=4294967295\n");
	assert_false(u.wlan || u.wwan);
	assert_int_equal(u.ifindex, 4294967295u);
	u = parse("INTERFACE=eth0\nIFINDEX=2\n");
	assert_false(u.wlan || u.wwan);
}

static void linkinfo_parse_uevent__odd_text__nothing_believed(void **state)
{
	static const char *const texts[] = {
		"", "\n\n", "DEVTYPE\n", "DEVTYPE=wlanx\n", "DEVTYPE=wla\n", "devtype=wlan\n",
		"IFINDEX=4294967296\n", "IFINDEX=-1\n", "IFINDEX=12a\n", "IFINDEX=\n",
		"IFINDEX=99999999999999999999\n", "XDEVTYPE=wlan\n",
	};
	unsigned i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct linkinfo_uevent u = parse(texts[i]);

		if (u.wlan || u.wwan || u.ifindex)
			fail_msg("\"%s\" read as something", texts[i]);
	}
	/* a NUL is a byte of the line like any other: "5\0DEVTYPE=wlan" is
	 * no number, and the DEVTYPE inside it no line of its own */
	{
		static const char text[] = "IFINDEX=5\0DEVTYPE=wlan\n";
		struct linkinfo_uevent u;

		linkinfo_parse_uevent(text, sizeof(text) - 1, &u);
		assert_int_equal(u.ifindex, 0);
		assert_false(u.wlan);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linkinfo_parse_uevent__devtypes__wlan_and_wwan),
		cmocka_unit_test(linkinfo_parse_uevent__odd_text__nothing_believed),
	};

	return cmocka_run_group_tests_name("linkinfo", tests, NULL, NULL);
}
