#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The automatic LAN, and LAN sources only where the LAN is.  Automatic
# zones (lan_networks and lan_interfaces auto), with the documentation
# prefixes of the LAN and DHCP links as private_networks (the tests use no
# private-range literals): a DHCP server hands out leases, mDNS from the
# LAN peer and the host's own looped-back mDNS arrive and nothing of it is
# logged, the LAN peer reaches a lan-only port and the Internet does not, a
# container on a bridge named like Docker's reaches it through the gateway
# address, bridges that appear or go away count or stop counting at once,
# and `status` says what each interface's zone is and why, and the LAN.
# Explicit lan_networks on interfaces set to zone lan: the LAN peer reaches
# lan-only ports; its addresses spoofed from the WAN get nothing, whatever
# rp_filter says, and over IPv6.
. tests/integration/lib.sh
require_root
command -v busybox >/dev/null || { echo "busybox (udhcpc) missing: make deps"; exit 77; }
command -v dnsmasq >/dev/null || { echo "dnsmasq missing: make deps"; exit 77; }
make_hosts
id="pw$$"

serve "$NS_HOST" tcp 445	# lan-only (microsoft-ds)
wait_listening "$NS_HOST" tcp 445

# ---- a DHCP client's link: 203.0.113.0/25, the host's dnsmasq serves it
NS_DHCP="$id-dhcp"
new_ns "$NS_DHCP"
ip link add h-dhcp netns "$NS_HOST" type veth peer name c-host netns "$NS_DHCP" || fail "veth"
in_host ip addr add 203.0.113.1/25 dev h-dhcp
in_host ip link set h-dhcp up
ip -n "$NS_DHCP" link set c-host up
in_host dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --group=root \
	--interface=h-dhcp --bind-interfaces --dhcp-range=203.0.113.50,203.0.113.60,255.255.255.128,1h \
	--dhcp-leasefile="$TMP/dnsmasq.leases" --pid-file="$TMP/dnsmasq.pid" --log-dhcp \
	--log-facility="$TMP/dnsmasq.log" &
defer "kill $!"
wait_listening "$NS_HOST" udp 67
cat >"$TMP/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip" >>"$TMP/lease"
exit 0
EOF
chmod +x "$TMP/udhcpc.sh"

# lease: runs a DHCP client until it has a lease or gives up (4 DISCOVERs)
lease() {
	: >"$TMP/lease"
	ip netns exec "$NS_DHCP" busybox udhcpc -i c-host -f -q -n -B -t 4 -T 1 \
		-s "$TMP/udhcpc.sh" >>"$TMP/udhcpc.out" 2>&1
}

# ---- mDNS: a listener on the host joined to both groups on h-lan
cat >"$TMP/mdns.py" <<'PY'
import socket, struct, sys
mode, out = sys.argv[1], sys.argv[2]
if mode == "listen":
    ifname = sys.argv[3]
    idx = socket.if_nametoindex(ifname)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s4.bind(("0.0.0.0", 5353))
    s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                  struct.pack("4s4si", socket.inet_aton("224.0.0.251"), b"\0" * 4, idx))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s6.bind(("::", 5353))
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                  socket.inet_pton(socket.AF_INET6, "ff02::fb") + struct.pack("@I", idx))
    import select
    with open(out, "a", buffering=1) as f:
        f.write("ready\n")
        while True:
            for s in select.select([s4, s6], [], [])[0]:
                data, src = s.recvfrom(2048)
                f.write("%s %s\n" % (src[0], data.decode(errors="replace")))
else:  # send IFNAME SRC4 WORD: one datagram to each group, out of IFNAME
    ifname, src4, word = sys.argv[3], sys.argv[4], out
    idx = socket.if_nametoindex(ifname)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src4))
    s4.sendto((word + "-v4").encode(), ("224.0.0.251", 5353))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    s6.sendto((word + "-v6").encode(), ("ff02::fb", 5353, 0, idx))
PY

