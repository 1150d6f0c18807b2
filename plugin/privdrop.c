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

int privdrop_apply(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	unsigned cap;

	/* the bounding set first: dropping from it needs CAP_SETPCAP, which a
	 * service manager may already have taken (then EPERM, and nothing to do) */
	for (cap = 0; cap < 64; cap++) {
		if (KEEP & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
			break;	/* past the kernel's last capability */
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	if (!(data[0].permitted & ~(uint32_t)KEEP) && !(data[1].permitted & ~(uint32_t)(KEEP >> 32)) &&
	    !data[0].inheritable && !data[1].inheritable)
		goto nnp;	/* already minimal, e.g. under systemd's CapabilityBoundingSet */
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
