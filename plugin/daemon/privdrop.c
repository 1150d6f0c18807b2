// SPDX-License-Identifier: GPL-2.0-or-later
/* Least privilege once the table is installed. */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"

#define KEEP ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_SYS_PTRACE))

static uint64_t caps64(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

static void drop_bounding_set(void)
{
	unsigned cap;

	for (cap = 0; cap < 64; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (in < 0)
			break;	/* past the kernel's last capability */
		/* dropping needs CAP_SETPCAP, which a service manager has
		 * usually taken along with the rest: then it is done already */
		if (in == 1 && !(KEEP & (1ULL << cap)))
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	}
}

int privdrop_apply(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	drop_bounding_set();
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	/* Already no more than what is kept (systemd's CapabilityBoundingSet
	 * and AmbientCapabilities): nothing to change, and capset() may well
	 * be filtered (SystemCallFilter=~@privileged) */
	if (!(caps64(data[0].permitted, data[1].permitted) & ~KEEP) &&
	    !(caps64(data[0].inheritable, data[1].inheritable) & ~KEEP))
		goto nnp;
	data[0].effective &= (uint32_t)KEEP;
	data[0].permitted &= (uint32_t)KEEP;
	data[0].inheritable = 0;
	data[1].effective &= (uint32_t)(KEEP >> 32);
	data[1].permitted &= (uint32_t)(KEEP >> 32);
	data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
nnp:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
