#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Dangerous software on a port the database does not know: a real
# `node --inspect=0.0.0.0:9230` is guarded on 9230 (the node-inspector
# entry) while the app's own port 48123 stays open; audit names it, exposed
# without the daemon and protected with it; the guard goes when node does.
# Monitor mode: audit never says "protected".
. tests/integration/lib.sh
require_root
command -v node >/dev/null || fail "node is not installed (make deps installs nodejs)"
make_hosts
for p in 9230 48123; do
	"$PW" --config /dev/null --db "$DB" lookup "$p/tcp" | grep -q "not in the database" ||
		fail "$p is in the database now: pick another port for this test"
done

ip netns exec "$NS_HOST" node --inspect=0.0.0.0:9230 \
	-e 'require("http").createServer((q, r) => r.end("app\n")).listen(48123)' >/dev/null 2>&1 &
NODE_PID=$!
defer "kill $NODE_PID"
wait_listening "$NS_HOST" tcp 9230
wait_listening "$NS_HOST" tcp 48123

audit_json() { in_host "$PW" --config /dev/null --db "$DB" audit --json; }
row() { echo "$1" | grep "\"port\":$2,\"proto\":\"tcp\"" | head -1; }

out=$(audit_json)
rc=$?
[ "$rc" -eq 1 ] || fail "audit exit $rc with the inspector exposed, want 1"
ok "audit exits 1: something is exposed"
expect_contains "$(row "$out" 9230)" '"status":"exposed"' "audit: 9230 exposed without the daemon"
expect_contains "$(row "$out" 9230)" '"service":"node-inspector"' "audit names the software's entry"
expect_contains "$(row "$out" 9230)" "node[$NODE_PID] is node-inspector" "audit says which process"
expect_contains "$(row "$out" 48123)" '"status":"open"' "the app's own port is just open"
expect_not_contains "$out" '"public"' "nothing is called public"

start_pw
wait_until "9230 in @guarded" set_has guarded tcp 9230
ok "9230 is guarded while node --inspect holds it"
expect_contains "$(cat "$TMP/pw.out")" "guarding 9230/tcp: node-inspector loopback-only" \
	"the daemon says why it guards 9230"
expect_contains "$(nft_json)" "node-inspector loopback-only (ports.db:" "the element's comment names the entry"
set_has guarded tcp 48123 && fail "the app's port 48123 was guarded"
ok "the app's port is not guarded"
expect_probe "$NS_INET" tcp "$HOST4" 9230 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 9230 silent
expect_probe "$NS_INET" tcp "$HOST4" 48123 open
expect_contains "$(in_host curl -s --max-time 5 http://127.0.0.1:9230/json/version)" "Protocol-Version" \
	"the host itself still reaches the inspector"
wait_until "the block is logged" grep -q '"dport":9230' "$PW_LOG"
entry=$(grep '"dport":9230' "$PW_LOG" | head -1)
expect_contains "$entry" '"service":"node-inspector"' "the log names the entry"
expect_contains "$entry" "\"listener\":\"node[$NODE_PID]\"" "the log names node"
out=$(audit_json)
expect_contains "$(row "$out" 9230)" '"status":"protected"' "audit: 9230 protected with the daemon"

kill "$NODE_PID"
wait "$NODE_PID" 2>/dev/null
wait_until "9230 leaves @guarded" eval '! set_has guarded tcp 9230'
wait_until "9230 leaves @blocked" eval '! set_has blocked tcp 9230'
ok "the guard and the block go with node"
serve "$NS_HOST" tcp 9230
wait_listening "$NS_HOST" tcp 9230
expect_probe "$NS_INET" tcp "$HOST4" 9230 open
stop_pw

# Monitor mode reports what an outsider can reach: never "protected".
serve "$NS_HOST" tcp 3306
wait_listening "$NS_HOST" tcp 3306
start_pw "mode = monitor"
out=$(audit_json)
rc=$?
[ "$rc" -eq 1 ] || fail "monitor-mode audit exit $rc, want 1"
ok "monitor-mode audit exits 1"
expect_not_contains "$out" '"protected"' "monitor mode: nothing is protected"
expect_contains "$(row "$out" 3306)" '"status":"exposed"' "monitor mode: 3306 exposed"
expect_contains "$(row "$out" 3306)" "monitor mode" "the reason says monitor mode"
expect_contains "$(in_host "$PW" --config /dev/null --db "$DB" audit)" "exposed (monitor mode)" \
	"the table says exposed (monitor mode)"
expect_probe "$NS_INET" tcp "$HOST4" 3306 open
stop_pw
