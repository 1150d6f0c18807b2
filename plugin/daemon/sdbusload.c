// SPDX-License-Identifier: GPL-2.0-or-later
/* libsystemd's sd-bus functions, looked up at run time (dlopen) */
#include "sdbusload.h"

#ifdef PW_HAVE_SDBUS

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

struct sdbusload_fn sdbusload_fn;

int sdbusload_open(const char *lib, const char **why)
{
	struct sdbusload_fn fn;
	void *h;

	if (sdbusload_fn.sd_bus_open_system)
		return 0;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		*why = dlerror();
		return -ENOTSUP;
	}
	/* every one or none: a partial table would be called */
#define SDBUSLOAD_LOOKUP(f)							\
	fn.f = (__typeof__(fn.f))dlsym(h, #f);					\
	if (!fn.f) {								\
		*why = "sd-bus function " #f " missing";			\
		goto out_handle;						\
	}
	SDBUSLOAD_FUNCTIONS(SDBUSLOAD_LOOKUP)
#undef SDBUSLOAD_LOOKUP
	/* kept open for the program's life: the table points into it */
	sdbusload_fn = fn;
	return 0;

out_handle:
	dlclose(h);
	return -ENOTSUP;
}

#endif
