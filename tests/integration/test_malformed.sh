#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crafted malformed packets from the internet peer (truncated headers, lying
# lengths, long and broken IPv6 extension chains, fragments): the worker
# survives and the policy still holds.
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
sleep 0.5
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