# wait_file FILE TEXT WHAT: waits for TEXT to appear in FILE
wait_file() {
	local i
	for i in $(seq 100); do
		grep -q -- "$2" "$1" 2>/dev/null && { ok "$3"; return 0; }
		nap 0.05
	done
	fail "$3: [$2] never appeared in $1"
}

# wait_elem SET ELEM present|absent
wait_elem() {
	local i
	for i in $(seq 100); do
		if set_elems "$1" | grep -qx -- "$2"; then
			[ "$3" = present ] && { ok "@$1 holds $2"; return 0; }
		else
			[ "$3" = absent ] && { ok "@$1 no longer holds $2"; return 0; }
		fi
		nap 0.05
	done
	set_elems "$1"
	fail "@$1: $2 not $3"
}

# spoof tcp|udp SRC DST PORT WORD [IFNAME]: one packet with a forged source,
# sent from the internet peer through its default route (raw socket,
# checksums right); IFNAME: out of that interface (link-scope multicast)
cat >"$TMP/spoof.py" <<'PY'
import socket, struct, sys
proto, src, dst, port, word = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
scope = socket.if_nametoindex(sys.argv[6]) if len(sys.argv) > 6 else 0
v6 = ":" in src
fam = socket.AF_INET6 if v6 else socket.AF_INET
s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
num = 6 if proto == "tcp" else 17
if proto == "tcp":
    l4 = struct.pack("!HHIIBBHHH", 40123, port, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
else:
    l4 = struct.pack("!HHHH", 40123, port, 8 + len(word), 0) + word.encode()
pseudo = s + d + (struct.pack("!IxxxB", len(l4), num) if v6 else struct.pack("!xBH", num, len(l4)))
c = csum(pseudo + l4)
off = 16 if proto == "tcp" else 6
l4 = l4[:off] + struct.pack("!H", c) + l4[off + 2:]
if v6:
    ip = struct.pack("!IHBB", 6 << 28, len(l4), num, 64) + s + d
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.sendto(ip + l4, (dst, 0, 0, scope))
else:
    ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(l4), 1, 0, 64, num, 0) + s + d
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.sendto(ip + l4, (dst, 0))
PY
spoof() { in_inet python3 "$TMP/spoof.py" "$@" || fail "spoof $*"; }

# ======== automatic zones: lan_networks = auto, lan_interfaces = auto
start_pw "private_networks = 203.0.113.0/25, 192.0.2.0/24, 2001:db8:200::/64"
expect_contains "$(cat "$TMP/pw.out")" "lan_networks auto, lan_interfaces auto" \
	"the daemon starts with the automatic LAN"

lease || { cat "$TMP/udhcpc.out" "$TMP/dnsmasq.log"; fail "no DHCP lease under the default config"; }
grep -qE '^203\.0\.113\.(5[0-9]|60)$' "$TMP/lease" || fail "lease outside the range: $(cat "$TMP/lease")"
ok "DHCP client got a lease $(cat "$TMP/lease") (DISCOVER from 0.0.0.0 to the broadcast address)"
set_has blocked udp 67 && fail "67/udp was blocked"
ok "67/udp (lan-only) not blocked"

in_host python3 "$TMP/mdns.py" listen "$TMP/mdns.out" h-lan &
defer "kill $!"
wait_file "$TMP/mdns.out" ready "mDNS listener ready"
queued=$(queue_seq)
in_lan python3 "$TMP/mdns.py" send peer l-host "$LAN4"
wait_file "$TMP/mdns.out" "$LAN4 peer-v4" "mDNS (IPv4) from the LAN peer arrives"
wait_file "$TMP/mdns.out" "fe80::.* peer-v6" "mDNS (IPv6, link-local source) from the LAN peer arrives"
in_host python3 "$TMP/mdns.py" send self h-lan "$HOSTLAN4"
wait_file "$TMP/mdns.out" "$HOSTLAN4 self-v4" "the host's own mDNS, looped back, arrives"
wait_file "$TMP/mdns.out" "self-v6" "the host's own IPv6 mDNS, looped back, arrives"
# decided in the kernel: link-layer multicast from the LAN, and the host's
# own packets looped back on h-lan (not lo), never reach the worker
[ "$(queue_seq)" = "$queued" ] || fail "mDNS went to the queue ($queued -> $(queue_seq))"
ok "no mDNS packet was queued"

