# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "kube" of `make bench` (sourced by run.sh; a scale phase:
# BENCH_ONLY=kube or scale): a Kubernetes node's nat table, 30,000
# kube-proxy-shaped rules loaded with iptables-nft-restore
# (tests/bench/kube_rules.py), 1% of its Services given new endpoints every
# second (kube-proxy's partial sync, --noflush).  Meanwhile:
#  1. monitor mode: connections from 40 sources to 20 guarded ports (every
#     SYN queued, a log line for each new source and port, the published
#     ports read for them) and to open ports (never queued): connect times,
#     queue drops and the daemon's CPU;
#  2. enforce mode with fail_mode = open: a flood of datagrams to a port
#     decided per datagram (47808/udp, queued each) and connection attempts
#     to the guarded ports: what got through counted by the kernel in the
#     input hook (a stalled worker lets the queue overflow, and fail_mode
#     open lets the overflow in).

KUBE_RULES=${BENCH_KUBE_RULES:-30000}
KUBE_SECS=${BENCH_KUBE_SECS:-30}
KUBE_GUARDED="1080 3128 8080 9050 3306 6379 11211 27017 9200 5984 9222 9229 8888 2375 631 5900 3389 5601 8086 9042"
KUBE_OPEN="40101 40102 40103 40104 40105"

kube_churn() {	# every second, 1% of the Services get new endpoints
	local r=1 t0
	while :; do
		t0=$(now_ns)
		python3 tests/bench/kube_rules.py "$KUBE_RULES" churn $r | in_host iptables-nft-restore --noflush
		r=$((r + 1))
		sleep "$(awk -v t=$(( $(now_ns) - t0 )) 'BEGIN {s = 1 - t / 1e9; print (s > 0 ? s : 0)}')"
	done
}

# kube_listeners: sockets on the guarded and open ports, in the host
kube_listeners() {
	# ip netns exec becomes python: $! is what the cleanup must end
	ip netns exec "$NS_HOST" python3 -c '
import socket, sys, time
socks = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p))); s.listen(1024); s.setblocking(False); socks.append(s)
print("ready", flush=True)
while True:
    time.sleep(0.05)
    for s in socks:
        try:
            while True: s.accept()[0].close()
        except OSError:
            pass' $KUBE_GUARDED $KUBE_OPEN >"$TMP/kube-listeners.out" &
	defer "kill $!"
	wait_until "bench listeners" grep -q ready "$TMP/kube-listeners.out"
}

# kube_sources: 40 more addresses on the internet side, the client's sources
kube_sources() {
	local i list=""
	for i in $(seq 10 49); do
		ip -n "$NS_INET" addr add "198.51.100.$i/24" dev i-host 2>/dev/null
		list+="${list:+,}198.51.100.$i"
	done
	echo "$list"
}

lat_stats() {	# lat_stats PREFIX KIND [FILE]: p50, p99, max of the connect times of KIND
	awk -v k="$2" '$1 == k {print $2}' "${3:-$TMP/kube-lat.out}" | sort -g | awk -v p="$1" '
		{a[NR] = $1}
		END {
			if (!NR)
				exit
			i50 = int(NR * 0.5); if (i50 < 1) i50 = 1
			i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
			printf "%s_p50_us %d\n%s_p99_us %d\n%s_max_us %d\n%s_samples %d\n", p, a[i50], p, a[i99], p, a[NR], p, NR
		}' >>"$TMP/figures"
}

