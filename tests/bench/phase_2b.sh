#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "2b" of `make bench`, sourced by tests/bench/run.sh: connect time
# (SYN out, SYN-ACK back) to guarded ports that each see their first SYN,
# in monitor mode, against ports no entry covers (never queued) in the same
# run.  The verdict goes out before the log line and the listener look-up,
# however many processes there are: 120 more run meanwhile.
# Alone: BENCH_ONLY=2b make bench

# connect_us PORT...: one connect time per port, in microseconds
connect_us() {
	in_inet python3 -c '
import socket, sys, time
for p in sys.argv[2:]:
    s = socket.socket()
    t0 = time.perf_counter_ns(); s.connect((sys.argv[1], int(p))); t1 = time.perf_counter_ns()
    s.close()
    print((t1 - t0) / 1000)' "$HOST4" "$@"
}

first_syn_bench() {
	local i
	local first="1080 3128 8080 9050 3306 6379 11211 27017 9200 5984 9222 9229 8888 2375 631 5900 3389 5601 8086 9042"
	local open="40101 40102 40103 40104 40105 40106 40107 40108 40109 40110"

	for i in $(seq 120); do
		sleep 600 &
		defer "kill $!"
	done
	ip netns exec "$NS_HOST" python3 -c '
import socket, sys, time
socks = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p))); s.listen(64); socks.append(s)
print("ready", flush=True)
time.sleep(600)' $first $open >"$TMP/listeners.out" &
	defer "kill $!"
	wait_until "bench listeners" grep -q ready "$TMP/listeners.out"
	put first_syn_procs "$(ls /proc | grep -c '^[0-9]')"
	start_pw "mode = monitor"
	connect_us $open >/dev/null	# warm the client: python, ARP, routes
	connect_us $first | put_stats first_syn_monitor_us
	connect_us $open | put_stats first_syn_open_us
	stop_pw
	need first_syn_monitor_us first_syn_open_us
}

report_first_syn() {
	printf '%-44s %14s  %-34s %8s  %s\n' "first SYN to a new port, monitor, us" "${R[first_syn_monitor_us]}" \
		"${R[first_syn_open_us]} (port never queued)" "" "< 500"
	printf '%-44s %14s\n' "  (SYN to SYN-ACK, median of 20 ports; [${R[first_syn_monitor_us_q1]}-${R[first_syn_monitor_us_q3]}]; ${R[first_syn_procs]} processes)" ""
}

bench_phase 2b first_syn_bench report_first_syn
