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
# test_procfd forks children and expects them to be found, or not, by the
# pids given out since a look.  qemu-user starts a thread in every process
# it runs, whose id comes after the process's pid: a child forked before a
# look still shows up as new through that thread, so one test's premise
# does not hold under the emulator (and /proc names every process
# qemu-s390x-static).  It runs natively in `make check`; here it is named
# as not run, never counted.
not_here=" test_procfd "
for f in "$build"/tests/test_*; do
	[ "${f%.d}" = "$f" ] || continue
	if [[ $not_here == *" $(basename "$f") "* ]]; then
		echo "crosscheck: $(basename "$f") not run under $qemu (see tests/cross/run.sh)"
		continue
	fi
	units+=("$f")
done
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
# The program itself on the emulated CPU: what it answers from the shipped
# database, a log review and a config must be what the native build answers.
native=${PW_NATIVE:-build/portwarden}
log=$build/review.log
awk 'BEGIN {
	for (i = 0; i < 200; i++)
		printf "{\"ts\":\"2026-11-27T10:%02d:%02d.000Z\",\"action\":\"blocked\",\"proto\":\"%s\"," \
			"\"src\":\"%s\",\"sport\":%d,\"dst\":\"203.0.113.1\",\"dport\":%d,\"iif\":\"eth0\"," \
			"\"service\":\"svc\",\"policy\":\"lan-only\",\"path\":\"kernel\",\"count\":%d}\n",
			i / 60, i % 60, i % 3 ? "tcp" : "udp", i % 2 ? "198.51.100." i % 7 : "2001:db8::" i % 5,
			40000 + i, i % 4 ? 3306 : 5353, 1 + i % 3
}' >"$log"
same() {	# same DESCRIPTION ARGS...: both builds print the same and exit alike
	local desc=$1 a b ra rb

	shift
	a=$("$native" --config /dev/null --db rules/ports.db "$@" 2>&1); ra=$?
	b=$($qemu "$build/portwarden" --config /dev/null --db rules/ports.db "$@" 2>&1); rb=$?
	if [ "$a" = "$b" ] && [ "$ra" = "$rb" ]; then
		echo "program: $desc: same as the native build"
		passed=$((passed + 1))
	else
		diff <(echo "$a"; echo "exit $ra") <(echo "$b"; echo "exit $rb") | head -20
		echo "program: $desc FAILED: differs from the native build"
		failed=$((failed + 1))
	fi
}
if [ -x "$native" ]; then
	same "check of the shipped database" check
	same "lookup 143" lookup 143
	same "lookup 5353/udp" lookup 5353/udp
	same "lookup imap" lookup imap
	same "log --summary" --log "$log" log --summary
	same "log --port 3306 --json" --log "$log" log --port 3306 --json
	same "log --source 2001:db8::/64" --log "$log" log --all --source 2001:db8::/64
else
	echo "program: no native build at $native to compare with"
	failed=$((failed + 1))
fi
echo "crosscheck: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
