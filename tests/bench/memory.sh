#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a small router needs: the daemon's resident memory with the full
# database (VmRSS once ready, VmHWM its peak), and the peak of a review of
# a 1,000-line log (`portwarden log` and `log --summary`), for the program
# given (the glibc build by default; `make static`'s musl build too).
# Runs the daemon in a network namespace of its own.  Never part of
# `make check`: it reports figures against the 8 MB budget, asserts nothing.
#   tests/bench/memory.sh [PROGRAM]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x /usr/bin/time ] || { echo "memory: needs GNU time (apt-get install time)" >&2; exit 1; }
pw=$(realpath "${1:-build/portwarden}")
db=$PWD/rules/ports.db
ns=pwmem$$
tmp=$(mktemp -d)
trap 'ip netns pids "$ns" 2>/dev/null | xargs -r kill -9; ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"' EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" "$pw" --config /dev/null --db "$db" --log "$tmp/blocked.log" run >"$tmp/pw.out" 2>&1 &
pid=$!
for _ in $(seq 200); do
	grep -q installed "$tmp/pw.out" 2>/dev/null && break
	sleep 0.05
done
grep -q installed "$tmp/pw.out" || { cat "$tmp/pw.out"; exit 1; }
sleep 1		# the listener watch's first rounds
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
file=$(awk '/^RssFile/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || true

# a 1,000-line log in the daemon's format, sources and ports varied
awk 'BEGIN {
	for (i = 0; i < 1000; i++)
		printf "{\"ts\":\"2026-11-27T%02d:%02d:%02d.%03dZ\",\"action\":\"blocked\",\"proto\":\"tcp\"," \
			"\"src\":\"198.51.100.%d\",\"sport\":%d,\"dst\":\"203.0.113.1\",\"dport\":%d," \
			"\"iif\":\"eth0\",\"service\":\"svc\",\"policy\":\"loopback-only\",\"path\":\"%s\"," \
			"\"count\":1,\"listener\":\"\"}\n", int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 1000,
			i % 250 + 1, 1024 + i * 37 % 60000, (i % 2 ? 143 : 3306), (i % 2 ? "kernel" : "queue")
}' >"$tmp/review.log"
peak() {	# peak CMD...: the command's peak resident set in kB (GNU time)
	/usr/bin/time -f %M -o "$tmp/peak" "$@" >/dev/null && cat "$tmp/peak"
}
view=$(peak "$pw" --config /dev/null --db "$db" --log "$tmp/review.log" log --all)
summary=$(peak "$pw" --config /dev/null --db "$db" --log "$tmp/review.log" log --summary)

echo "memory: $(file -b "$pw" | cut -d, -f1,2,5 | sed 's/ *$//')"
echo "memory: daemon, full database: VmRSS $rss kB ($anon kB its own, $file kB mapped files: program and libraries), peak (VmHWM) $hwm kB"
echo "memory: portwarden log over 1,000 lines: peak $view kB; log --summary: peak $summary kB"
echo "memory: daemon and review together: $((hwm + (view > summary ? view : summary))) kB (budget 8192 kB)"
