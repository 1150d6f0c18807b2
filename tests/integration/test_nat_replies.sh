#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replies are never decided as attempts.  A container behind the host's
# masquerade (IPv4, and NAT66 for IPv6) and, in router mode, a LAN client
# behind the router's masquerade talk UDP to the internet from a port
# the NAT maps to 47808 (BACnet, a guarded port): every reply comes back.
# A stranger's datagram to 47808 is still dropped and logged.  The table
# uses connection tracking only while the host has NAT chains: when they
# go, so do the table's conntrack rules.
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
CT4=203.0.113.2 CT6=2001:db8:113::2
make_container ct "$CT4" "$CT6"
NS_CT=${CONTAINERS[0]}
in_inet python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 7000))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"pong", peer)' &
defer "kill $!"
wait_listening "$NS_INET" udp 7000

nat_on() {
	in_host nft -f - <<EOF
table inet pwnat {
	chain post {
		type nat hook postrouting priority srcnat;
		ip saddr { 203.0.113.0/24, 192.0.2.0/24 } oifname "h-inet" meta l4proto udp masquerade to :47808
		ip6 saddr { 2001:db8:113::/64, 2001:db8:200::/64 } oifname "h-inet" meta l4proto udp masquerade to :47808
	}
}
EOF
}

# replies NS ADDRESS N: N queries from one socket (one NAT flow); prints
# how many were answered
replies() {
	ip netns exec "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
addr, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::" if ":" in addr else "0.0.0.0", 40000))
s.settimeout(1)
got = 0
for i in range(n):
    s.sendto(b"ping", (addr, 7000))
    try:
        if s.recvfrom(64)[0] == b"pong":
            got += 1
    except socket.timeout:
        pass
print(got)
PY
}

expect_replies() {	# expect_replies NS ADDRESS N WHAT
	local got
	got=$(replies "$1" "$2" "$3")
	[ "$got" = "$3" ] || fail "$4: $got of $3 replies"
	ok "$4: $3 of $3 replies"
}

# the mapped port is the one the NAT was told: the reply is addressed to
# 47808 on the host (checked by the conntrack entry)
nat_on
expect_replies "$NS_CT" "$INET4" 3 "without portwarden, masqueraded container (IPv4)"
in_host conntrack -L -p udp --dport 7000 2>/dev/null | grep -q "dport=47808" ||
	fail "the NAT did not map the flow to 47808: $(in_host conntrack -L -p udp 2>&1)"
ok "the container's flow is mapped to 47808 on the host"
# neighbour discovery may cost a fresh path its first datagram: every path
# is used once before the counting starts
warm_up() {	# warm_up NS
	replies "$1" "$INET4" 2 >/dev/null
	replies "$1" "$INET6" 2 >/dev/null
}
warm_up "$NS_CT"

start_pw
[ "$(nft_json | grep -c '"after_conntrack"')" -ge 1 ] || fail "no chain after_conntrack with NAT"
ok "the host uses NAT: UDP is decided after connection tracking"
status_conntrack() { in_host "$PW" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["conntrack"])'; }
[ "$(status_conntrack)" = True ] || fail "status does not say UDP is decided after conntrack"
ok "status says so"
expect_replies "$NS_CT" "$INET4" 50 "masqueraded container (IPv4)"
expect_replies "$NS_CT" "$INET6" 50 "masqueraded container (IPv6, NAT66)"
# a stranger's datagram to the mapped port is an attempt, not a reply
expect_probe "$NS_INET" udp "$HOST4" 47808 silent
for i in $(seq 100); do
	grep -q '"dport":47808' "$PW_LOG" && break
	nap 0.05
done
grep '"dport":47808' "$PW_LOG" | grep -q "\"src\":\"$INET4\"" || fail "the stranger's datagram is not logged"
ok "the stranger's datagram to 47808 is dropped and logged"
grep -q '"dport":47808.*"src":"203\.0\.113\.2"' "$PW_LOG" && fail "a reply was logged as an attempt"
ok "no reply is logged as an attempt"

# NAT goes: so does the table's connection tracking, within seconds
in_host nft delete table inet pwnat
for i in $(seq 50); do
	nft_json | grep -q '"ct"' || break
	nap 0.1
done
nft_json | grep -q '"ct"' && fail "the table keeps a ct expression without NAT"
ok "without NAT chains the table has no ct expression"
[ "$(status_conntrack)" = False ] || fail "status still says conntrack without NAT"
ok "status: replies told without connection tracking"
# and comes back with it
nat_on
for i in $(seq 50); do
	nft_json | grep -q '"after_conntrack"' && break
	nap 0.1
done
nft_json | grep -q '"after_conntrack"' || fail "NAT is back, chain after_conntrack is not"
ok "NAT is back: so is chain after_conntrack"
expect_replies "$NS_CT" "$INET4" 20 "masqueraded container after the change (IPv4)"
stop_pw
in_host "$PW" flush >/dev/null || fail "flush"

# router mode: a LAN client behind the router's masquerade (one flow at a
# time can hold the one mapped port: the container's are forgotten)
in_host conntrack -F 2>/dev/null
warm_up "$NS_LAN"
start_pw "wan_interfaces = h-inet" "lan_interfaces = h-lan"
expect_replies "$NS_LAN" "$INET4" 50 "router mode, masqueraded LAN client (IPv4)"
expect_replies "$NS_LAN" "$INET6" 50 "router mode, masqueraded LAN client (IPv6)"
expect_probe "$NS_INET" udp "$HOST4" 47808 silent
stop_pw
echo "all $CHECKS checks passed"
