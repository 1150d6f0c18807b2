#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Include directories for compiling against musl without the libraries
# built (`make muslcheck`): musl-gcc searches none of glibc's directories,
# so the Linux UAPI headers and the headers of the libraries portwarden uses
# (which are the same for every C library) are linked under DIR.
#   tests/musl/headers.sh DIR
set -eu
dir=$1
multiarch=$(gcc -print-multiarch)
mkdir -p "$dir"
for h in linux asm-generic libmnl libnftnl libnetfilter_queue libnfnetlink zlib.h zconf.h \
	cmocka.h cmocka_pbc.h; do
	[ -e "/usr/include/$h" ] || { echo "muslcheck: /usr/include/$h missing (make deps)" >&2; exit 1; }
	ln -sfn "/usr/include/$h" "$dir/$h"
done
ln -sfn "/usr/include/$multiarch/asm" "$dir/asm"
