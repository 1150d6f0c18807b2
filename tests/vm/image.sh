#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds (or reuses) a Debian root file system for `make vmcheck`, from
# Debian's packages only.  The result is cached under build/vm/cache, keyed
# on the release, the package list and the mirror, so a second run reuses it.
# Prints the cache directory: root.tar, vmlinuz, initrd.img.  A foreign
# ARCH (s390x) is built through qemu-user's binfmt handler, which is
# registered here when it is not yet.
#   tests/vm/image.sh RELEASE [ARCH]
set -euo pipefail

release=$1
arch=${2:-$(dpkg --print-architecture)}
mirror=${PW_VM_MIRROR:-http://deb.debian.org/debian}
cache=${PW_VM_CACHE:-build/vm/cache}

# What the guest runs: systemd as PID 1, the distribution kernel, Debian's
# nftables (its stock nftables.conf starts with `flush ruleset`), the
# daemon's runtime libraries (the package is installed in the guest, which
# has no network) and real clients and servers for the scenarios:
# NetworkManager with wpa_supplicant as a Wi-Fi client, hostapd as the
# access point (the kernel's mac80211_hwsim gives the radios); nss-systemd,
# which a full install has by systemd's recommendation, so that the system
# bus can look the daemon's dynamic user up.
packages="systemd-sysv udev linux-image-$arch initramfs-tools nftables iproute2 socat
procps logrotate libnftnl11 libmnl0 libnetfilter-queue1 zlib1g libsystemd0
libnss-systemd network-manager wpasupplicant hostapd iw"

key=$(printf '%s\n' "$release" "$mirror" $packages | sha256sum | cut -c1-16)
dir=$cache/$release-$key
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	dir=$cache/$release-$arch-$key
fi
if [ -s "$dir/root.tar" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ]; then
	echo "$dir"
	exit 0
fi

if [ "$arch" != "$(dpkg --print-architecture)" ] && [ ! -e "/proc/sys/fs/binfmt_misc/qemu-$arch" ]; then
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	cat "/usr/lib/binfmt.d/qemu-$arch.conf" >/proc/sys/fs/binfmt_misc/register
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
mmdebstrap --quiet --variant=apt --architectures="$arch" --include="$(echo $packages | tr ' ' ,)" \
	"$release" "$dir.tmp/root.tar" "$mirror" >&2
# kernel and initrd come out of the archive itself
tar -C "$dir.tmp" -xf "$dir.tmp/root.tar" --wildcards './boot/vmlinuz-*' './boot/initrd.img-*'
cp "$dir.tmp"/boot/vmlinuz-* "$dir.tmp/vmlinuz"
cp "$dir.tmp"/boot/initrd.img-* "$dir.tmp/initrd.img"
rm -rf "$dir.tmp/boot"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
