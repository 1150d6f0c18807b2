#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Odd files never hang portwarden: a FIFO as configuration, database or log
# is refused at once with a clear error, also on a reload under a running
# daemon; a database covering every port works (the transaction is far
# larger than one socket buffer of acknowledgements).
. tests/integration/lib.sh
require_root

mkfifo "$TMP/fifo"
# every command runs under timeout: a hang shows as exit 124
out=$(timeout 10 "$PW" --config "$TMP/fifo" --db "$DB" check 2>&1)
rc=$?
[ "$rc" -ne 124 ] || fail "check hangs on a FIFO as configuration"
[ "$rc" -eq 1 ] || fail "check with a FIFO as configuration: exit $rc ($out)"
expect_contains "$out" "$TMP/fifo: not a regular file (a FIFO)" "check: FIFO as configuration refused"
out=$(timeout 10 "$PW" --config /dev/null --db "$TMP/fifo" check 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "check with a FIFO as database: exit $rc ($out)"
expect_contains "$out" "$TMP/fifo: not a regular file (a FIFO)" "check: FIFO as database refused"
out=$(timeout 10 "$PW" --config /dev/null --db /dev/zero check 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "check with /dev/zero as database: exit $rc ($out)"
expect_contains "$out" "/dev/zero: not a regular file (a character device)" "check: device as database refused"
out=$(timeout 10 "$PW" --config /dev/null --log "$TMP/fifo" log 2>&1)
rc=$?
[ "$rc" -ne 124 ] || fail "log hangs on a FIFO"
expect_contains "$out" "$TMP/fifo: not a regular file" "log: FIFO as log refused"

make_hosts
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 143

# run with a FIFO as log: refused at start, nothing installed
echo "adopt_state = $TMP/adopt.state" >"$TMP/pw.conf"
out=$(timeout 10 ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$DB" \
	--log "$TMP/fifo" run 2>&1)
rc=$?
[ "$rc" -ne 124 ] || fail "run hangs on a FIFO as log"
[ "$rc" -ne 0 ] || fail "run accepted a FIFO as log"
expect_contains "$out" "not a regular file" "run: FIFO as log refused"
in_host nft list table inet portwarden >/dev/null 2>&1 && fail "a table was left by a refused start"
ok "run: nothing installed after the refused start"

# a running daemon whose configuration becomes a FIFO: SIGHUP is refused,
# the worker keeps deciding
start_pw
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
rm "$TMP/pw.conf"
mkfifo "$TMP/pw.conf"
kill -HUP "$PW_PID"
for i in $(seq 100); do grep -q "reload refused" "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(cat "$TMP/pw.out")" "pw.conf: not a regular file (a FIFO)" "reload: FIFO as configuration named"
expect_contains "$(cat "$TMP/pw.out")" "reload refused" "reload: refused, the previous policy stays"
expect_probe "$NS_INET" tcp "$HOST4" 6379 silent
set_has blocked tcp 6379 || fail "6379 not blocked after the refused reload"
ok "the worker still decides after the refused reload"
stop_pw
in_host "$PW" flush >/dev/null 2>&1
rm "$TMP/pw.conf"

# every port of both protocols in one entry
cat >"$TMP/all.rules" <<'RULES'
1-65535/both everything lan-only
	title   every port
RULES
out=$("$PW" --config /dev/null --db "$TMP/all.rules" check 2>&1) || fail "check: $out"
printf 'lan_networks = 192.0.2.0/24\nadopt_state = %s/adopt.state\n' "$TMP" >"$TMP/pw.conf"
ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$TMP/all.rules" --log "$TMP/b.log" \
	run >"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
for i in $(seq 600); do
	grep -q "installed\|failed" "$TMP/pw.out" && break
	kill -0 "$PW_PID" 2>/dev/null || break
	nap 0.05
done
expect_contains "$(cat "$TMP/pw.out")" "table inet portwarden installed" "1-65535/both installed"
# counted from the kernel's dump: nft -j formats 131070 elements in seconds
n=$("$TOOLS/nftset" "$NS_HOST" guarded)
[ "$n" = 131070 ] || fail "@guarded holds $n elements, want 131070"
ok "@guarded holds all 131070 ports"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 143 open
kill -0 "$PW_PID" || fail "the worker died"
ok "the worker serves the full database"
echo "all $CHECKS checks passed"
