// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the text of a sysfs uevent file, as the daemon reads
 * /sys/class/net/NAME/uevent to tell Wi-Fi and mobile broadband apart. */
#include <stdint.h>
#include <stdlib.h>

#include "linkinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linkinfo_uevent u;

	linkinfo_parse_uevent((const char *)data, size, &u);
	if ((u.wlan != 0 && u.wlan != 1) || (u.wwan != 0 && u.wwan != 1) || (u.wlan && u.wwan))
		abort();
	return 0;
}
