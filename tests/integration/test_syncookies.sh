#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Someone else's attempt never locks the LAN out.  An outsider's SYN puts
# lan-only 5432 (a real PostgreSQL protocol stand-in: socat) into
# @blocked; the LAN then connects with SYN cookies answering every SYN
# (tcp_syncookies = 2) and with the default (1) while half-open requests
# from LAN addresses that never answer fill the listener's queue, over
# IPv4 and IPv6: every handshake completes
# and carries data.  A LAN client's FIN reaching a TIME_WAIT socket gets
# its ACK.  The outsider's own guessed cookie ACKs and FIN, NULL, Xmas
# and ACK probes get silence, before the port's first SYN as after it.
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.tcp_syncookies=2

# listener on 5432 (lan-only) with a backlog of 64, answering "pong"
in_host python3 -c '
import socket, threading
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5432))
s.listen(64)
def serve(c):
    try:
        c.recv(64)
        c.sendall(b"pong\n")
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()' &
defer "kill $!"
wait_listening "$NS_HOST" tcp 5432
serve "$NS_HOST" tcp 3306	# lan-only MySQL, never sent a SYN; 3307 (lan-only) has no listener

# scan_state NS ADDR PORT FLAG: what nmap makes of the port
scan_state() {
	local six=
	case "$2" in *:*) six=-6 ;; esac
	ip netns exec "$1" nmap $six -Pn -n "$4" -p "$3" --max-retries 1 --host-timeout 30s "$2" |
		awk -v p="$3/tcp" '$1 == p { print $2 }'
}
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64"

# pre-SYN scans: a lan-only port with a listener looks like one without
for flag in -sF -sN -sX -sA; do
	for addr in "$HOST4" "$HOST6"; do
		a=$(scan_state "$NS_INET" "$addr" 3306 "$flag")
		b=$(scan_state "$NS_INET" "$addr" 3307 "$flag")
		[ -n "$a" ] || fail "nmap $flag $addr: no answer for 3306"
		[ "$a" = "$b" ] || fail "nmap $flag $addr before any SYN: 3306 (listener) is $a, 3307 (none) is $b"
		ok "nmap $flag $addr before any SYN: listener and no listener both $a"
	done
done
set_has blocked tcp 3306 && fail "the scans put 3306 into @blocked"
ok "no SYN was sent: 3306 is not in @blocked"

# the outsider's SYN blocks 5432
expect_probe "$NS_INET" tcp "$HOST4" 5432 silent
set_has blocked tcp 5432 || fail "5432 not blocked"
ok "5432 is in @blocked after the outsider's attempt"

# lan_clients ADDR N: N LAN connections to 5432 at once; prints how many
# got "pong" back
lan_clients() {
	in_lan python3 - "$1" "$2" <<'PY'
import socket, sys, threading
addr, n, done = sys.argv[1], int(sys.argv[2]), []
def one():
    try:
        c = socket.create_connection((addr, 5432), timeout=10)
        c.sendall(b"ping\n")
        if c.recv(16).startswith(b"pong"):
            done.append(1)
        c.close()
    except OSError:
        pass
ts = [threading.Thread(target=one) for _ in range(n)]
for t in ts: t.start()
for t in ts: t.join()
print(len(done))
PY
}
cookies() { in_host awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } else for (i = 1; i <= NF; i++) if (k[i] == "SyncookiesRecv") print $i }' /proc/net/netstat; }

c0=$(cookies)
for addr in "$HOSTLAN4" "$HOSTLAN6"; do
	got=$(lan_clients "$addr" 20)
	[ "$got" = 20 ] || fail "tcp_syncookies=2: $got of 20 LAN connections to [$addr]:5432"
	ok "tcp_syncookies=2: 20 of 20 LAN connections to [$addr]:5432 carry data"
done
[ $(( $(cookies) - c0 )) -ge 40 ] || fail "the kernel validated $(( $(cookies) - c0 )) cookies, want 40"
ok "every one of them was a SYN-cookie handshake"

