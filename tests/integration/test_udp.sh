#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP without connection tracking: guarded UDP ports are blocked in the
# kernel, inside the ephemeral range too (47808, BACnet), and replies to
# the host's own sockets that happen to use such a port still arrive: the
# input hook tells them by the socket early demultiplexing found, with no
# user-space round trip, so they keep arriving while a flood of strangers'
# datagrams loads the daemon (monitor mode queues every one of them).
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
serve "$NS_HOST" udp 11211
# the internet's echo service answers from its one socket: no process per
# datagram to wait for on a loaded machine
in_inet python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 7000))
while True:
    data, peer = s.recvfrom(64)
    s.sendto(b"pong", peer)' &
defer "kill $!"
wait_listening "$NS_HOST" udp 11211
wait_listening "$NS_INET" udp 7000
# a second guarded UDP port in the ephemeral range, so the IPv6 query does
# not share its source port with the IPv4 one
{ cat "$DB"; printf '47809/udp bacnet-test loopback-only\n47810/udp bacnet-flood loopback-only\n'; } >"$TMP/ports.db"
DB="$TMP/ports.db"
start_pw
nft_json | grep -q '"ct"' && fail "the host table uses conntrack"
ok "no ct expression in the host table"

expect_probe "$NS_INET" udp "$HOST4" 11211 silent
set_has blocked udp 11211 || fail "11211/udp not blocked in the kernel"
ok "11211/udp (below the ephemeral range) is in @blocked"

# the host's own query from a guarded source port gets its answer (a second
# try, as a resolver would make, absorbs a slow neighbour discovery)
query() {	# query ADDRESS SOURCE_PORT
	local reply i
	for i in 1 2; do
		reply=$(echo ping | in_host timeout 3 socat -T2 - "$1,sourceport=$2")
		[ -n "$reply" ] && break
	done
	echo "$reply"
}
expect_contains "$(query "UDP4:$INET4:7000" 47808)" "pong" "reply to the host's own socket on 47808 arrives"
reply=$(query "UDP6:[$INET6]:7000" 47809)
[ -n "$reply" ] || { cat "$TMP/pw.out"; cat "$PW_LOG"; in_host nft list ruleset | grep -E 'packets [1-9]|chain'; }
expect_contains "$reply" "pong" "the same over IPv6 (source port 47809)"

# a stranger's datagram to a service on 47808 is dropped, every time
serve "$NS_HOST" udp 47808
SERVER=$!
defer "kill $SERVER"
wait_listening "$NS_HOST" udp 47808
expect_probe "$NS_INET" udp "$HOST4" 47808 silent
expect_probe "$NS_INET" udp "$HOST4" 47808 silent
set_has blocked udp 47808 || fail "47808/udp not blocked"
ok "47808/udp is in @blocked: the kernel drops strangers' datagrams"
expect_probe "$NS_INET" udp "$HOST6" 47809 silent
set_has blocked udp 47809 || fail "47809/udp not blocked"
# (47808 is held by the service now; 47809 has none)
expect_contains "$(query "UDP4:$INET4:7000" 47809)" "pong" "reply to the host's own socket on blocked 47809 arrives"
expect_contains "$(query "UDP6:[$INET6]:7000" 47809)" "pong" "the same over IPv6"
expect_probe "$NS_HOST" udp 127.0.0.1 47808 open
[ "$(grep -c '"dport":47808' "$PW_LOG")" -ge 1 ] || fail "stranger's datagram not logged"
ok "the stranger's datagrams are logged"
nft_json | grep -q '"ct"' && fail "the host table uses conntrack"
stop_pw
ok "every UDP line follows the log schema ($(check_log_schema "$PW_LOG") lines)"
in_host "$PW" flush >/dev/null || fail "flush"
kill "$SERVER"	# 47808 is the host's client's port from now on
for i in $(seq 50); do
	[ -z "$(in_host ss -Hlun "sport = :47808")" ] && break
	nap 0.1
done
[ -z "$(in_host ss -Hlun "sport = :47808")" ] || fail "47808 still held: $(in_host ss -Hlunp)"

# Every reply while a flood of datagrams from ever new (spoofed) sources
# loads the daemon: monitor mode queues each of them
start_pw "mode = monitor"
mac=$(ip -n "$NS_HOST" -j link show h-inet | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
q0=$(queue_seq)
in_inet "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 47810 udpflood6 100000000 \
	>/dev/null &
FLOODER=$!
defer "kill $FLOODER"
for i in $(seq 200); do [ $(( $(queue_seq) - q0 )) -ge 5000 ] && break; nap 0.05; done
[ $(( $(queue_seq) - q0 )) -ge 5000 ] || fail "the spoofed flood did not reach the queue"
ok "the flood of spoofed sources loads the daemon's queue"
# every_reply ADDRESS SOURCE_PORT N: N queries from the host's own socket,
# each waiting up to a second for its reply; prints how many came
every_reply() {
	in_host python3 - "$1" "$2" "$3" <<'PY'
import socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
six = ":" in addr
s = socket.socket(socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_DGRAM)
if six:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::" if six else "0.0.0.0", port))
s.connect((addr, 7000))
s.settimeout(1)
got = 0
for i in range(n):
    s.send(b"ping")
    try:
        got += s.recv(64) == b"pong"
    except socket.timeout:
        pass
print(got)
PY
}
got=$(every_reply "$INET4" 47808 300)
[ "$got" = 300 ] || fail "under the flood the host's own socket on 47808 got $got of 300 replies"
ok "under the flood: 300 of 300 replies to the host's own socket on 47808"
got=$(every_reply "$INET6" 47808 300)
[ "$got" = 300 ] || fail "under the flood the host's own socket on 47808 got $got of 300 replies (IPv6)"
ok "under the flood: 300 of 300 replies to the host's own socket on 47808 (IPv6)"
kill -0 "$FLOODER" || fail "the flood ended before the checks"
kill "$FLOODER"
stop_pw
echo "all $CHECKS checks passed"
