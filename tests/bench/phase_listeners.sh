# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "listeners" of `make bench` (sourced by run.sh; a scale phase:
# BENCH_ONLY=listeners or scale): 10,000 more processes on the machine, and
# the daemon's CPU and first-SYN connect times (monitor mode) without and
# then with 100 new listening sockets a second (one process opening them,
# and a new process with a listener every half second).  The listener
# watcher names a new socket's process without walking every process.

LISTEN_PROCS=${BENCH_LISTEN_PROCS:-10000}
LISTEN_SECS=${BENCH_LISTEN_SECS:-20}
LISTEN_RATE=${BENCH_LISTEN_RATE:-100}

# listen_procs N: N sleeping processes; their parent ends them on SIGTERM
listen_procs() {
	python3 - "$1" >"$TMP/procs.out" <<'PY' &
import os, signal, sys
kids = []
def end(sig, frame):
    for k in kids:
        os.kill(k, signal.SIGKILL)
    for k in kids:
        os.waitpid(k, 0)
    os._exit(0)
signal.signal(signal.SIGTERM, end)
for i in range(int(sys.argv[1])):
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pause()
        os._exit(0)
    kids.append(pid)
print("ready", flush=True)
while True:
    signal.pause()
PY
	defer "kill $!; wait $!"
	local i
	for i in $(seq 1200); do grep -q ready "$TMP/procs.out" && return 0; nap 0.1; done
	fail "the $1 processes did not start within 120 s"
}

# listen_churn SECONDS: RATE new listening sockets a second in one process
# (each kept 2 s), and a new process with a listener every half second
listen_churn() {
	ip netns exec "$NS_HOST" python3 - "$1" "$LISTEN_RATE" <<'PY' &
import socket, subprocess, sys, time
end = time.time() + float(sys.argv[1]); rate = int(sys.argv[2])
live, kids, i = [], [], 0
while time.time() < end:
    t0 = time.time()
    for _ in range(rate // 10):
        s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen(1); live.append((t0, s))
    while live and live[0][0] < t0 - 2:
        live.pop(0)[1].close()
    i += 1
    if i % 5 == 0:
        kids.append(subprocess.Popen(["python3", "-c",
            "import socket, time; s = socket.socket(); s.bind(('0.0.0.0', 0)); s.listen(1); time.sleep(3)"]))
    kids = [k for k in kids if k.poll() is None]
    time.sleep(max(0, 0.1 - (time.time() - t0)))
for k in kids:
    k.kill()
PY
	LISTEN_CHURN=$!
}

listen_round() {	# listen_round NAME CHURN: CPU and connect times over LISTEN_SECS
	local c0 c1 t0 t1
	start_pw "mode = monitor"
	sleep 2
	c0=$(cpu_ticks "$PW_PID") t0=$(now_ns)
	[ "$2" = 1 ] && listen_churn "$LISTEN_SECS"
	in_inet python3 tests/bench/connect_lat.py "$HOST4" "$LISTEN_SECS" 20 \
		"$(echo $KUBE_GUARDED | tr ' ' ,)" "$(echo $KUBE_OPEN | tr ' ' ,)" "$INET4" >"$TMP/listen-$1.out"
	[ "$2" = 1 ] && wait "$LISTEN_CHURN"
	c1=$(cpu_ticks "$PW_PID") t1=$(now_ns)
	stop_pw
	put "listen_${1}_cpu_pct" "$(awk -v t=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * t / hz / (ns / 1e9)}')"
	put "listen_${1}_whole_walks" "$(sed -n 's/.* \([0-9]*\) looks for a listener.s process went past.*/\1/p' "$TMP/pw.out")"
	put_decided "listen_${1}"
	lat_stats "listen_${1}" q "$TMP/listen-$1.out"
	lat_stats "listen_${1}_open" o "$TMP/listen-$1.out"
}

phase_listeners() {
	listen_procs "$LISTEN_PROCS"
	put listen_procs "$(ls /proc | grep -c '^[0-9]')"
	kube_listeners
	listen_round static 0
	listen_round churn 1
	need listen_static_p99_us listen_churn_p99_us listen_procs listen_churn_decided_max_us
}

report_listeners() {
	printf '%s\n' "listeners: ${R[listen_procs]} processes, $LISTEN_RATE new listeners a second (load ${R[load_listeners]})"
	printf '%-44s %14s  %-34s %8s  %s\n' "  daemon CPU, % of a core" "${R[listen_churn_cpu_pct]}" \
		"${R[listen_static_cpu_pct]} (no new listeners)" "" "< 3"
	printf '%-44s %14s  %-34s %8s  %s\n' "  SYN decided after arrival, max us" "${R[listen_churn_decided_max_us]}" \
		"${R[listen_static_decided_max_us]} (no new listeners)" "" "unchanged"
	printf '%-44s %14s  %-34s\n' "  ... p99 us (under)" "${R[listen_churn_decided_p99_us]}" "${R[listen_static_decided_p99_us]}"
	printf '%-44s %14s  %-34s\n' "  connect time, max us" "${R[listen_churn_max_us]}" "${R[listen_static_max_us]}"
	printf '%-44s %14s  %-34s\n' "  ... to a port never queued, max us" "${R[listen_churn_open_max_us]}" \
		"${R[listen_static_open_max_us]}"
	printf '%-44s %14s  %-34s\n' "  ... p99 us" "${R[listen_churn_p99_us]}" "${R[listen_static_p99_us]}"
	printf '%-44s %14s  %-34s\n' "  looks that went past the new processes" "${R[listen_churn_whole_walks]:-?}" "${R[listen_static_whole_walks]:-?}"
}

bench_phase listeners phase_listeners report_listeners scale
