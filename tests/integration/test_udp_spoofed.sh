#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A guarded UDP port decided per datagram (monitor mode) flooded from
# ever new spoofed addresses of one /64: every datagram reaches the queue
# as a new source, yet the log gets at most FOLD_PORT_SOURCES (32) lines
# for the port in the minute, the rest folded under "*"; the line budget
# alone would let about 20 lines a second through.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" udp 47808
wait_listening "$NS_HOST" udp 47808
start_pw "mode = monitor"
log0=$(stat -c %s "$PW_LOG")
q0=$(queue_seq)

mac=$(ip -n "$NS_HOST" -j link show h-inet | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
in_inet "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 47808 udpflood6 100000000 \
	>/dev/null &
FLOODER=$!
defer "kill $FLOODER"
# long enough for the line budget (2 x log_rate new lines a second) to
# pass the per-port cap several times over: 4 s of distinct sources
for i in $(seq 200); do [ $(( $(queue_seq) - q0 )) -ge 1000 ] && break; sleep 0.05; done
[ $(( $(queue_seq) - q0 )) -ge 1000 ] || fail "the spoofed flood did not reach the queue"
sleep 4
kill "$FLOODER"
wait "$FLOODER" 2>/dev/null
queued=$(( $(queue_seq) - q0 ))
ok "spoofed flood: $queued datagrams queued, each from a new source"

lines=$(grep -c '"dport":47808' "$PW_LOG")
growth=$(( $(stat -c %s "$PW_LOG") - log0 ))
[ "$lines" -ge 1 ] || fail "the flood was never logged"
[ "$lines" -le 32 ] || fail "$lines lines for 47808 in 4 s of spoofed sources, want at most 32"
ok "$lines lines for 47808/udp ($growth bytes), the rest folded"
kill -0 "$PW_PID" || fail "portwarden died"
# the folded rest is written under "*" when the window closes (here: at stop)
stop_pw
grep '"dport":47808' "$PW_LOG" | grep -q '"src":"\*"' || fail "no folded line under \"*\" at stop"
ok "the rest is one line under \"*\": $(grep '"src":"\*"' "$PW_LOG" | grep -o '"count":[0-9]*')"
echo "all $CHECKS checks passed"
