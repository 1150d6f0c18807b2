#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make static`: the stripped sizes of the glibc build (dynamic: the shared
# libraries it loads are counted beside it) and of the static musl build.
#   packaging/static-size.sh GLIBC_BINARY MUSL_STATIC_BINARY
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
strip -o "$tmp/glibc" "$1"
strip -o "$tmp/musl" "$2"
glibc=$(stat -c %s "$tmp/glibc")
musl=$(stat -c %s "$tmp/musl")
libs=0
for lib in $(ldd "$1" | awk '$3 ~ /^\// { print $3 }'); do
	strip -o "$tmp/lib" "$lib"
	libs=$((libs + $(stat -c %s "$tmp/lib")))
done
echo "static: glibc build $glibc bytes stripped, dynamic (+ $libs bytes of the shared libraries it loads, libc included)"
echo "static: musl build  $musl bytes stripped, static (libmnl, libnfnetlink, libnftnl, libnetfilter_queue, zlib and the parts of musl it uses)"
