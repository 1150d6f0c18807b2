#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Zones and link scope.  The host's only segment besides its WAN is in zone
# public, because it has only public addresses (a hoster's shared VLAN,
# the café's network): a stranger on it gets silence on every lan-only TCP
# and UDP port through link-local addresses, and through unicast IP in
# broadcast and multicast frames (scapy), and a forged source gets no
# reflection.  169.254 and fe80 sources from the WAN and from two hops away
# behind a Linux router get silence and a log line, also when a zeroconf
# route on the LAN side makes the table's reverse-path check fail (the
# worker must not accept what the table refused); 255.255.255.255 and
# ff02::1 in unicast frames from the WAN are dropped and logged.  The zone
# follows `portwarden zone` and portwarden.conf at once, and a peer of a
# lan interface reaches its lan-only ports through link scope.  The sets
# are read back with nft.
. tests/integration/lib.sh
require_root
command -v nmap >/dev/null || { echo "nmap missing: make deps"; exit 77; }
python3 -c 'import scapy' 2>/dev/null || { echo "python3-scapy missing: make deps"; exit 77; }
make_hosts
id="pw$$"

for p in 445 5432; do serve "$NS_HOST" tcp "$p"; done
for p in 445 5432; do wait_listening "$NS_HOST" tcp "$p"; done

# lan-only UDP servers that write down every datagram and answer it: an
# answer to a forged source is a reflection
cat >"$TMP/udpd.py" <<'PY'
import select, socket, sys
out, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
socks = []
for p in ports:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", p))
    socks.append(s)
with open(out, "a", buffering=1) as f:
    f.write("ready\n")
    while True:
        for s in select.select(socks, [], [])[0]:
            data, src = s.recvfrom(2048)
            f.write("%d %s %s\n" % (s.getsockname()[1], src[0], data.decode(errors="replace")))
            s.sendto(b"pong", src)
PY
in_host python3 "$TMP/udpd.py" "$TMP/udp.out" 161 5355 11211 &
defer "kill $!"
for p in 161 5355 11211; do wait_listening "$NS_HOST" udp "$p"; done

