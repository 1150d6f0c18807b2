#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every transport a guarded port can be reached over: a UDP-Lite service
# on 11211 (memcached, lan-only by its UDP entry) answers the LAN and
# nobody else, over IPv4 and IPv6, and the attempts are logged as udplite;
# SCTP and DCCP packets to a port the TCP entries guard (5432) get silence
# while other ports get the kernel's answer (on this machine's kernel,
# which has neither protocol, an ICMP protocol-unreachable; a kernel with
# them answers too), so nothing tells a guarded port's listener apart.
# `audit` lists the UDP-Lite socket with the UDP entry's policy.
. tests/integration/lib.sh
require_root
make_hosts

# udplite_serve NS PORT: a UDP-Lite echo service on every address of NS
udplite_serve() {
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, 136)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"pong", peer)' "$2" &
	defer "kill $!"
}

# udplite_probe NS ADDRESS PORT: open (an answer came) or silent
udplite_probe() {
	ip netns exec "$1" python3 -c '
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM, 136)
s.settimeout(1.5)
for attempt in range(2):
    s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
    try:
        s.recvfrom(2048)
        print("open")
        break
    except socket.timeout:
        pass
else:
    print("silent")' "$2" "$3"
}

expect_udplite() {	# expect_udplite NS ADDRESS PORT WANT
	local got
	got=$(udplite_probe "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "udplite $2 port $3 from ${1##*-}: got $got, want $4"
	ok "udplite [$2]:$3 from ${1##*-} is $4"
}

# expect_answers NS "PROTO ADDRESS PORT WANT"...: whether the host answers
# an SCTP INIT or a DCCP Request ("answer" or "silent"), as wanted; one
# scapy process sends them all
expect_answers() {
	local ns=$1 out i=0 want
	shift
	out=$(ip netns exec "$ns" python3 - "$@" <<'PY'
import sys
from scapy.all import IP, IPv6, SCTP, SCTPChunkInit, Raw, conf, sr1, L3RawSocket
conf.verb = 0
packet_socket = conf.L3socket
for probe in sys.argv[1:]:
    proto, addr, port, _ = probe.split()
    port = int(port)
    # IPv4 through a raw socket, IPv6 through scapy's own packet socket
    conf.L3socket = packet_socket if ":" in addr else L3RawSocket
    ip = IPv6(dst=addr) if ":" in addr else IP(dst=addr)
    if proto == "sctp":
        pkt = ip / SCTP(sport=40000, dport=port) / SCTPChunkInit(
            init_tag=1, a_rwnd=1500, n_out_streams=1, n_in_streams=1, init_tsn=1)
    else:
        # DCCP-Request: ports, data offset 5 words, type 0 with extended
        # sequence numbers, then the sequence number and service code
        hdr = bytes([40000 >> 8, 40000 & 255, port >> 8, port & 255, 5, 0, 0, 0, 1, 0,
                     0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        if ":" in addr:
            ip.nh = 33
        else:
            ip.proto = 33
        pkt = ip / Raw(hdr)
    print("answer" if sr1(pkt, timeout=1.5) else "silent", flush=True)
PY
	)
	for want in "$@"; do
		i=$((i + 1))
		got=$(echo "$out" | sed -n "${i}p")
		set -- $want
		[ "$got" = "$4" ] || fail "$1 $2 port $3 from ${ns##*-}: got [$got], want $4"
		ok "$1 [$2]:$3 from ${ns##*-}: $4"
	done
}

udplite_serve "$NS_HOST" 11211
for i in $(seq 50); do
	in_host grep -q ' 00000000:2BCB ' /proc/net/udplite && break
	nap 0.1
done
# without portwarden the test can tell
expect_udplite "$NS_INET" "$HOST4" 11211 open
expect_udplite "$NS_INET" "$HOST6" 11211 open
expect_answers "$NS_INET" "sctp $HOST4 5432 answer" "dccp $HOST4 5432 answer"

start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64"
expect_udplite "$NS_INET" "$HOST4" 11211 silent
expect_udplite "$NS_INET" "$HOST6" 11211 silent
expect_udplite "$NS_LAN" "$HOSTLAN4" 11211 open
expect_udplite "$NS_LAN" "$HOSTLAN6" 11211 open
# 4443 (https-4443) is open
expect_answers "$NS_INET" "sctp $HOST4 5432 silent" "sctp $HOST6 5432 silent" \
	"sctp $HOST4 4443 answer" "sctp $HOST6 4443 answer" "dccp $HOST4 5432 silent" \
	"dccp $HOST6 5432 silent" "dccp $HOST4 4443 answer" "dccp $HOST6 4443 answer"
# SCTP to the LAN's lan-only port is the LAN's
expect_answers "$NS_LAN" "sctp $HOSTLAN4 5432 answer"

for want in '"proto":"udplite","src":"198.51.100.2"' '"proto":"udplite","src":"2001:db8:100::2"' \
	'"proto":"sctp"' '"proto":"dccp"'; do
	for i in $(seq 100); do
		file_has "$PW_LOG" "$want" && break
		nap 0.05
	done
	file_has "$PW_LOG" "$want" || { cat "$PW_LOG"; fail "no log line with $want"; }
	ok "logged: $want"
done
grep '"proto":"udplite"' "$PW_LOG" | grep -q '"service":"memcached","policy":"lan-only"' ||
	fail "the UDP-Lite attempt is not logged with the UDP entry: $(grep udplite "$PW_LOG")"
ok "the UDP-Lite attempt is logged under 11211/udp's entry (memcached, lan-only)"

out=$(in_host "$PW" --config "$TMP/pw.conf" --db "$DB" audit)
line=$(echo "$out" | grep " 11211/udplite ")
expect_contains "$line" "lan-only" "audit lists the UDP-Lite socket with the UDP entry's policy"
stop_pw
echo "all $CHECKS checks passed"
