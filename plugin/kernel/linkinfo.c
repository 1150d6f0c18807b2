// SPDX-License-Identifier: GPL-2.0-or-later
/* Wi-Fi and mobile broadband interfaces from sysfs: uevent's DEVTYPE (set
 * by cfg80211 and the WWAN drivers), and the wireless or phy80211 entries
 * drivers of the older wireless extensions have instead. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linkinfo.h"

#define UEVENT_MAX 4096

static int value_is(const char *v, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(v, want, n);
}

void linkinfo_parse_uevent(const char *text, size_t len, struct linkinfo_uevent *out)
{
	const char *p = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq;
		const char *line_end = nl ? nl : end;

		eq = memchr(p, '=', (size_t)(line_end - p));
		if (eq) {
			const char *v = eq + 1;
			size_t klen = (size_t)(eq - p), vlen = (size_t)(line_end - v);

			if (value_is(p, klen, "DEVTYPE")) {
				out->wlan = value_is(v, vlen, "wlan");
				out->wwan = value_is(v, vlen, "wwan");
			} else if (value_is(p, klen, "IFINDEX") && vlen && vlen <= 10) {
				unsigned long long n = 0;
				size_t i;

				for (i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
					n = n * 10 + (unsigned)(v[i] - '0');
				out->ifindex = i == vlen && n <= UINT32_MAX ? (uint32_t)n : 0;
			}
		}
		p = line_end + 1;
	}
}

static int exists(const char *dir, const char *entry)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, entry);
	return lstat(path, &st) == 0;
}

void linkinfo_read(struct lan_link *l)
{
	char dir[64], path[96], buf[UEVENT_MAX];
	struct linkinfo_uevent u;
	ssize_t n;
	int fd;

	if (l->facts_read || !l->name[0] || l->port)
		return;
	l->facts_read = 1;
	l->wireless = l->wwan = 0;
	/* software interfaces (veth, bridge, vxlan, ...) are never Wi-Fi:
	 * a container host's thousands are not worth a read each */
	if (l->kind[0] && strcmp(l->kind, "wwan"))
		return;
	/* a name is at most 15 bytes without '/', so the path stays below */
	snprintf(dir, sizeof(dir), "/sys/class/net/%s", l->name);
	snprintf(path, sizeof(path), "%s/uevent", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return;
	linkinfo_parse_uevent(buf, (size_t)n, &u);
	if (u.ifindex != l->ifindex)
		return;	/* renamed since; its next event reads it again */
	l->wireless = u.wlan || exists(dir, "wireless") || exists(dir, "phy80211");
	l->wwan = u.wwan;
}
