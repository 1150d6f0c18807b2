#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Logging under floods.  A SYN flood from ever new /64s of 2001:db8::/32 to
# blocked 5432 fills the kernel's per-source log set (65,536 sources):
# real attempts from the internet to another blocked port, and from the
# LAN to a blocked loopback-only port, are still logged, from a reserve per
# port and input interface that a flood to one port cannot spend; what was
# not logged is counted (status, metrics).  SIGHUPs during the flood keep
# the log's folding windows: a reload closes none of them.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 5432
serve "$NS_HOST" tcp 3306
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 5432
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64" "metrics_file = $TMP/pw.prom"
# 3306 is blocked from the internet's IPv4 address: the attempt from its
# IPv6 address during the flood must be that source's first, since a
# repeat within the log's folding window (a retransmitted SYN of an
# earlier probe, say) is counted into that window's line by design
for p in 5432 143; do expect_probe "$NS_INET" tcp "$HOST6" $p silent; done
expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
for p in 5432 3306 143; do set_has blocked tcp $p || fail "$p not blocked"; done
ok "5432, 3306 and 143 are blocked"

# packets_of PORT: the kernel's count of dropped attempts to a blocked port
packets_of() {
	in_host "$PW" --json status | python3 -c '
import json, sys
for p in json.load(sys.stdin)["blocked"]:
    if p["port"] == int(sys.argv[1]) and p["proto"] == "tcp":
        print(p["packets"])' "$1"
}
mac=$(ip -n "$NS_HOST" -j link show h-inet | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
p0=$(packets_of 5432)
ip netns exec "$NS_INET" "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 5432 \
	netsflood6 4000000000 \
	>/dev/null &
FLOODER=$!
defer "kill $FLOODER"
# the per-source set holds 65,536 sources (the /64s logged in the last
# second, and those expired since the kernel's last clean-up): the reserve
# rule logs the sources it could not take
reserved() {
	nft_json | python3 -c '
import json, sys
print(sum(e["counter"]["packets"] for o in json.load(sys.stdin)["nftables"]
          if "rule" in o and o["rule"]["chain"] == "blocked" and "reserve" in o["rule"].get("comment", "")
          for e in o["rule"]["expr"] if "counter" in e))'
}
for i in $(seq 60); do [ "$(reserved)" -ge 1 ] && break; nap 0.5; done
[ "$(reserved)" -ge 1 ] || fail "the flood never filled the per-source set: the test cannot tell"
ok "the flood fills the per-source log set ($(( $(packets_of 5432) - p0 )) SYNs so far)"

lines0=$(wc -l <"$PW_LOG")
expect_probe "$NS_INET" tcp "$HOST6" 3306 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 143 silent
logged() {	# logged SRC PORT: a line for that source and port came after the flood began
	tail -n +"$((lines0 + 1))" "$PW_LOG" | grep "\"src\":\"$1\"" | grep -q "\"dport\":$2,"
}
wait_until "the real attempt to 3306 is logged" logged "$INET6" 3306
ok "the internet's attempt to 3306 during the flood is logged"
wait_until "the LAN's attempt to 143 is logged" logged "$LAN6" 143
ok "the LAN's attempt to 143 during the flood is logged"

unlogged=$(in_host "$PW" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["unlogged"])')
[ "$unlogged" -gt 0 ] || fail "status counts no unlogged attempt under the flood"
ok "status counts $unlogged attempts dropped without a log line"
# the metrics file is written every 15 seconds
for i in $(seq 200); do
	grep -q '^portwarden_unlogged_total{path="kernel"} [1-9]' "$TMP/pw.prom" 2>/dev/null && break
	nap 0.1
done
grep -q '^portwarden_unlogged_total{path="kernel"} [1-9]' "$TMP/pw.prom" ||
	fail "the metrics do not count them: $(grep unlogged "$TMP/pw.prom" 2>&1)"
ok "the metrics count them"

# reloads during the flood close no folding window: the flood's folded
# line (source "*") is written once, when its window ends, not per reload
reloads=$(grep -c "reloaded" "$TMP/pw.out")
folded0=$(grep -c '"src":"\*"' "$PW_LOG")
for i in $(seq 10); do
	kill -HUP "$PW_PID"
	nap 0.2
done
wait_until "ten reloads" [ "$(grep -c "reloaded" "$TMP/pw.out")" -ge $((reloads + 10)) ]
folded=$(( $(grep -c '"src":"\*"' "$PW_LOG") - folded0 ))
[ "$folded" -eq 0 ] || fail "10 reloads during the flood wrote $folded folded lines"
ok "10 reloads during the flood wrote no folded line: the windows stay"
kill "$FLOODER"
kill -0 "$PW_PID" || fail "portwarden died"
stop_pw
echo "all $CHECKS checks passed"
