#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sources per port: `allow PORT --from NET` admits that network to a
# guarded port and nothing else, over IPv4 and IPv6, in the kernel; an
# address of the network forged on another interface gets nothing; a port
# the worker blocked for others stays open to its listed sources.
. tests/integration/lib.sh
trap 'cat "$TMP/pw.out" >&2; on_exit' EXIT
require_root
make_hosts
# a site network one hop away: 203.0.113.0/24 and 2001:db8:113::/64
NS_SITE="pw$$-site" SITE4=203.0.113.2 SITE6=2001:db8:113::2
new_ns "$NS_SITE"
link_ns "$NS_HOST" h-site 203.0.113.1 2001:db8:113::1 "$NS_SITE" s-host "$SITE4" "$SITE6"
ip -n "$NS_SITE" route add default via 203.0.113.1
ip -n "$NS_SITE" -6 route add default via 2001:db8:113::1
in_site() { ip netns exec "$NS_SITE" "$@"; }

serve "$NS_HOST" tcp 9100
serve_udp "$NS_HOST" 161
wait_listening "$NS_HOST" tcp 9100
wait_listening "$NS_HOST" udp 161
LOCAL="$TMP/local.rules"
printf '# site overrides\n' >"$LOCAL"
PW_LOCAL_RULES="$LOCAL"
start_pw
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" --log "$PW_LOG" "$@"; }

# before: the site is no LAN of this host (documentation prefixes are not
# private), so lan-only 9100 is closed to it like to everyone outside
expect_probe "$NS_SITE" tcp "$HOST4" 9100 silent

out=$(pw allow 9100 --from 2001:db8:113::7/64 2>&1); rc=$?
[ $rc = 2 ] || fail "a network with host bits set exited $rc, want 2: $out"
expect_contains "$out" "did you mean 2001:db8:113::/64?" "host bits: the network meant is named"
out=$(pw allow 9100 --from 203.0.113.0/24,2001:db8:113::/64 --why "site scraper") ||
	fail "allow --from exited $?: $out"
expect_contains "$out" "lan-only -> lan-only, from 203.0.113.0/24 2001:db8:113::/64" "allow --from prints the change"
expect_contains "$out" "reloaded: the daemon (pid $PW_PID) enforces it" "the daemon applies it"
expect_contains "$(cat "$LOCAL")" "# site overrides" "the admin's comment survives"
expect_contains "$(cat "$LOCAL")" "9100/tcp  jetdirect  lan-only" "the entry keeps the port's policy"
expect_contains "$(cat "$LOCAL")" "	from 203.0.113.0/24 2001:db8:113::/64" "the sources are written as a from line"
expect_contains "$(cat "$LOCAL")" "site scraper" "with the admin's reason"
out=$(pw allow 9100 --from 203.0.113.0/25) || fail "allow of a listed network exited $?"
expect_contains "$out" "admits that network already; nothing to change" "a network already admitted changes nothing"
out=$(pw allow 161/udp --from 203.0.113.0/24) || fail "allow 161/udp --from exited $?: $out"
out=$(pw lookup 9100/tcp)
expect_contains "$out" "203.0.113.0/24 2001:db8:113::/64" "lookup shows the sources"

# the kernel holds them, read back with the real nft
nft_json >"$TMP/ruleset.json"
python3 - "$TMP/ruleset.json" <<'PY' || fail "sources in the kernel"
import json, sys
objs = json.load(open(sys.argv[1]))["nftables"]
sets = {o["set"]["name"]: o["set"] for o in objs if "set" in o}
v4, v6 = sets["sources_v4"], sets["sources_v6"]
assert v4["type"] == ["inet_proto", "inet_service", "ipv4_addr"], v4
assert v6["type"] == ["inet_proto", "inet_service", "ipv6_addr"], v6
assert "interval" in v4["flags"], v4
def elems(s):
    out = []
    for e in s.get("elem", []):
        val = e["elem"]["val"] if "elem" in e else e
        c = val["concat"]
        net = c[2]["prefix"] if isinstance(c[2], dict) else {"addr": c[2], "len": None}
        out.append((c[0], c[1], net["addr"], net["len"]))
    return sorted(out)
assert elems(v4) == [("tcp", 9100, "203.0.113.0", 24), ("udp", 161, "203.0.113.0", 24)], elems(v4)
assert elems(v6) == [("tcp", 9100, "2001:db8:113::", 64)], elems(v6)
rules = [o["rule"] for o in objs if "rule" in o and o["rule"]["chain"] == "prerouting"]
text = [json.dumps(r) for r in rules]
src = [i for i, t in enumerate(text) if "@sources_v4" in t][0]
lan = [i for i, t in enumerate(text) if "@lan_only" in t][0]
blocked = [i for i, t in enumerate(text) if "@blocked" in t][0]
assert src < lan < blocked, (src, lan, blocked)
assert '"fib"' in text[src] and '"oif"' in text[src], text[src]
assert "local.rules:" in json.dumps(v4), "element comments name the file and line"
PY
ok "sources_v4/6 hold exactly the listed networks; their rule checks the reverse path before chain lan and @blocked"

