#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interfaces and addresses at node scale, sourced by tests/bench/run.sh:
# the daemon's CPU while 1,000 interfaces appear at once and 1,000 more
# after them, while 20 changes a second come to 2,000 interfaces, and the
# time from `ip link add` of a container bridge to its element in the
# kernel (including the start of `ip`).  Half the interfaces are ports of a
# bridge named like a CNI one, half stand alone; each gets its IPv6
# link-local address.
# Alone: BENCH_ONLY=lanwatch make bench

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
	local t0 t1 c0 c1 i lat=() mon

	start_pw
	in_host sysctl -qw net.ipv6.conf.default.addr_gen_mode=0
	in_host ip link add cni-bench type bridge
	in_host ip link set cni-bench up
	ticks_settled "$PW_PID" >/dev/null

	# a burst: 1,000 interfaces at once, then 1,000 more
	c0=$(cpu_ticks "$PW_PID")
	t0=$(us_now)
	ifaces_batch 1 500 | in_host ip -batch - || fail "ip -batch"
	c1=$(ticks_settled "$PW_PID")
	t1=$(us_now)
	R[lanwatch_burst1000_cpu_ms]=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')
	R[lanwatch_burst1000_wall_ms]=$(( (t1 - t0) / 1000 - 1000 ))
	c0=$(cpu_ticks "$PW_PID")
	ifaces_batch 501 1000 | in_host ip -batch - || fail "ip -batch"
	c1=$(ticks_settled "$PW_PID")
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
	R[lanwatch_churn_cpu_pct]=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v us=$((t1 - t0)) \
		'BEGIN {printf "%.1f", 100 * (t / hz) / (us / 1e6)}')
	R[lanwatch_churn_changes]=$((secs * rate))

	# a container bridge appears: its element in @lan_ifaces, seen by nft monitor
	in_host nft monitor >"$TMP/monitor.out" 2>&1 &
	mon=$!
	defer "kill $mon"
	nap 0.5
	R[lanwatch_bridge_missed]=0
	for i in $(seq 10); do
		t0=${EPOCHREALTIME/./}
		in_host ip link add "docker$i" type bridge
		while ! file_has "$TMP/monitor.out" "\"docker$i\""; do
			t1=${EPOCHREALTIME/./}
			[ $((10#$t1 - 10#$t0)) -gt 2000000 ] && break
		done
		t1=${EPOCHREALTIME/./}
		if file_has "$TMP/monitor.out" "\"docker$i\""; then
			lat+=("$((10#$t1 - 10#$t0))")
		else
			R[lanwatch_bridge_missed]=$((R[lanwatch_bridge_missed] + 1))
		fi
		nap 0.2
	done
	kill "$mon"
	R[lanwatch_bridge_us_median]=$(printf '%s\n' "${lat[@]}" | median)
	R[lanwatch_bridge_us_max]=$(printf '%s\n' "${lat[@]}" | sort -n | tail -1)
	[ -n "${R[lanwatch_bridge_us_max]}" ] || R[lanwatch_bridge_us_median]=null R[lanwatch_bridge_us_max]=null
	stop_pw
}

lanwatch_report() {
	echo "lanwatch: ${R[lanwatch_links]} links, ${R[lanwatch_addrs]} addresses"
	echo "  burst of 1,000 interfaces: ${R[lanwatch_burst1000_cpu_ms]} ms CPU (floor < 500 ms);" \
		"the next 1,000: ${R[lanwatch_burst2000_cpu_ms]} ms"
	echo "  ${R[lanwatch_churn_changes]} changes at 20/s on 2,000 interfaces:" \
		"${R[lanwatch_churn_cpu_pct]}% of a core (floor < 5%)"
	echo "  a new container bridge in @lan_ifaces after ${R[lanwatch_bridge_us_median]} us" \
		"median, ${R[lanwatch_bridge_us_max]} us max (floor < 50 ms);" \
		"${R[lanwatch_bridge_missed]} of 10 not there after 2 s"
}