# auto trusts private_networks: the LAN peer, not the Internet
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 open
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 445 open
expect_probe "$NS_INET" tcp "$HOST4" 445 silent
wait_log '"dport":445' "\"src\":\"$INET4\""
grep -q "\"src\":\"$LAN4\"" "$PW_LOG" && fail "the LAN peer was logged: $(grep "$LAN4" "$PW_LOG")"
ok "the LAN peer's connections are not logged"
grep '"dport":5353' "$PW_LOG" && fail "mDNS was logged as blocked"
ok "nothing about 5353 in the log (the host's own multicast included)"

# ---- a container bridge that appears after the start, Docker-style
ip link add docker0 netns "$NS_HOST" type bridge || fail "bridge"
in_host ip addr add 203.0.113.129/25 dev docker0
in_host ip link set docker0 up
NS_CT="$id-ct"
new_ns "$NS_CT"
ip link add veth-ct netns "$NS_HOST" type veth peer name eth0 netns "$NS_CT" || fail "veth"
in_host ip link set veth-ct master docker0 up
ip -n "$NS_CT" addr add 203.0.113.130/25 dev eth0
ip -n "$NS_CT" link set eth0 up
ip -n "$NS_CT" route add default via 203.0.113.129
wait_elem lan_ifaces docker0 present
expect_probe "$NS_CT" tcp 203.0.113.129 445 open
expect_probe "$NS_INET" tcp "$HOST4" 445 silent

ip link add br-test netns "$NS_HOST" type bridge || fail "bridge br-test"
wait_elem lan_ifaces br-test present
wait_elem zone_lan br-test present
in_host ip link del br-test
wait_elem lan_ifaces br-test absent
wait_elem zone_lan br-test absent
# private_networks decide which subnets count: not the Internet's
set_elems lan_subnets_v4 | grep -qx "h-lan . 192.0.2.0/24" || fail "no subnet element for h-lan"
set_elems lan_subnets_v4 | grep -qx "h-dhcp . 203.0.113.0/25" || fail "no subnet element for h-dhcp"
set_elems lan_subnets_v4 | grep -q "198.51.100" && fail "the Internet's subnet is LAN: $(set_elems lan_subnets_v4)"
ok "@lan_subnets_v4 holds the private_networks subnets, each on its interface, and not the Internet's"
set_elems zone_public | grep -qx h-inet || fail "h-inet is not in zone public: $(set_elems zone_public)"
ok "h-inet, with only public addresses, is in zone public"
expect_contains "$(cat "$TMP/pw.out")" "LAN changed" "the daemon logs LAN changes"
grep "LAN changed" "$TMP/pw.out"

st=$(in_host "$PW" status)
expect_contains "$st" "docker0" "status lists the container bridge"
expect_contains "$st" "container/VM bridge (docker*)" "status says why the bridge is LAN"
expect_contains "$st" "fe80::/64 on h-lan" "status lists the link-local subnet of a lan interface"
expect_contains "$st" "link-layer multicast" "status lists link-layer multicast"
expect_contains "$st" "h-lan            lan     private subnet 192.0.2.0/24 (private_networks) connected" \
	"status says why h-lan is in zone lan"
expect_contains "$st" "h-inet           public  only public addresses" "status says why h-inet is public"
in_host "$PW" status --json | python3 -c '
import json, sys
st = json.load(sys.stdin)
lan = {p["part"]: p["reason"] for p in st["lan"]}
assert lan["docker0"] == "container/VM bridge (docker*)", lan
assert "link-layer broadcast to a broadcast address" in lan, lan
assert not any(p.startswith("fe80::/64 on h-inet") for p in lan), lan
zones = {z["interface"]: (z["zone"], z["reason"]) for z in st["zones"]}
assert zones["h-inet"] == ("public", "only public addresses"), zones
assert zones["h-dhcp"][0] == "lan" and zones["docker0"][0] == "lan", zones' || fail "status --json lan"
ok "status --json lists the zones and the LAN parts with their reasons"