# the listed network reaches the port, over IPv4 and IPv6; others do not
expect_probe "$NS_SITE" tcp "$HOST4" 9100 open
expect_probe "$NS_SITE" tcp "$HOST6" 9100 open
# (a UDP server bound to :: answers from the address facing the client)
expect_probe "$NS_SITE" udp 203.0.113.1 161 open
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 9100 silent	# another documentation network
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 9100 silent
expect_probe "$NS_INET" tcp "$HOST4" 9100 silent	# the Internet
expect_probe "$NS_INET" tcp "$HOST6" 9100 silent
expect_probe "$NS_INET" udp "$HOST4" 161 silent
expect_probe "$NS_SITE" tcp "$HOST4" 5432 silent	# only the ports it is listed for

# the Internet's attempt blocked 9100 in the kernel; the site still gets in
# and talks (segments after the SYN pass chain input's stray-segment drop)
wait_until "9100/tcp blocked in the kernel" set_has blocked tcp 9100
expect_probe "$NS_SITE" tcp "$HOST4" 9100 open
got=$(in_site socat -T 3 - "TCP:$HOST4:9100" </dev/null 2>&1)
[ "$got" = pong ] || fail "the listed source's exchange on a blocked port: got [$got]"
ok "a blocked port still serves its listed source"

# an address of the listed network forged on the Internet's interface: the
# route back to it leaves through h-site, so the table does not accept it,
# the worker blocks it and logs it
cat >"$TMP/syn.py" <<'PY'
import socket, struct, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
v6 = ":" in src
fam = socket.AF_INET6 if v6 else socket.AF_INET
s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
tcp = struct.pack("!HHIIBBHHH", 40999, port, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = s + d + (struct.pack("!IxxxB", len(tcp), 6) if v6 else struct.pack("!xBH", 6, len(tcp)))
tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
if v6:
    ip = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + s + d
    socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW).sendto(ip + tcp, (dst, 0))
else:
    ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0) + s + d
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW).sendto(ip + tcp, (dst, 0))
PY
sources_hits() {
	nft_json | python3 -c '
import json, sys
n = 0
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and r["chain"] == "prerouting" and "@sources_v" in json.dumps(r):
        n += sum(e["counter"]["packets"] for e in r["expr"] if "counter" in e)
print(n)'
}
hits=$(sources_hits)
in_inet python3 "$TMP/syn.py" 203.0.113.9 "$HOST4" 9100 || fail "forged SYN (IPv4)"
in_inet python3 "$TMP/syn.py" 2001:db8:113::9 "$HOST6" 9100 || fail "forged SYN (IPv6)"
for f in 203.0.113.9 2001:db8:113::9; do
	for i in $(seq 100); do
		grep -q "\"src\":\"$f\".*\"dport\":9100" "$PW_LOG" && break
		nap 0.05
	done
	grep "\"src\":\"$f\".*\"dport\":9100" "$PW_LOG" | grep -q '"action":"blocked"' ||
		fail "the forged $f on the wrong interface was not blocked: $(cat "$PW_LOG")"
done
[ "$(sources_hits)" = "$hits" ] || fail "a forged source matched the sources rule ($hits -> $(sources_hits))"
ok "a listed network's address forged on another interface is not admitted (IPv4, IPv6): blocked and logged"

# why explains the listed source; an overlay address gets the overlay's
# network (no packet is sent: why only reads)
out=$(pw why "$SITE4" 9100)
expect_contains "$out" "admitted by $LOCAL:5 from 203.0.113.0/24" "why names the line that admits the source"
expect_not_contains "$out" "allow:" "nothing to allow for a listed source"
out=$(pw why 100.100.7.9 5432)
expect_contains "$out" "is an address of Tailscale or another CGNAT overlay" "why names the overlay"
expect_contains "$out" "allow:   portwarden allow 5432/tcp --from 100.64.0.0/10 " "why suggests the overlay's network"
out=$(pw why fd7a:115c:a1e0::5 5432)
expect_contains "$out" "--from fd7a:115c:a1e0::/48 " "and the IPv6 overlay's"

# guard without --from takes the sources away
out=$(pw guard 9100 lan-only) || fail "guard exited $?: $out"
expect_not_contains "$(grep -v '^#' "$LOCAL")" "from 203.0.113.0/24 2001:db8:113::/64" "guard without --from drops the sources"
expect_probe "$NS_SITE" tcp "$HOST4" 9100 silent
# reset takes that one command back, its networks included, confirmed by
# the daemon's answer and in the kernel
out=$(pw reset 9100) || fail "reset exited $?: $out"
expect_contains "$out" "reloaded: the daemon (pid $PW_PID) enforces it" "the daemon applies the reset"
expect_contains "$out" "lan-only in the kernel, from 203.0.113.0/24 2001:db8:113::/64" \
	"and confirms the networks that came back"
