#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package for another architecture, made from the native one:
# the same files, scripts and dependencies (the shared libraries have the
# same package names on every architecture), with the cross-built program.
#   tests/vm/crossdeb.sh NATIVE_DEB PROGRAM ARCH OUT_DEB
set -eu
native=$1 program=$2 arch=$3 out=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dpkg-deb -R "$native" "$tmp/root"
"$arch-linux-gnu-strip" --remove-section=.comment --remove-section=.note -o "$tmp/root/usr/sbin/portwarden" "$program"
chmod 0755 "$tmp/root/usr/sbin/portwarden"
sed -i "s/^Architecture: .*/Architecture: $arch/; s/^Installed-Size: .*/Installed-Size: $(du -sk --exclude=DEBIAN "$tmp/root" | cut -f1)/" \
	"$tmp/root/DEBIAN/control"
(cd "$tmp/root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
	xargs md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -Zxz -b "$tmp/root" "$out" >/dev/null
echo "$out"
