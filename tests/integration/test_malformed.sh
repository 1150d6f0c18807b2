#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crafted malformed packets from the internet peer (truncated headers, lying
# lengths, long and broken IPv6 extension chains, fragments): the worker
# survives and the policy still holds.  A packet the parser cannot read is
# decided like one from the worst source, in both fail modes: dropped,
# logged with what could be read, its port blocked when the port is known.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 3306
serve "$NS_HOST" tcp 6379
wait_listening "$NS_HOST" tcp 3306
start_pw

mac=$(ip -n "$NS_HOST" -j link show h-inet | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
sent=$(in_inet "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 3306)
[ "$sent" -ge 500 ] || fail "craft sent only $sent packets"
ok "sent $sent malformed packets to port 3306"
nap 0.5
kill -0 "$PW_PID" || fail "portwarden died"
ok "portwarden is still running"
expect_contains "$(cat "$TMP/pw.out")" "installed" "daemon output intact"
expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
expect_probe "$NS_INET" tcp "$HOST6" 6379 silent
expect_probe "$NS_HOST" tcp 127.0.0.1 3306 open
stop_pw
[ "$PW_STATUS" -eq 0 ] || fail "exit status $PW_STATUS"
cat "$TMP/pw.out"
malformed=$(sed -n "s/.* \([0-9]*\) malformed.*/\1/p" "$TMP/pw.out")
[ "${malformed:-0}" -gt 0 ] || fail "no malformed packet reached the worker; the test proves nothing"
ok "the worker parsed and refused $malformed malformed packets"

# fail_mode = open: open only while the worker is gone or overloaded
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 143
in_host "$PW" flush >/dev/null
# the "deep" SYN is 2128 bytes long
ip -n "$NS_HOST" link set h-inet mtu 4000
ip -n "$NS_INET" link set i-host mtu 4000
start_pw "fail_mode = open"
syn_recv() { in_host ss -Htn state syn-recv "( sport = :$1 )" | grep -c .; }
# every queued packet has its verdict: nothing waits in queue 0
answered() {
	local i
	for i in $(seq 100); do
		[ "$(in_host awk '$1 == 0 { print $3 }' /proc/net/netfilter/nfnetlink_queue)" = 0 ] && return 0
		nap 0.05
	done
	fail "packets still wait for a verdict"
}

sent=$(in_inet "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 143 chain)
[ "$sent" = 1 ] || fail "craft chain sent $sent"
for i in $(seq 100); do set_has blocked tcp 143 && break; nap 0.05; done
set_has blocked tcp 143 || fail "143 not blocked after a SYN behind 20 extension headers"
ok "a SYN behind 20 extension headers blocks 143/tcp (fail_mode open)"
answered
[ "$(syn_recv 143)" = 0 ] || fail "the SYN behind 20 extension headers reached the listener"
ok "... and never reached the listener"
for i in $(seq 100); do grep -q '"dport":143' "$PW_LOG" && break; nap 0.05; done
line=$(grep '"dport":143' "$PW_LOG" | head -1)
expect_contains "$line" "\"src\":\"$INET6\"" "... logged with its source"
expect_contains "$line" '"action":"blocked"' "... logged as blocked"

sent=$(in_inet "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 6379 deep)
[ "$sent" = 1 ] || fail "craft deep sent $sent"
for i in $(seq 100); do grep -q '"dport":0' "$PW_LOG" && break; nap 0.05; done
line=$(grep '"dport":0' "$PW_LOG" | head -1)
expect_contains "$line" "\"src\":\"$INET6\"" "a SYN whose TCP header is past the copy: logged with its source"
answered
[ "$(syn_recv 6379)" = 0 ] || fail "the SYN with its TCP header past the copy reached the listener"
ok "... dropped (fail_mode open)"
stop_pw
in_host "$PW" flush >/dev/null
echo "all $CHECKS checks passed"
