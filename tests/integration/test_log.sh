#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The blocked-connection log: both paths feed it, floods fold, rotation by
# rename + SIGHUP keeps every entry, and `portwarden log` answers.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 143
start_pw

pwlog() { "$PW" --config /dev/null --log "$PW_LOG" log "$@"; }

# Queue path over IPv4, then the kernel path over IPv6 to the same port.
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_INET" tcp "$HOST6" 143 silent
q=$(grep '"path":"queue"' "$PW_LOG" | grep '"dport":143')
expect_contains "$q" "\"src\":\"$INET4\"" "queue-path entry for the IPv4 attempt"
expect_contains "$q" '"listener":"socat[' "entry names the listening process"
k=$(grep '"path":"kernel"' "$PW_LOG" | grep "\"src\":\"$INET6\"")
expect_contains "$k" '"dport":143' "kernel-path entry for the later IPv6 attempt"
expect_contains "$k" '"service":"imap"' "kernel-path entry annotated from the database"
# a second IPv6 attempt right after the first repeats it: dropped in prerouting
ip netns exec "$NS_INET" "$TOOLS/probe" tcp "$HOST6" 143 300 >/dev/null &
PROBER=$!
nap 0.05
in_inet "$TOOLS/probe" tcp "$HOST6" 143 300 >/dev/null
wait "$PROBER"
repeats6=$(in_host nft -j list chain inet portwarden prerouting | python3 -c '
import json, sys
n = 0
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and any(e.get("match", {}).get("right") == "@logged_v6" for e in r["expr"]):
        n += sum(e["counter"]["packets"] for e in r["expr"] if "counter" in e)
print(n)')
[ "$repeats6" -ge 1 ] || fail "no IPv6 repeat dropped in prerouting"
ok "a repeated IPv6 attempt is dropped before routing ($repeats6)"

# A flood of 100000 SYNs folds into a handful of lines.
before=$(wc -l <"$PW_LOG")
out=$(in_inet "$TOOLS/flood" "$INET4" "$HOST4" 143 100000)
ok "flood sent: $out (packets, per second)"
sleep 1.5
kill -0 "$PW_PID" || fail "portwarden died under the flood"
ok "portwarden survived the flood"
after=$(wc -l <"$PW_LOG")
[ $((after - before)) -le 300 ] || fail "flood added $((after - before)) lines"
ok "flood added $((after - before)) lines"
st=$(in_host "$PW" --json status)
python3 - "$st" <<'PY' || fail "the counters did not see the flood: $st"
import json, sys
s = json.loads(sys.argv[1])
n = [b["packets"] for b in s["blocked"] if b["port"] == 143][0] + s["repeats"]
assert n >= 100000, n
assert s["repeats"] >= 99000, s["repeats"]
PY
ok "the kernel counted every flood packet, nearly all as repeats of a logged source"
# a flood from one source does not use up the log for the others: while the
# internet peer floods, the LAN peer's attempt on the same port is logged
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 143 400000 >/dev/null &
FLOODER=$!
nap 0.2
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 143 silent
wait "$FLOODER"
grep -q "\"src\":\"$LAN4\".*\"path\":\"kernel\"" "$PW_LOG" || fail "LAN peer's attempt during the flood not logged"
ok "an attempt from another source during a flood is still logged"
# a source is remembered per interface: the internet peer's address, spoofed
# from the LAN side while it floods, is logged anew instead of dropped as a
# repeat (else a spoofer could silence or lock out a real source)
in_host sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.h-lan.rp_filter=0
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 143 400000 >/dev/null &
FLOODER=$!
nap 0.2
in_lan "$TOOLS/flood" "$INET4" "$HOSTLAN4" 143 1 >/dev/null
logged=$(in_host nft -j list set inet portwarden logged_v4)
wait "$FLOODER"
python3 - "$logged" "$INET4" <<'PY' || fail "the same address on another interface was taken for a repeat: $logged"
import json, sys
ifaces = set()
for o in json.loads(sys.argv[1])["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        v = e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e
        if v["concat"][1] == 143 and v["concat"][3] == sys.argv[2]:
            ifaces.add(v["concat"][2])
assert ifaces == {"h-inet", "h-lan"}, ifaces
PY
ok "a source logged on one interface is logged anew on another"
# the kernel logs a source at most once a second: three bursts a second
# apart are three events, which fold into the first line and one more
for i in 1 2 3; do
	in_inet "$TOOLS/flood" "$INET4" "$HOST4" 143 2000 >/dev/null
	sleep 1.1
done

# Rotation: rename, HUP, more events; nothing lost.
for port in 3306 5432 6379; do expect_probe "$NS_INET" tcp "$HOST4" $port silent; done
mv "$PW_LOG" "$PW_LOG.1"
kill -HUP "$PW_PID"
for i in $(seq 50); do grep -q reloaded "$TMP/pw.out" && break; nap 0.1; done
for port in 27017 9200 11434; do expect_probe "$NS_INET" tcp "$HOST4" $port silent; done
stop_pw
queued=$(cat "$PW_LOG.1" "$PW_LOG" | grep -c '"path":"queue"')
[ "$queued" -eq 7 ] || fail "want 7 queue-path entries over both files, got $queued"
ok "all 7 queue-path entries survived the rotation"
for port in 27017 9200 11434; do grep -q "\"dport\":$port" "$PW_LOG" || fail "$port not in the new file"; done
ok "entries after the HUP went to the new file"
folded=$(cat "$PW_LOG.1" "$PW_LOG" | python3 -c '
import json, sys
print(max(json.loads(l)["count"] for l in sys.stdin))')
[ "$folded" -gt 1 ] || fail "no folded line (max count $folded)"
ok "folded line carries count $folded"
# folded lines are written when their window closes, later than lines
# that came meanwhile: the files stay in time order all the same
cat "$PW_LOG.1" "$PW_LOG" | python3 -c '
import json, sys
ts = [json.loads(l)["ts"] for l in sys.stdin]
late = [(a, b) for a, b in zip(ts, ts[1:]) if b < a]
assert not late, late' || fail "log lines out of time order"
ok "the log is in time order, folded lines too"
ok "every line follows the log schema ($(check_log_schema "$PW_LOG.1" "$PW_LOG") lines)"

# Reviewing it.
out=$(pwlog --all --port 143 --json)
[ "$(echo "$out" | grep -c .)" -ge 3 ] || fail "--port 143 --json: $out"
echo "$out" | grep -v '"dport":143' && fail "--port returned another port"
ok "--port 143 --json returns only port 143"
out=$(pwlog --all --source "$INET6" --json)
expect_contains "$out" "$INET6" "--source selects the IPv6 peer"
expect_not_contains "$out" "\"src\":\"$INET4\"" "--source leaves the IPv4 peer out"
out=$(pwlog --all --source 198.51.100.0/24 --json | grep -c .)
[ "$out" -ge 7 ] || fail "--source CIDR matched $out"
ok "--source CIDR matches the IPv4 peer's entries"
[ -z "$(pwlog --all --since 1h --until 2000-01-01 --json)" ] || fail "--until in the past returned entries"
ok "--since/--until bound the time"
[ "$(pwlog --all --since 1h --json | grep -c .)" -ge 8 ] || fail "--since 1h missed entries"
ok "--since 1h finds today's entries"
sum=$(pwlog --all --summary)
expect_contains "$sum" "143/tcp   imap" "--summary totals per port"
expect_contains "$sum" "top sources (IPv6 by /64)" "--summary lists top sources"
expect_contains "$sum" "kernel" "--summary splits by path"
table=$(pwlog --all)
expect_contains "$table" "TIME (UTC)" "table has a header"
echo 'garbage line' >>"$PW_LOG"
err=$(pwlog --all 2>&1 >/dev/null)
expect_contains "$err" "skipped 1 corrupt" "corrupt line skipped and counted"

# --follow prints new entries, across a rotation.
# the binary itself in the background (a function would be a subshell, and
# killing that would leave the follower running)
"$PW" --config /dev/null --log "$PW_LOG" log --follow --json >"$TMP/follow.out" 2>/dev/null &
FOLLOW=$!
defer "kill $FOLLOW"
nap 0.5
echo '{"ts":"2026-11-27T12:00:00Z","action":"blocked","proto":"tcp","src":"192.0.2.77","dport":1,"count":1}' >>"$PW_LOG"
mv "$PW_LOG" "$PW_LOG.2"
echo '{"ts":"2026-11-27T12:00:01Z","action":"blocked","proto":"tcp","src":"192.0.2.78","dport":2,"count":1}' >"$PW_LOG"
sleep 1
kill "$FOLLOW"
wait "$FOLLOW" 2>/dev/null
kill -0 "$FOLLOW" 2>/dev/null && fail "the follower did not stop on SIGTERM"
expect_contains "$(cat "$TMP/follow.out")" "192.0.2.77" "--follow printed an appended entry"
expect_contains "$(cat "$TMP/follow.out")" "192.0.2.78" "--follow continued after the rotation"
expect_not_contains "$(cat "$TMP/follow.out")" '"dport":27017' "--follow starts at the end, as tail -f"
# --follow --all replays the rotated files and the log first
"$PW" --config /dev/null --log "$PW_LOG" log --follow --all --json >"$TMP/replay.out" 2>/dev/null &
FOLLOW=$!
defer "kill $FOLLOW"
for i in $(seq 50); do grep -q 192.0.2.78 "$TMP/replay.out" && break; nap 0.1; done
kill "$FOLLOW"
wait "$FOLLOW" 2>/dev/null
expect_contains "$(cat "$TMP/replay.out")" '"dport":27017' "--follow --all replays what is there"