phase_kube() {
	local sources c0 c1 full0 sock0 full1 sock1 t0 t1 ports
	in_host sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
	python3 tests/bench/kube_rules.py "$KUBE_RULES" | in_host iptables-nft-restore || return 1
	defer "ip netns exec $NS_HOST nft delete table ip nat"
	put kube_rules "$(in_host nft list table ip nat | grep -c 'counter packets')"
	sources=$(kube_sources)
	kube_listeners
	kube_churn >/dev/null 2>&1 &
	defer "kill $!"
	sleep 2

	echo "   monitor mode: connect times while the rules churn"
	start_pw "mode = monitor"
	sleep 1
	read -r full0 sock0 < <(queue_drops)
	c0=$(cpu_ticks "$PW_PID") t0=$(now_ns)
	ports=$(echo $KUBE_GUARDED | tr ' ' ,)
	in_inet python3 tests/bench/connect_lat.py "$HOST4" "$KUBE_SECS" 100 "$ports" \
		"$(echo $KUBE_OPEN | tr ' ' ,)" "$sources" >"$TMP/kube-lat.out"
	c1=$(cpu_ticks "$PW_PID") t1=$(now_ns)
	read -r full1 sock1 < <(queue_drops)
	stop_pw
	put_decided kube
	lat_stats kube_queued q
	lat_stats kube_open o
	cp "$TMP/kube-lat.out" "$PWD/build/bench-kube-connects.txt"	# every sample, for a look
	put kube_lost "$(grep -c '^lost' "$TMP/kube-lat.out")"
	put kube_queue_drops $((full1 - full0 + sock1 - sock0))
	put kube_cpu_pct "$(awk -v t=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * t / hz / (ns / 1e9)}')"
	put kube_nat_reads "$(sed -n 's/.*DNAT rules read \([0-9]*\) times.*/\1/p' "$TMP/pw.out")"
	put kube_nat_checks "$(sed -n 's/.*generation checked \([0-9]*\) times.*/\1/p' "$TMP/pw.out")"
	put kube_lines "$(grep -c . "$PW_LOG" 2>/dev/null || echo 0)"
	need kube_queued_p99_us kube_open_p99_us kube_rules kube_decided_p99_us

	echo "   enforce mode, fail_mode open: what gets through while the rules churn"
	in_host nft -f - <<NFT
table inet through {
	chain c {
		type filter hook input priority -200;
		ip saddr 198.51.100.0/24 tcp flags & (syn | ack) == syn tcp dport { $(echo $KUBE_GUARDED | tr ' ' ,) } counter
		ip saddr 198.51.100.0/24 udp dport 47808 counter
	}
}
NFT
	defer "ip netns exec $NS_HOST nft delete table inet through"
	: >"$PW_LOG"
	start_pw "fail_mode = open"
	read -r full0 sock0 < <(queue_drops)
	ip netns exec "$NS_INET" python3 - "$HOST4" 47808 "$KUBE_SECS" <<'PY' >"$TMP/kube-udp.out" &
import socket, sys, time
end = time.time() + float(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(32)]
for s in socks:
    s.connect((sys.argv[1], int(sys.argv[2])))
n = 0
while time.time() < end:
    for s in socks:
        for _ in range(8):
            try:
                s.send(b"flood"); n += 1
            except OSError:
                pass
    time.sleep(0.001)
print(n)
PY
	local udp=$!
	in_inet python3 tests/bench/connect_lat.py "$HOST4" "$KUBE_SECS" 200 "$ports" \
		"$(echo $KUBE_OPEN | tr ' ' ,)" "$sources" >"$TMP/kube-open.out"
	wait "$udp"
	read -r full1 sock1 < <(queue_drops)
	stop_pw
	put kube_open_mode_udp_sent "$(cat "$TMP/kube-udp.out")"
	put kube_open_mode_syns "$(awk '$1 == "q" || $1 == "lost"' "$TMP/kube-open.out" | wc -l)"
	put kube_open_mode_through "$(in_host nft list table inet through | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' |
		awk '{s += $1} END {print s + 0}')"
	put kube_open_mode_queue_drops $((full1 - full0 + sock1 - sock0))
	need kube_open_mode_udp_sent kube_open_mode_syns
}

report_kube() {
	printf '%s\n' "kube: ${R[kube_rules]} kube-proxy rules, 1% churn a second (load ${R[load_kube]})"
	printf '%-44s %14s  %-34s %8s  %s\n' "  SYN decided after arrival, p99 us (under)" "${R[kube_decided_p99_us]}" \
		"median under ${R[kube_decided_p50_us]}; ${R[kube_decided_n]} SYNs" "" "< 5000"
	printf '%-44s %14s  %-34s %8s  %s\n' "  ... max us" "${R[kube_decided_max_us]}" "" "" "< 20000"
	printf '%-44s %14s  %-34s\n' "  connect time, queued SYN, p99 us" "${R[kube_queued_p99_us]}" \
		"${R[kube_open_p99_us]} (port never queued)"
	printf '%-44s %14s  %-34s\n' "  ... max us" "${R[kube_queued_max_us]}" "${R[kube_open_max_us]}"
	printf '%-44s %14s  %-34s\n' "  ... median us; samples" "${R[kube_queued_p50_us]}; ${R[kube_queued_samples]}" \
		"${R[kube_open_p50_us]}; ${R[kube_open_samples]}"
	printf '%-44s %14s  %-34s %8s  %s\n' "  queue drops; connects lost" "${R[kube_queue_drops]}; ${R[kube_lost]}" "" "" "0"
	printf '%-44s %14s  %-34s %8s  %s\n' "  daemon CPU, % of a core" "${R[kube_cpu_pct]}" \
		"(${R[kube_nat_reads]:-?} DNAT reads, ${R[kube_lines]} lines)" "" "< 5"
	printf '%-44s %14s  %-34s %8s  %s\n' "  fail_mode open: packets through" "${R[kube_open_mode_through]}" \
		"of ${R[kube_open_mode_udp_sent]} datagrams + ${R[kube_open_mode_syns]} SYNs" "" "0"
}

bench_phase kube phase_kube report_kube scale
