#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP swaps in the new policy in one transaction; a broken config keeps
# the old policy and the daemon running.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 8080
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 8080
wait_listening "$NS_HOST" tcp 143

printf '# nothing yet\n' >"$TMP/local.rules"
echo "adopt_state = $TMP/adopt.state" >"$TMP/pw.conf"
ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$TMP/local.rules" \
	--log "$TMP/blocked.log" run >"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
for i in $(seq 100); do grep -q installed "$TMP/pw.out" && break; nap 0.05; done

expect_probe "$NS_INET" tcp "$HOST4" 8080 silent
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
set_has blocked tcp 143 || fail "143 not blocked"

# local.rules opens 8080: after HUP it answers, and 143 stays blocked.
printf '8080/tcp http-proxy open\n' >"$TMP/local.rules"
kill -HUP "$PW_PID"
for i in $(seq 50); do grep -q reloaded "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(cat "$TMP/pw.out")" "reloaded" "reload reported"
expect_probe "$NS_INET" tcp "$HOST4" 8080 open
set_has blocked tcp 143 || fail "143 lost from @blocked over the reload"
ok "tcp . 143 carried over the reload"
set_has blocked tcp 8080 && fail "8080 still blocked after it became open"
ok "tcp . 8080 left @blocked when it became open"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent

# A broken database: the old policy stays, the daemon keeps running.
printf '8080/tcp http-proxy opne\n' >"$TMP/local.rules"
kill -HUP "$PW_PID"
for i in $(seq 50); do grep -q "reload refused" "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(cat "$TMP/pw.out")" "$TMP/local.rules:1: unknown policy \"opne\"" "error names FILE:LINE"
expect_contains "$(cat "$TMP/pw.out")" "reload refused" "reload refused"
kill -0 "$PW_PID" || fail "daemon died on a bad reload"
ok "daemon still running"
expect_probe "$NS_INET" tcp "$HOST4" 8080 open
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
kill -TERM "$PW_PID"
wait "$PW_PID" || fail "exit status $?"
ok "clean stop after reloads"
