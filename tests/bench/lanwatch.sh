#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interfaces and addresses at node scale, sourced by tests/bench/run.sh:
# the daemon's CPU while 1,000 interfaces appear at once and 1,000 more
# after them, while 20 changes a second come to 2,000 interfaces, and the
# time from `ip link add` of a container bridge to its element in the
# kernel (including the start of `ip`).  Half the interfaces are ports of a
# bridge named like a CNI one, half stand alone; each gets its IPv6
# link-local address.
# Alone: BENCH_ONLY=lanwatch make bench (phase_lanwatch.sh)

# ticks_settled PID: waits until the daemon's CPU time stays the same for a
# second, then prints it
ticks_settled() {
	local now last=-1 same=0
	while [ "$same" -lt 4 ]; do
		now=$(cpu_ticks "$1")
		if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$now
		nap 0.25
	done
	echo "$last"
}

# own_ms: the daemon's own CPU following interfaces so far, as its last
# "LAN changed" line says (the thread's CPU time, without the softirqs
# that ran on it meanwhile); a bridge that comes and goes makes it write
# one that covers everything before
own_ms() {
	local before
	before=$(grep -c "LAN changed" "$TMP/pw.out")
	in_host ip link add "pwmark$1" type bridge
	wait_until "the daemon's line for pwmark$1" \
		test "$(grep -c "LAN changed" "$TMP/pw.out")" -gt "$before"
	in_host ip link del "pwmark$1"
	sed -n 's/.* \([0-9]*\) ms of CPU following them.*/\1/p' "$TMP/pw.out" | tail -1
}

# ifaces_batch FROM TO: ip -batch lines adding veth pairs vaFROM..vaTO and
# their peers vb*: each va a port of the bench bridge (a container's host
# side), each vb standing alone (this kernel has no dummy interfaces)
ifaces_batch() {
	local i
	for ((i = $1; i <= $2; i++)); do
		echo "link add va$i type veth peer name vb$i"
		echo "link set va$i master cni-bench"
		echo "link set va$i up"
		echo "link set vb$i up"
	done
}

# churn SECONDS RATE: RATE changes a second through one ip process: a veth
# pair comes and goes, a global address comes and goes on a standalone one
churn() {
	local i n=$(($1 * $2)) k gap
	gap=$(awk -v r="$2" 'BEGIN {printf "%.4f", 1 / r}')
	for ((i = 0; i < n; i++)); do
		k=$((i / 4 % 1000 + 1))
		case $((i % 4)) in
		0) echo "link add c$i type veth peer name cp$i" ;;
		1) echo "link del c$((i - 1))" ;;
		2) echo "address add 2001:db8:f::$i/64 dev vb$k" ;;
		3) echo "address del 2001:db8:f::$((i - 1))/64 dev vb$k" ;;
		esac
		nap "$gap"
	done
}

# microseconds, without starting a process
us_now() {
	local t=${EPOCHREALTIME/./}
	echo $((10#$t))
}

lanwatch_bench() {
	local t0 t1 c0 c1 o0 o1 o2 o3 i wall=() mon

	start_pw
	in_host sysctl -qw net.ipv6.conf.default.addr_gen_mode=0
	in_host ip link add cni-bench type bridge
	in_host ip link set cni-bench up
	ticks_settled "$PW_PID" >/dev/null

	# a burst: 1,000 interfaces at once, then 1,000 more
	o0=$(own_ms 0)
	c0=$(cpu_ticks "$PW_PID")
	t0=$(us_now)
	ifaces_batch 1 500 | in_host ip -batch - || fail "ip -batch"
	c1=$(ticks_settled "$PW_PID")
	t1=$(us_now)
	o1=$(own_ms 1)
	R[lanwatch_burst1000_own_ms]=$((o1 - o0))
	R[lanwatch_burst1000_cpu_ms]=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')
	R[lanwatch_burst1000_wall_ms]=$(( (t1 - t0) / 1000 - 1000 ))
	c0=$(cpu_ticks "$PW_PID")
	ifaces_batch 501 1000 | in_host ip -batch - || fail "ip -batch"
	c1=$(ticks_settled "$PW_PID")
	o2=$(own_ms 2)
	R[lanwatch_burst2000_own_ms]=$((o2 - o1))
	R[lanwatch_burst2000_cpu_ms]=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')
	R[lanwatch_links]=$(in_host ip -o link show | wc -l)
	R[lanwatch_addrs]=$(in_host ip -o addr show | wc -l)

	# 20 changes a second for LANWATCH_SECS seconds
	local secs=${LANWATCH_SECS:-20} rate=20
	c0=$(cpu_ticks "$PW_PID")
	t0=$(us_now)
	churn "$secs" "$rate" | in_host ip -force -batch - 2>/dev/null
	c1=$(cpu_ticks "$PW_PID")
	t1=$(us_now)
	o3=$(own_ms 3)
	R[lanwatch_churn_own_pct]=$(awk -v ms=$((o3 - o2)) -v us=$((t1 - t0)) 'BEGIN {printf "%.1f", 100 * ms / (us / 1000)}')
	R[lanwatch_churn_cpu_pct]=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v us=$((t1 - t0)) \
		'BEGIN {printf "%.1f", 100 * (t / hz) / (us / 1e6)}')
	R[lanwatch_churn_changes]=$((secs * rate))

	# a container bridge appears: from the kernel's announcement of the link
	# to the announcement of its element in @lan_ifaces, both seen by one
	# listener; and from the start of `ip link add`, which itself takes
	# long with thousands of interfaces
	cat >"$TMP/announce.py" <<'PY'
import socket, sys, time
names = [n.encode() + b"\0" for n in sys.argv[1:]]
rt = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)		# NETLINK_ROUTE
rt.bind((0, 1))							# RTMGRP_LINK
nf = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)		# NETLINK_NETFILTER
nf.bind((0, 0))
nf.setsockopt(270, 1, 7)					# NETLINK_ADD_MEMBERSHIP, NFNLGRP_NFTABLES
for s in (rt, nf):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
print("ready", flush=True)
import select
seen = {}
while len(seen) < 2 * len(names):
    for s in select.select([rt, nf], [], [])[0]:
        data = s.recv(1 << 20)
        t = time.monotonic()
        what = "link" if s is rt else "elem"
        for n in names:
            if n in data and (s is rt or b"lan_ifaces" in data):
                if (what, n) not in seen:
                    seen[(what, n)] = t
                    print(what, n[:-1].decode(), "%.0f" % (t * 1e6), flush=True)
