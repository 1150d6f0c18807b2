#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A sysroot of Debian's own ARCH builds of the libraries portwarden links
# (and cmocka for the unit tests), for `make crosscheck`.  The .deb files are
# downloaded with apt (the architecture is added to dpkg first) and unpacked
# under DIR, not installed: Debian's security archive carries no s390x any
# more, so Multi-Arch: same packages such as linux-libc-dev:s390x cannot
# match a host whose amd64 copies came from it, and apt refuses to install
# them side by side.  The cross compiler brings its own C library.
#   tests/cross/sysroot.sh ARCH DIR     (prints DIR once it is complete)
set -euo pipefail

arch=$1
dir=$2
packages="libnftnl-dev libnftnl11 libmnl-dev libmnl0 libnetfilter-queue-dev libnetfilter-queue1
libnfnetlink-dev libnfnetlink0 libcmocka-dev libcmocka0 zlib1g-dev zlib1g"

if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "crosscheck: run as root once (dpkg --add-architecture $arch; apt-get update)" >&2
		exit 1
	fi
	dpkg --add-architecture "$arch"
	apt-get update -qq
fi

# keyed on the exact versions, so a point release rebuilds the sysroot
versions=$(for p in $packages; do
	apt-cache policy "$p:$arch" | awk -v p="$p" '/Candidate:/ { print p "=" $2 }'
done)
if grep -q '=(none)$' <<<"$versions" || [ -z "$versions" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq
		versions=$(for p in $packages; do
			apt-cache policy "$p:$arch" | awk -v p="$p" '/Candidate:/ { print p "=" $2 }'
		done)
	fi
	if grep -q '=(none)$' <<<"$versions"; then
		echo "crosscheck: apt knows no $arch build of: $(grep '=(none)$' <<<"$versions" | cut -d= -f1 | tr '\n' ' ')" >&2
		exit 1
	fi
fi
if [ -s "$dir/.versions" ] && [ "$(cat "$dir/.versions")" = "$versions" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/debs"
# apt's download sandbox user must be able to write there
chmod 0777 "$dir/debs"
(cd "$dir/debs" && apt-get download -qq $(sed "s/=/:$arch=/" <<<"$versions")) >&2
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
rm -rf "$dir/debs"
# absolute links (libz.so -> /lib/...) point into the sysroot instead
find "$dir" -type l -lname '/*' | while read -r link; do
	ln -sfr "$dir$(readlink "$link")" "$link"
done
echo "$versions" >"$dir/.versions"
echo "$dir"
