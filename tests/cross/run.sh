#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make crosscheck`, second half: runs the cross-built unit tests and every
# fuzz corpus under qemu-ARCH-static, with the cross compiler's C library and
# the sysroot's libraries.  Prints the unit summary, one line per corpus and
# a total "N passed, N failed".
#   tests/cross/run.sh ARCH BUILD_DIR LIBRARY_PATH
set -uo pipefail

arch=$1
build=$2
export QEMU_LD_PREFIX=/usr/$arch-linux-gnu
export LD_LIBRARY_PATH=$3
qemu=qemu-$arch-static

# the byte order the binaries were built for, as the emulated CPU reports it
order=$($qemu "$build/corpus/fuzz_packet" /dev/null >/dev/null 2>&1 && \
	od -An -tx1 -j5 -N1 "$build/portwarden" | tr -d ' ')
case $order in
	02) echo "crosscheck: $arch, big-endian ELF ($(file -b "$build/portwarden" | cut -d, -f1-2))" ;;
	01) echo "crosscheck: $arch, little-endian ELF" ;;
	*) echo "crosscheck: $build/corpus/fuzz_packet does not run under $qemu"; exit 1 ;;
esac

passed=0 failed=0
units=() fuzzers=()
for f in "$build"/tests/test_*; do [ "${f%.d}" = "$f" ] && units+=("$f"); done
for f in "$build"/corpus/fuzz_*; do [ "${f%.d}" = "$f" ] && fuzzers+=("$f"); done
PW_TEST_RUNNER=$qemu tests/unit/run.sh "${units[@]}" | tee "$build/unit.log"
read -r p f < <(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$build/unit.log")
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-1}))

for bin in "${fuzzers[@]}"; do
	name=$(basename "$bin")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	if out=$($qemu "$bin" "$corpus" 2>&1); then
		echo "corpus: $name: $out"
		passed=$((passed + 1))
	else
		printf '%s\n' "$out" | tail -20
		echo "corpus: $name FAILED on $corpus"
		failed=$((failed + 1))
	fi
done
echo "crosscheck: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