nft_json >"$TMP/ruleset.json"
python3 - "$TMP/ruleset.json" <<'PY' || fail "LAN chain shape"
import json, sys
objs = json.load(open(sys.argv[1]))["nftables"]
rules = [o["rule"] for o in objs if "rule" in o]
lan = [r for r in rules if r["chain"] == "lan"]
text = json.dumps(lan)
rpath = [i for i, r in enumerate(lan) if '"fib"' in json.dumps(r) and "oif" in json.dumps(r)]
subnets = [i for i, r in enumerate(lan) if "lan_subnets_v4" in json.dumps(r)]
assert rpath and subnets and rpath[0] < subnets[0], lan
assert "return" in json.dumps(lan[rpath[0]]), lan[rpath[0]]
assert '"iifname"' in text and "lan_subnets_v4" in text and "lan_subnets_v6" in text
assert not any('"ct"' in json.dumps(r) for r in rules), "conntrack in the host table"
sets = {o["set"]["name"]: o["set"] for o in objs if "set" in o}
assert sets["lan_subnets_v4"]["type"] == ["ifname", "ipv4_addr"], sets["lan_subnets_v4"]
assert "interval" in sets["lan_subnets_v6"]["flags"]
PY
ok "chain lan: reverse-path check before the sources, interface-bound subnet sets, no conntrack"
stop_pw

# ======== lan_networks = none, lan_interfaces = none (untrusted Wi-Fi)
start_pw "lan_networks = none" "lan_interfaces = none"
: >"$TMP/mdns.out"
queued=$(queue_seq)
in_host python3 "$TMP/mdns.py" send self2 h-lan "$HOSTLAN4"
wait_file "$TMP/mdns.out" "$HOSTLAN4 self2-v4" "none: the host's own mDNS, looped back, arrives"
wait_file "$TMP/mdns.out" "self2-v6" "none: the host's own IPv6 mDNS, looped back, arrives"
[ "$(queue_seq)" = "$queued" ] || fail "none: the host's own mDNS went to the queue"
ok "none: the host's own looped-back mDNS is the host's own traffic, not queued"
in_lan python3 "$TMP/mdns.py" send peer2 l-host "$LAN4"
wait_log '"dport":5353' "\"src\":\"$LAN4\"" '"action":"blocked"'
ok "none: the LAN peer's mDNS is blocked and logged"
# the host's own address forged by the LAN peer: not the host's own traffic
hostll=$(in_host ip -6 -o addr show dev h-lan scope link | awk '{print $4}' | cut -d/ -f1)
# forged own sources are martians: dropped before the queue, as the
# routing decision would, counted by their rule and never logged
forged_count() {
	nft_json | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and r.get("comment", "").startswith("guarded port, source forged"):
        print(sum(e["counter"]["packets"] for e in r["expr"] if "counter" in e))'
}
f0=$(forged_count)
in_lan python3 "$TMP/spoof.py" udp "$hostll" ff02::fb 5353 forged-v6 l-host || fail "forged IPv6 mDNS"
in_lan python3 "$TMP/spoof.py" udp "$HOSTLAN4" 224.0.0.251 5353 forged-v4 || fail "forged IPv4 mDNS"
for i in $(seq 200); do [ "$(forged_count)" -ge $((f0 + 2)) ] && break; nap 0.05; done
[ "$(forged_count)" -ge $((f0 + 2)) ] || fail "the forged datagrams did not meet the martian rule"
ok "none: mDNS forging the host's own addresses (IPv4, IPv6) is dropped as a martian"
grep -q "\"src\":\"$hostll\"" "$PW_LOG" && fail "a forged own source was logged as an attempt"
ok "none: forged own sources are not logged as attempts"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 silent	# a fact after the forged datagrams
grep -q forged "$TMP/mdns.out" && fail "a datagram forging the host's address got in"
ok "none: datagrams forging the host's own address (IPv4, IPv6) do not count as its own"
grep "\"dport\":5353" "$PW_LOG" | grep -q "\"src\":\"$HOSTLAN4\"" && fail "the host's own mDNS was logged"
ok "none: the host's own mDNS is not logged"
stop_pw

