#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make dist`: the release tarball OUT/portwarden-VERSION.tar.gz, the same
# bytes from the same files (sorted names, owner root, one fixed time, gzip
# without a name or time), and the OpenWrt feed directory
# OUT/openwrt/portwarden, whose PKG_HASH is the tarball's SHA-256.
#   packaging/dist.sh VERSION OUT FILE_OR_DIR...
# The files are those git tracks under the given paths (a tree without git,
# such as an unpacked tarball, takes every file there); the time is
# SOURCE_DATE_EPOCH, else the last commit's, else 0.
set -eu

version=$1
out=$2
shift 2
name=portwarden-$version
list=$out/$name.files

rm -rf "$out"
mkdir -p "$out/openwrt"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -- "$@" | while read -r f; do [ -f "$f" ] && echo "$f"; done | LC_ALL=C sort >"$list"
	time=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
else
	find "$@" -type f | LC_ALL=C sort >"$list"
	time=${SOURCE_DATE_EPOCH:-0}
fi
[ -s "$list" ] || { echo "dist: no files" >&2; exit 1; }

tar --create --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$time" --mode='u+rw,go+rX,go-w' --no-recursion \
	--transform="s,^,$name/," --files-from="$list" | gzip -9 -n >"$out/$name.tar.gz"
rm -f "$list"

hash=$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)
cp -r packaging/openwrt "$out/openwrt/portwarden"
sed -i "s/^PKG_HASH:=.*/PKG_HASH:=$hash/" "$out/openwrt/portwarden/Makefile"
grep -q "^PKG_VERSION:=$version$" "$out/openwrt/portwarden/Makefile" ||
	{ echo "dist: packaging/openwrt/Makefile is not at version $version" >&2; exit 1; }
echo "$out/$name.tar.gz $hash"
