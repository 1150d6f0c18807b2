// SPDX-License-Identifier: GPL-2.0-or-later
/* The sd-bus table loaded at run time: a library that is missing or lacks
 * a function leaves it empty; libsystemd fills it with the very functions
 * this test is linked against. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "sdbusload.h"

#ifdef PW_HAVE_SDBUS

static const struct sdbusload_fn empty;

static void sdbusload_open__missing_library__enotsup_table_empty(void **state)
{
	const char *why = NULL;

	assert_int_equal(sdbusload_open("libportwarden-absent.so.0", &why), -ENOTSUP);
	assert_non_null(why);
	assert_memory_equal(&sdbusload_fn, &empty, sizeof(empty));
}

static void sdbusload_open__library_without_sd_bus__enotsup_table_empty(void **state)
{
	const char *why = NULL;

	/* zlib: there (the program links it), but no sd-bus in it */
	assert_int_equal(sdbusload_open("libz.so.1", &why), -ENOTSUP);
	assert_string_equal(why, "sd-bus function sd_bus_open_system missing");
	assert_memory_equal(&sdbusload_fn, &empty, sizeof(empty));
}

static void sdbusload_open__libsystemd__the_linked_functions(void **state)
{
	const char *why = NULL;

	assert_int_equal(sdbusload_open(SDBUSLOAD_LIB, &why), 0);
#define SDBUSLOAD_SAME(f) assert_ptr_equal(sdbusload_fn.f, f);
	SDBUSLOAD_FUNCTIONS(SDBUSLOAD_SAME)
#undef SDBUSLOAD_SAME
	/* once loaded, loaded: another name changes nothing */
	assert_int_equal(sdbusload_open("libportwarden-absent.so.0", &why), 0);
	assert_ptr_equal(sdbusload_fn.sd_bus_process, sd_bus_process);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sdbusload_open__missing_library__enotsup_table_empty),
		cmocka_unit_test(sdbusload_open__library_without_sd_bus__enotsup_table_empty),
		cmocka_unit_test(sdbusload_open__libsystemd__the_linked_functions),
	};

	return cmocka_run_group_tests_name("sdbusload", tests, NULL, NULL);
}

#else

static void sdbusload__built_without_sd_bus__skipped(void **state)
{
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sdbusload__built_without_sd_bus__skipped),
	};

	return cmocka_run_group_tests_name("sdbusload", tests, NULL, NULL);
}

#endif