# frames of any shape from a namespace: scapy's sendp
#   frames.py IFNAME KIND SRC DST PORT WORD
cat >"$TMP/frames.py" <<'PY'
import sys
from scapy.all import Ether, IP, IPv6, UDP, Raw, sendp, get_if_hwaddr
ifname, kind, src, dst, port, word = sys.argv[1:7]
macs = {"bcast": "ff:ff:ff:ff:ff:ff", "mcast4": "01:00:5e:00:00:fb", "mcast6": "33:33:00:00:00:01"}
l2 = Ether(src=get_if_hwaddr(ifname), dst=macs.get(kind, kind))
l3 = IPv6(src=src, dst=dst) if ":" in dst else IP(src=src, dst=dst)
sendp(l2 / l3 / UDP(sport=40123, dport=int(port)) / Raw(word.encode()), iface=ifname, verbose=0)
PY
frame() {	# frame NS IFNAME KIND SRC DST PORT WORD
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$TMP/frames.py" "$@" || fail "sendp $*"
}
mac_of() { ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
ll_of() { ip -n "$1" -6 -o addr show dev "$2" scope link | awk '{print $4}' | cut -d/ -f1; }

# delivered WORD: a datagram with WORD reached a server
delivered() { grep -q -- "$1" "$TMP/udp.out"; }

# packets the host sent to a forged source, counted by a table of the test's own
in_host nft -f - <<'EOF'
table inet pwtest {
	chain out {
		type filter hook output priority 0; policy accept;
		ip daddr 203.0.113.77 counter
	}
}
EOF
reflected() {
	in_host nft -j list chain inet pwtest out | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e: print(e["counter"]["packets"])'
}

pwz() { in_host "$PW" --config "$TMP/pw.conf" "$@"; }

# The segment's gateway is the LAN peer's address, so that every source
# arriving there passes the reverse-path check: only the zone can refuse it
in_host ip route add default via "$LAN4"
in_host ip -6 route add default via "$LAN6"
HOSTLL=$(ll_of "$NS_HOST" h-lan)
HOSTMAC=$(mac_of "$NS_HOST" h-lan)
start_pw
wait_until "h-lan in zone public" sh -c "ip netns exec $NS_HOST nft list set inet portwarden zone_public | grep -q h-lan"
set_elems zone_public | grep -qx h-lan || fail "h-lan not in @zone_public"
set_elems zone_lan | grep -q h-lan && fail "h-lan in @zone_lan"
expect_contains "$(pwz zone)" "h-lan            public  only public addresses" \
	"portwarden zone: h-lan is public, with only public addresses"

# ======== a stranger on the public segment
expect_probe "$NS_LAN" tcp "$HOSTLL%l-host" 445 silent
expect_probe "$NS_LAN" tcp "$HOSTLL%l-host" 5432 silent
expect_probe "$NS_LAN" udp "$HOSTLL%l-host" 11211 silent
expect_probe "$NS_LAN" udp "$HOSTLL%l-host" 5355 silent
wait_log '"dport":445' "\"src\":\"fe80::" '"iif":"h-lan"'

# every lan-only TCP port, through link-local: filtered (a SYN-ACK or a
# reset would say the kernel let it through)
tcp_ports=$(set_elems lan_only | awk '$1 == "tcp" {print $3}' | paste -sd,)
[ -n "$tcp_ports" ] || fail "no lan-only TCP port in @lan_only"
ip netns exec "$NS_LAN" nmap -6 -n -Pn -sS -e l-host --max-retries 0 --host-timeout 120s \
	-p "$tcp_ports" "$HOSTLL" -oG "$TMP/nmap.out" >/dev/null 2>&1 || fail "nmap"
grep -q "^Host: " "$TMP/nmap.out" || { cat "$TMP/nmap.out"; fail "nmap scanned nothing"; }
if grep -oE '[0-9]+/(open|closed)/' "$TMP/nmap.out"; then
	fail "lan-only TCP ports answered the stranger over link-local"
fi
ok "$(echo "$tcp_ports" | tr , '\n' | wc -l) lan-only TCP ports: none open or closed to the stranger over link-local"

# every lan-only UDP port, through link-local and through broadcast frames:
# no ICMP port unreachable comes back (it would for a closed port the
# kernel let through), no server sees the datagrams
udp_ports=$(set_elems lan_only | awk '$1 == "udp" {print $3}' | paste -sd' ')
cat >"$TMP/udpscan.py" <<'PY'
import sys, time
from scapy.all import Ether, IP, IPv6, UDP, Raw, sendp, sniff, get_if_hwaddr, ICMP, ICMPv6DestUnreach, AsyncSniffer
ifname, mac, src4, dst4, src6, dst6 = sys.argv[1:7]
ports = [int(p) for p in sys.argv[7:]]
me = get_if_hwaddr(ifname)
sn = AsyncSniffer(iface=ifname, store=True,
                  lfilter=lambda p: (ICMP in p and p[ICMP].type == 3) or ICMPv6DestUnreach in p)
sn.start()
time.sleep(0.5)
frames = []
for p in ports:
    frames.append(Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / IP(src=src4, dst=dst4) / UDP(sport=40001, dport=p) / Raw(b"scan-b4"))
    frames.append(Ether(src=me, dst=mac) / IPv6(src=src6, dst=dst6) / UDP(sport=40001, dport=p) / Raw(b"scan-ll"))
sendp(frames, iface=ifname, verbose=0, inter=0.002)
time.sleep(1.5)
sn.stop()
print(len(sn.results))
PY
LANLL=$(ll_of "$NS_LAN" l-host)
unreach=$(ip netns exec "$NS_LAN" python3 "$TMP/udpscan.py" l-host "$HOSTMAC" "$LAN4" "$HOSTLAN4" \
	"$LANLL" "$HOSTLL" $udp_ports) || fail "UDP scan"
[ "$unreach" = 0 ] || fail "$unreach ICMP port unreachables came back from lan-only UDP ports"
delivered scan- && fail "a scan datagram reached a server: $(grep scan- "$TMP/udp.out")"
ok "$(echo $udp_ports | wc -w) lan-only UDP ports: silence over link-local and in broadcast frames"

# unicast IP in broadcast and multicast frames, and a forged source: no
# delivery, no answer to the forged address
r0=$(reflected)
frame "$NS_LAN" l-host bcast "$LAN4" "$HOSTLAN4" 11211 bcast-frame
frame "$NS_LAN" l-host mcast4 "$LAN4" "$HOSTLAN4" 161 mcast-frame
frame "$NS_LAN" l-host mcast6 "$LAN6" "$HOSTLAN6" 5355 mcast6-frame
frame "$NS_LAN" l-host bcast 203.0.113.77 "$HOSTLAN4" 5355 forged-llmnr
wait_log '"dport":5355' '"src":"203.0.113.77"'
expect_probe "$NS_LAN" udp "$HOSTLL%l-host" 161 silent	# a fact after the frames
for w in bcast-frame mcast-frame mcast6-frame forged-llmnr; do
	delivered "$w" && fail "$w reached a server"
done
ok "unicast IP in broadcast and multicast frames from the stranger: not delivered"
[ "$(reflected)" = "$r0" ] || fail "the host answered the forged source 203.0.113.77"
ok "no answer left for the forged source (no reflection)"

# ======== broadcast and multicast destinations in unicast frames from the WAN
WANMAC=$(mac_of "$NS_HOST" h-inet)
frame "$NS_INET" i-host "$WANMAC" "$INET4" 255.255.255.255 161 wan-bcast
frame "$NS_INET" i-host "$WANMAC" "$INET6" ff02::1 161 wan-mcast6
wait_log '"dport":161' '"dst":"255.255.255.255"' '"iif":"h-inet"'
wait_log '"dport":161' '"dst":"ff02::1"' '"iif":"h-inet"'
delivered wan-bcast && fail "255.255.255.255:161 from the WAN was delivered"
delivered wan-mcast6 && fail "ff02::1:161 from the WAN was delivered"
ok "255.255.255.255 and ff02::1 in unicast frames from the WAN: dropped and logged"

# ======== 169.254 and fe80 sources from the WAN, and two hops away
in_host ip route replace default via "$INET4"
ip -n "$NS_INET" addr add 169.254.1.1/24 dev i-host
NS_FAR="$id-far"
new_ns "$NS_FAR"
ip link add i-far netns "$NS_INET" type veth peer name far0 netns "$NS_FAR" || fail "veth far"
ip -n "$NS_INET" addr add 169.254.9.1/24 dev i-far
ip -n "$NS_INET" link set i-far up
ip -n "$NS_FAR" addr add 169.254.9.9/24 dev far0
ip -n "$NS_FAR" link set far0 up
ip -n "$NS_FAR" route add default via 169.254.9.1
ip netns exec "$NS_INET" sysctl -qw net.ipv4.ip_forward=1
# from 169.254.1.1 (the WAN neighbour) and 169.254.9.9 (behind it)
probe_from() {	# probe_from NS SRC PROTO PORT: what a client bound to SRC sees
	ip netns exec "$1" python3 - "$2" "$3" "$HOST4" "$4" <<'PY'
import socket, sys
src, proto, dst, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.bind((src, 0))
s.settimeout(1.5)
try:
    if proto == "tcp":
        s.connect((dst, port))
    else:
        s.sendto(b"from-" + src.encode(), (dst, port))
        s.recvfrom(100)
    print("open")
except socket.timeout:
    print("silent")
except ConnectionRefusedError:
    print("refused")
PY
}
for src_ns in "$NS_INET 169.254.1.1" "$NS_FAR 169.254.9.9"; do
	set -- $src_ns
	for pp in "tcp 5432" "udp 161" "udp 11211"; do
		got=$(probe_from "$1" "$2" $pp)
		[ "$got" = silent ] || fail "$pp from $2: $got, want silent"
		ok "$pp from $2 ($( [ "$2" = 169.254.1.1 ] && echo WAN neighbour || echo two hops away)): silent"
	done
	wait_log "\"src\":\"$2\"" '"dport":5432'
done
delivered from-169.254 && fail "a 169.254 datagram reached a server"
INETLL=$(ll_of "$NS_INET" i-host)
expect_probe "$NS_INET" tcp "$(ll_of "$NS_HOST" h-inet)%i-host" 5432 silent
wait_log '"dport":5432' "\"src\":\"$INETLL\""
ok "fe80 source from the WAN: silent and logged"

# ======== the zone follows the command and portwarden.conf
pwz zone h-lan lan >"$TMP/zone.out" || { cat "$TMP/zone.out"; fail "portwarden zone h-lan lan"; }
set_elems zone_lan | grep -qx h-lan || fail "h-lan not in @zone_lan after portwarden zone h-lan lan"
set_elems lan_subnets_v6 | grep -qx "h-lan . fe80::/64" || fail "no link-local subnet for h-lan: $(set_elems lan_subnets_v6)"
ok "portwarden zone h-lan lan: @zone_lan and @lan_subnets_v6 hold h-lan"
expect_probe "$NS_LAN" tcp "$HOSTLL%l-host" 445 open
expect_probe "$NS_LAN" udp "$HOSTLL%l-host" 11211 open
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 silent	# a public address: not a private subnet
frame "$NS_LAN" l-host bcast "$LAN4" 255.255.255.255 161 lan-broadcast
wait_until "the LAN's broadcast delivered" delivered lan-broadcast
ok "a peer of a lan interface: its link-local connections and broadcasts get through"
# the edit lock allow and guard take (here portwarden.conf's directory:
# there is no /etc/portwarden for local.rules): held elsewhere, zone waits
# before it reads anything
exec {lockfd}<"$TMP"
flock -x "$lockfd"
pwz zone h-lan public >"$TMP/zone.out" 2>&1 &
zonepid=$!
wait_until "portwarden zone waits for the lock" grep -q "waiting for another command" "$TMP/zone.out"
grep -q '^zone.h-lan = lan$' "$TMP/pw.conf" || fail "portwarden.conf changed under the lock: $(cat "$TMP/pw.conf")"
flock -u "$lockfd"
exec {lockfd}<&-
wait "$zonepid" || { cat "$TMP/zone.out"; fail "portwarden zone h-lan public"; }
ok "portwarden zone waits for the edit lock, then writes"
expect_contains "$(cat "$TMP/zone.out")" "enforces it" "portwarden zone waits for the kernel"
expect_probe "$NS_LAN" tcp "$HOSTLL%l-host" 445 silent
grep -q '^zone.h-lan = public$' "$TMP/pw.conf" || fail "portwarden.conf: $(cat "$TMP/pw.conf")"
ok "portwarden zone wrote zone.h-lan = public to portwarden.conf"
# by hand: portwarden.conf and SIGHUP
sed -i 's/^zone.h-lan = public$/zone.h-lan = lan/' "$TMP/pw.conf"
kill -HUP "$PW_PID"
wait_until "h-lan in @zone_lan after SIGHUP" sh -c "ip netns exec $NS_HOST nft list set inet portwarden zone_lan | grep -q h-lan"
expect_probe "$NS_LAN" tcp "$HOSTLL%l-host" 445 open
kill -0 "$PW_PID" || fail "portwarden died"
stop_pw

# a zeroconf route on the LAN side: the WAN's 169.254 source fails the
# table's reverse-path check and reaches the worker, which must refuse it too
# a fresh daemon, so that nothing is in @blocked yet: the first datagram
# reaches the worker
in_host sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.h-inet.rp_filter=0
start_pw "zone.h-lan = lan"
in_host ip addr add 169.254.5.1/16 dev h-lan
ip -n "$NS_LAN" addr add 169.254.5.2/16 dev l-host
wait_until "169.254/16 on h-lan in @lan_subnets_v4" sh -c \
	"ip netns exec $NS_HOST nft list set inet portwarden lan_subnets_v4 | grep -q '\"h-lan\" . 169.254.0.0/16'"
q0=$(queue_seq)
got=$(probe_from "$NS_INET" 169.254.1.1 udp 11211)
[ "$got" = silent ] || fail "udp 11211 from 169.254.1.1 with a zeroconf route on h-lan: $got"
[ "$(queue_seq)" -gt "$q0" ] || fail "the datagram did not reach the worker"
wait_log '"src":"169.254.1.1"' '"dport":11211'
delivered from-169.254.1.1 && fail "the worker delivered what the table refused"
ok "169.254 from the WAN, reverse path through the LAN: the worker refuses it too, and logs it"
got=$(probe_from "$NS_LAN" 169.254.5.2 tcp 5432)
[ "$got" = open ] || fail "the LAN neighbour's 169.254 source on a lan interface: $got"
ok "a neighbour's 169.254 source on a lan interface with a 169.254 address reaches 5432"

pwz zone h-lan auto >"$TMP/zone.out" || { cat "$TMP/zone.out"; fail "portwarden zone h-lan auto"; }
expect_probe "$NS_LAN" tcp "$HOSTLL%l-host" 445 silent
expect_contains "$(pwz zone)" "h-lan            public  only public addresses" \
	"auto again: h-lan is public for its addresses"
grep -q '^zone.h-lan' "$TMP/pw.conf" && fail "zone.h-lan still in portwarden.conf: $(cat "$TMP/pw.conf")"
ok "portwarden zone h-lan auto removed the line"
kill -0 "$PW_PID" || fail "portwarden died"
stop_pw
echo "all $CHECKS checks passed"