# the default: cookies only while the queue of half-open requests is full,
# which SYNs from LAN addresses nobody holds make it (their SYN-ACKs go
# unanswered).  Sent again and again until the LAN's connections are done:
# with the queue over half full the kernel gives its young requests fewer
# SYN-ACK retries, and on a loaded machine one that expired left room for
# a LAN connection without a cookie.
in_host sysctl -qw net.ipv4.tcp_syncookies=1
ip netns exec "$NS_LAN" python3 - "$HOSTLAN4" "$HOSTLAN6" <<'PY' &
import sys
from scapy.all import IP, IPv6, TCP, conf, send, L3RawSocket
conf.verb = 0
packet_socket = conf.L3socket
syns = []
for dst, src in ((sys.argv[1], "192.0.2.99"), (sys.argv[2], "2001:db8:200::99")):
    ip = IPv6(src=src, dst=dst) if ":" in dst else IP(src=src, dst=dst)
    syns.append((":" in dst, [ip / TCP(sport=20000 + i, dport=5432, flags="S", seq=i)
                              for i in range(300)]))
while True:
    for v6, batch in syns:
        conf.L3socket = packet_socket if v6 else L3RawSocket
        send(batch)
PY
FILLER=$!
defer "kill $FILLER"
for i in $(seq 100); do
	[ "$(in_host ss -Htan state syn-recv "sport = :5432" | wc -l)" -ge 64 ] && break
	nap 0.1
done
halfopen=$(in_host ss -Htan state syn-recv "sport = :5432" | wc -l)
[ "$halfopen" -ge 64 ] || fail "$halfopen half-open requests: the queue is not full, the test cannot tell"
ok "$halfopen half-open requests from addresses that do not answer fill the listener's queue"
c0=$(cookies)
for addr in "$HOSTLAN4" "$HOSTLAN6"; do
	got=$(lan_clients "$addr" 20)
	[ "$got" = 20 ] || fail "tcp_syncookies=1, queue full: $got of 20 LAN connections to [$addr]:5432"
	ok "tcp_syncookies=1, queue full: 20 of 20 LAN connections to [$addr]:5432 carry data"
done
[ $(( $(cookies) - c0 )) -ge 40 ] || fail "the kernel validated $(( $(cookies) - c0 )) cookies, want 40"
ok "each of them was a SYN-cookie handshake"
kill "$FILLER"
wait "$FILLER" 2>/dev/null

# TIME_WAIT: the server closes first, so its socket waits for the client's
# FIN in TIME_WAIT (FIN_WAIT2 of an orphan is one too); a LAN client that
# closes late must get that FIN acknowledged, or it stays in LAST_ACK
in_lan python3 - "$HOSTLAN4" <<'PY' || fail "LAN connection for TIME_WAIT"
import socket, sys, time
c = socket.create_connection((sys.argv[1], 5432), timeout=5)
c.sendall(b"ping\n")
while c.recv(16):
    pass	# pong, then the server's FIN
time.sleep(0.3)
c.close()
PY
for i in $(seq 30); do
	[ -z "$(in_lan ss -Htan state last-ack "dport = :5432")" ] && break
	nap 0.1
done
[ -z "$(in_lan ss -Htan state last-ack "dport = :5432")" ] ||
	fail "the LAN client's late FIN is not acknowledged: $(in_lan ss -Htan state last-ack)"
ok "the LAN client's late FIN reaches the host's TIME_WAIT socket and is acknowledged"

# the outsider's guessed cookie ACK and stray segments: silence (scapy,
# because a real stack sends an ACK only inside a connection)
out=$(ip netns exec "$NS_INET" python3 - "$HOST4" "$HOST6" <<'PY'
import sys
from scapy.all import IP, IPv6, TCP, conf, sr1, L3RawSocket
conf.verb = 0
packet_socket = conf.L3socket
for addr in sys.argv[1:]:
    conf.L3socket = packet_socket if ":" in addr else L3RawSocket
    ip = IPv6(dst=addr) if ":" in addr else IP(dst=addr)
    for flags in ("A", "F", "", "FPU", "PA"):
        a = sr1(ip / TCP(sport=40001, dport=5432, flags=flags, seq=1, ack=1), timeout=1)
        print(addr, repr(flags), "answer" if a else "silent", flush=True)
PY
)
echo "$out" | grep -q answer && fail "an outsider's segment without SYN got an answer: $out"
[ "$(echo "$out" | grep -c silent)" = 10 ] || fail "scapy: $out"
ok "the outsider's ACK, FIN, NULL, Xmas and PSH-ACK segments to 5432 get silence (IPv4, IPv6)"
stop_pw
echo "all $CHECKS checks passed"
