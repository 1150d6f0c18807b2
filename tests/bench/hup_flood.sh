#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How soon SIGHUP takes effect while a flood of datagrams hits a guarded
# UDP port decided per datagram (47808, inside the ephemeral range): the
# time from kill -HUP to the write of "reloaded" in the daemon's output,
# over ROUNDS signals.  Figures only: make check holds no timed assertion
# (tests/integration/test_udp_flood.sh checks that SIGHUP is served).  Run: BUILD=build tests/bench/hup_flood.sh
# PERF=FILE records the daemon with perf meanwhile.  CHANGE=1 edits a
# rules file before each signal, so every reload reads the database again.
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
. tests/integration/lib.sh
require_root
ROUNDS=${ROUNDS:-10}
make_hosts
serve "$NS_HOST" udp 47808
wait_listening "$NS_HOST" udp 47808
in_host sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
PW_LOCAL_RULES="$TMP/local.rules"
echo "# bench" >"$PW_LOCAL_RULES"
start_pw
in_inet python3 - "$HOST4" 47808 $((ROUNDS + 10)) >/dev/null <<'PY' &
import socket, sys, time
end = time.time() + float(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(32)]
for s in socks:
    s.connect((sys.argv[1], int(sys.argv[2])))
while time.time() < end:
    for s in socks:
        for _ in range(32):
            try:
                s.send(b"flood")
            except OSError:
                pass
PY
defer "kill $!"
if [ -n "${PERF:-}" ]; then
	perf record -q -g -p "$PW_PID" -o "$PERF" &
	PERF_PID=$!
	defer "kill -INT $PERF_PID"
fi
sleep 2
reloaded() { [ "$(grep -c "reloaded" "$TMP/pw.out")" -gt "$1" ]; }
ms=()
for r in $(seq "$ROUNDS"); do
	n=$(grep -c "reloaded" "$TMP/pw.out")
	[ "${CHANGE:-0}" = 1 ] && echo "$((20000 + r))/tcp bench$r loopback-only" >>"$PW_LOCAL_RULES"
	t0=$(date +%s%N)
	kill -HUP "$PW_PID"
	# polled at leisure: the time is the output file's modification, made
	# by the "reloaded" line itself, so the polling costs the daemon no CPU
	# and adds nothing to the figure
	for i in $(seq 200); do reloaded "$n" && break; sleep 0.05; done
	t1=$(stat -c %.9Y "$TMP/pw.out" | tr -d .)
	ms+=($(( (t1 - t0) / 1000000 )))
	sleep 0.3
done
[ -n "${PERF:-}" ] && kill -INT "$PERF_PID" && wait "$PERF_PID"
grep "reloaded" "$TMP/pw.out" | tail -3
echo "SIGHUP to reloaded under the flood, ms: ${ms[*]}"
stats() { sort -n | awk '{a[NR]=$1} END {print "median", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2, "max", a[NR]}'; }
printf '%s\n' "${ms[@]}" | stats
# the daemon's own figure: from the signal handler to the new table, without
# the polling above
echo "as the daemon measured it, ms: $(sed -n 's/.* \([0-9]*\) us after the signal.*/\1/p' "$TMP/pw.out" |
	awk '{printf "%d ", $1 / 1000}')"
sed -n 's/.* \([0-9]*\) us after the signal.*/\1/p' "$TMP/pw.out" | awk '{print $1 / 1000}' | stats