# ======== explicit lan_networks, zones by name: reverse-path checked
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64" "zone.h-dhcp = lan"
lease || { cat "$TMP/udhcpc.out"; fail "no DHCP lease with only lan_networks set"; }
ok "DHCP lease on the interface set to zone lan"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 open
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 445 open
# lan-only 2049/udp (nfs): a server that writes down every datagram
in_host socat -u UDP6-RECV:2049,ipv6only=0 OPEN:"$TMP/udp.out",creat,append &
defer "kill $!"
wait_listening "$NS_HOST" udp 2049

# SYN-ACKs leaving the host for port 445, counted by a table of the test's own
in_host nft -f - <<'EOF'
table inet pwtest {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp sport 445 tcp flags & (syn | ack) == syn | ack counter
	}
}
EOF
synacks() {
	in_host nft -j list chain inet pwtest out | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e: print(e["counter"]["packets"])'
}


rp() { in_host sysctl -qw net.ipv4.conf.all.rp_filter="$1" net.ipv4.conf.h-inet.rp_filter="$1"; }
n=10
for mode in 0 2 1; do
	rp "$mode"
	n=$((n + 1))
	spoof tcp "192.0.2.$n" "$HOST4" 445 x
	spoof udp "192.0.2.$n" "$HOST4" 2049 "spoofed-rp$mode"
	if [ "$mode" = 1 ]; then
		# strict rp_filter drops them before the table; a genuine attempt
		# sent after them on the same link is the fact to wait for
		expect_probe "$NS_INET" tcp "$HOST4" 445 silent
		wait_log '"dport":445' "\"src\":\"$INET4\""
	else
		wait_log '"dport":445' "\"src\":\"192.0.2.$n\"" '"iif":"h-inet"'
		wait_log '"dport":2049' "\"src\":\"192.0.2.$n\"" '"iif":"h-inet"'
	fi
	[ "$(synacks)" = 0 ] || fail "rp_filter $mode: a SYN-ACK left for a spoofed LAN source"
	ok "rp_filter $mode: spoofed LAN source from the WAN gets no SYN-ACK on lan-only 445"
done
spoof tcp 2001:db8:200::10 "$HOST6" 445 x
spoof udp 2001:db8:200::10 "$HOST6" 2049 spoofed-v6
wait_log '"dport":445' '"src":"2001:db8:200::10"' '"iif":"h-inet"'
wait_log '"dport":2049' '"src":"2001:db8:200::10"'
[ "$(synacks)" = 0 ] || fail "IPv6: a SYN-ACK left for a spoofed LAN source"
ok "IPv6: spoofed LAN source from the WAN gets no SYN-ACK"
grep -q spoofed "$TMP/udp.out" 2>/dev/null && fail "a spoofed datagram reached the UDP server: $(cat "$TMP/udp.out")"
ok "no spoofed datagram reached the lan-only UDP server (IPv4 with rp_filter 0, 1, 2; IPv6)"

# the genuine LAN still gets in, and the counter counts
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 open
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 445 open
[ "$(synacks)" -ge 2 ] || fail "SYN-ACK counter did not count the LAN peer: $(synacks)"
ok "the LAN peer's connections are answered ($(synacks) SYN-ACKs counted)"
echo genuine | in_lan socat -u - "UDP4:$HOSTLAN4:2049"
wait_file "$TMP/udp.out" genuine "the LAN peer's datagram reaches the lan-only UDP server"
stop_pw
