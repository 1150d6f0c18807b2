/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LINKINFO_H
#define PORTWARDEN_LINKINFO_H

#include <stddef.h>
#include <stdint.h>

#include "lanhost.h"

/* What rtnetlink does not say of an interface: whether it is Wi-Fi or
 * mobile broadband, as sysfs tells udev and NetworkManager. */

struct linkinfo_uevent {
	uint32_t ifindex;	/* IFINDEX=, 0 when absent */
	int wlan, wwan;		/* DEVTYPE=wlan, DEVTYPE=wwan */
};

/* Pure: the lines of /sys/class/net/NAME/uevent ("KEY=VALUE"). */
void linkinfo_parse_uevent(const char *text, size_t len, struct linkinfo_uevent *out);

/* Reads l's sysfs entries by its name once per name (facts_read); what
 * belongs to another interface by now (a rename) or cannot be read is
 * left unknown until the next change of l.  Software interfaces (a kind
 * other than wwan) are neither and are not read. */
void linkinfo_read(struct lan_link *l);

#endif