expect_contains "$(cat "$LOCAL")" "	from 203.0.113.0/24 2001:db8:113::/64" "reset writes the from line back"
expect_probe "$NS_SITE" tcp "$HOST4" 9100 open
out=$(pw changes) || fail "changes exited $?: $out"
expect_contains "$out" "from 203.0.113.0/24 2001:db8:113::/64" "changes lists the entry's from line"
# a hand edit of nothing but a from line: reload says which ports changed
sed -i 's|^\tfrom 203\.0\.113\.0/24$|\tfrom 203.0.113.0/25|' "$LOCAL"
out=$(pw reload) || fail "reload exited $?: $out"
expect_contains "$out" "161/udp" "reload names the port whose networks changed"
expect_contains "$(grep '161/udp' <<<"$out")" ", other from networks" "and that its networks changed"
expect_not_contains "$out" "9100/tcp" "and no port whose networks stayed"
sed -i 's|^\tfrom 203\.0\.113\.0/25$|\tfrom 203.0.113.0/24|' "$LOCAL"
pw reload >/dev/null || fail "reload after putting the line back"
out=$(pw allow 9100) || fail "allow exited $?"
expect_not_contains "$(sed -n '/^9100/,/^$/p' "$LOCAL")" "from" "open needs no sources"
pw check >/dev/null || fail "local.rules does not load after the edits"
ok "local.rules loads after every edit"

# parallel commands each add their network: the edit lock is held from the
# read to the daemon's answer, so no command's from line is lost, and each
# command's answer confirms the networks it wrote
pids=""
for i in $(seq 0 15); do
	pw allow 6379 --from "203.0.113.$((i * 16))/29" >"$TMP/par.$i" 2>&1 &
	pids="$pids $!"
done
rc=0
for p in $pids; do wait "$p" || rc=1; done
[ "$rc" = 0 ] || fail "a parallel allow --from failed: $(cat "$TMP"/par.*)"
n=$(sed -n '/^6379\/tcp/,/^$/p' "$LOCAL" | grep -c '^	from 203\.0\.113\.[0-9]*/29$')
[ "$n" = 16 ] || fail "16 parallel allow --from left $n networks: $(cat "$LOCAL")"
ok "16 parallel allow --from: 16 from networks in local.rules"
grep -h "in the kernel, from" "$TMP"/par.* | grep -c "6379/tcp" | grep -qx 16 ||
	fail "not every command's answer confirmed its networks: $(cat "$TMP"/par.*)"
ok "every one of the 16 answers confirms the port's networks"
n=$(nft_json | python3 -c '
import json, sys
n = 0
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("set")
    if s and s["name"] == "sources_v4":
        for e in s.get("elem", []):
            val = e["elem"]["val"] if "elem" in e else e
            n += val["concat"][1] == 6379
print(n)')
[ "$n" = 16 ] || fail "sources_v4 holds $n networks for 6379, want 16"
ok "all 16 networks in the kernel"

# a network for a while: admitted now, gone by itself at the time, the
# networks from before kept (the expires line names them)
out=$(pw allow 9100 --lan --from 203.0.113.0/24) || fail "allow --lan --from exited $?: $out"
out=$(pw allow 9100 --from 198.51.100.0/24 --timeout 5s) || fail "allow --from --timeout exited $?: $out"
expect_contains "$out" "then what was there before applies again" "allow --from --timeout says it ends"
expect_contains "$(cat "$LOCAL")" "expires " "the entry carries its end"
expect_contains "$(sed -n '/^9100/,/^$/p' "$LOCAL")" " lan-only from 203.0.113.0/24" \
	"and the networks it had before"
expect_probe "$NS_INET" tcp "$HOST4" 9100 open	# 198.51.100.2, for now
wait_until "the daemon ends the timed networks" grep -q "9100/tcp jetdirect lan-only .* ended at" "$TMP/pw.out"
nft_json >"$TMP/after.json"
python3 - "$TMP/after.json" <<'PY' || fail "the timed network is still in the kernel"
import json, sys
nets = set()
for o in json.load(open(sys.argv[1]))["nftables"]:
    s = o.get("set")
    if s and s["name"] == "sources_v4":
        for e in s.get("elem", []):
            val = e["elem"]["val"] if "elem" in e else e
            c = val["concat"]
            if c[1] == 9100:
                nets.add(c[2]["prefix"]["addr"] if isinstance(c[2], dict) else c[2])
assert nets == {"203.0.113.0"}, nets
PY
ok "at its time the timed network left the kernel, the one from before stayed"
expect_probe "$NS_INET" tcp "$HOST4" 9100 silent
expect_probe "$NS_SITE" tcp "$HOST4" 9100 open
pw check >/dev/null || fail "local.rules does not load after the timed change"
