// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "privdrop.h"

/* The process's capabilities as the kernel would report them, and what
 * privdrop asked for.  capset fails the way a seccomp filter
 * (SystemCallFilter=~@privileged) makes it fail. */
static uint64_t permitted, inheritable, bounding;
static int capset_calls, nnp;

long __wrap_syscall(long number, ...);
long __wrap_syscall(long number, ...)
{
	struct __user_cap_data_struct *data;
	va_list ap;

	va_start(ap, number);
	(void)va_arg(ap, void *);
	data = va_arg(ap, struct __user_cap_data_struct *);
	va_end(ap);
	if (number == SYS_capget) {
		data[0].permitted = data[0].effective = (uint32_t)permitted;
		data[1].permitted = data[1].effective = (uint32_t)(permitted >> 32);
		data[0].inheritable = (uint32_t)inheritable;
		data[1].inheritable = (uint32_t)(inheritable >> 32);
		return 0;
	}
	capset_calls++;
	errno = EPERM;
	return -1;
}

int __wrap_prctl(int option, ...);
int __wrap_prctl(int option, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, option);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	switch (option) {
	case PR_CAPBSET_READ:
		if (arg > 40) {
			errno = EINVAL;
			return -1;
		}
		return !!(bounding & (1ULL << arg));
	case PR_CAPBSET_DROP:
		errno = EPERM;	/* no CAP_SETPCAP */
		return -1;
	case PR_SET_NO_NEW_PRIVS:
		nnp = 1;
		return 0;
	}
	return 0;
}

#define UNIT_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_SYS_PTRACE))

static void privdrop__unit_credentials__nothing_to_drop(void **state)
{
	/* systemd: AmbientCapabilities= puts them in inheritable too */
	permitted = inheritable = bounding = UNIT_CAPS;
	capset_calls = nnp = 0;
	assert_int_equal(privdrop_apply(), 0);
	assert_int_equal(capset_calls, 0);
	assert_true(nnp);
}

static void privdrop__root__drops_with_capset(void **state)
{
	permitted = bounding = (1ULL << 41) - 1;
	inheritable = 0;
	capset_calls = nnp = 0;
	/* the filtered capset's error comes back: something was left to drop */
	assert_int_equal(privdrop_apply(), -EPERM);
	assert_int_equal(capset_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(privdrop__unit_credentials__nothing_to_drop),
		cmocka_unit_test(privdrop__root__drops_with_capset),
	};

	return cmocka_run_group_tests_name("privdrop", tests, NULL, NULL);
}