PY
	local names="" lat=()
	for i in $(seq 10); do names="$names docker$i"; done
	in_host python3 "$TMP/announce.py" $names >"$TMP/announce.out" &
	mon=$!
	defer "kill $mon"
	wait_until "the announcement listener" file_has "$TMP/announce.out" ready
	R[lanwatch_bridge_missed]=0
	for i in $(seq 10); do
		t0=${EPOCHREALTIME/./}
		in_host ip link add "docker$i" type bridge
		while ! file_has "$TMP/announce.out" "elem docker$i "; do
			t1=${EPOCHREALTIME/./}
			[ $((10#$t1 - 10#$t0)) -gt 2000000 ] && break
		done
		t1=${EPOCHREALTIME/./}
		if file_has "$TMP/announce.out" "elem docker$i "; then
			wall+=("$((10#$t1 - 10#$t0))")
		else
			R[lanwatch_bridge_missed]=$((R[lanwatch_bridge_missed] + 1))
		fi
		nap 0.2
	done
	kill "$mon"
	lat=($(awk '$1 == "link" {l[$2] = $3} $1 == "elem" && ($2 in l) {print $3 - l[$2]}' "$TMP/announce.out"))
	R[lanwatch_bridge_us_median]=$(printf '%s\n' "${lat[@]}" | median)
	R[lanwatch_bridge_us_max]=$(printf '%s\n' "${lat[@]}" | sort -n | tail -1)
	R[lanwatch_bridge_wall_us_median]=$(printf '%s\n' "${wall[@]}" | median)
	[ -n "${R[lanwatch_bridge_us_max]}" ] || R[lanwatch_bridge_us_median]=null R[lanwatch_bridge_us_max]=null
	[ -n "${R[lanwatch_bridge_wall_us_median]}" ] || R[lanwatch_bridge_wall_us_median]=null
	stop_pw
	# the daemon's own count: the CPU of its thread while it followed the
	# interfaces, without what the kernel's softirqs did meanwhile
	R[lanwatch_events]=$(sed -n 's/.*interfaces: \([0-9]*\) events.*/\1/p' "$TMP/pw.out")
	R[lanwatch_own_cpu_ms]=$(sed -n 's/.*interfaces: .* \([0-9]*\) ms of CPU following them.*/\1/p' "$TMP/pw.out")
	[ -n "${R[lanwatch_events]}" ] || R[lanwatch_events]=null R[lanwatch_own_cpu_ms]=null
}

lanwatch_report() {
	echo "lanwatch: ${R[lanwatch_links]} links, ${R[lanwatch_addrs]} addresses;" \
		"${R[lanwatch_events]} events in all, ${R[lanwatch_own_cpu_ms]} ms of the daemon's own CPU for them"
	echo "  (process: the daemon's CPU with the kernel's softirqs that ran on it;" \
		"own: its thread's CPU following interfaces)"
	echo "  burst of 1,000 interfaces: ${R[lanwatch_burst1000_cpu_ms]} ms process," \
		"${R[lanwatch_burst1000_own_ms]} ms own (floor < 500 ms); the next 1,000:" \
		"${R[lanwatch_burst2000_cpu_ms]} ms process, ${R[lanwatch_burst2000_own_ms]} ms own"
	echo "  ${R[lanwatch_churn_changes]} changes at 20/s on 2,000 interfaces:" \
		"${R[lanwatch_churn_cpu_pct]}% of a core process, ${R[lanwatch_churn_own_pct]}% own (floor < 5%)"
	echo "  a new container bridge in @lan_ifaces ${R[lanwatch_bridge_us_median]} us median," \
		"${R[lanwatch_bridge_us_max]} us max after the kernel announced it (floor < 50 ms);" \
		"${R[lanwatch_bridge_wall_us_median]} us median after the start of ip link add;" \
		"${R[lanwatch_bridge_missed]} of 10 not there after 2 s"
}
