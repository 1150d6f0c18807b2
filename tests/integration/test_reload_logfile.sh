#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP with a new log_file: the lines after the reload go to the new
# file, none to the old one; a log_file that cannot be opened keeps the
# log where it was and says so.
. tests/integration/lib.sh
require_root
make_hosts

# no --log: the configuration names the file
printf 'log_file = %s/first.log\nadopt_state = %s/adopt.state\n' "$TMP" "$TMP" >"$TMP/pw.conf"
ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$DB" run >"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
wait_until "the table installed" grep -q installed "$TMP/pw.out"

has_port() { grep -q "\"dport\":$2," "$1" 2>/dev/null; }

expect_probe "$NS_INET" tcp "$HOST4" 6379 silent
wait_until "6379 logged in first.log" has_port "$TMP/first.log" 6379
ok "before the reload, lines go to log_file"

printf 'log_file = %s/second.log\nadopt_state = %s/adopt.state\n' "$TMP" "$TMP" >"$TMP/pw.conf"
kill -HUP "$PW_PID"
wait_until "the reload" grep -q "reloaded" "$TMP/pw.out"
expect_probe "$NS_INET" tcp "$HOST4" 11211 silent
wait_until "11211 logged in second.log" has_port "$TMP/second.log" 11211
ok "after the reload, lines go to the new log_file"
has_port "$TMP/first.log" 11211 && fail "11211 also logged in the old file"
ok "nothing more in the old file"

# under a regular file, no directory can be made: the log stays in second.log
printf 'log_file = %s/first.log/third.log\nadopt_state = %s/adopt.state\n' "$TMP" "$TMP" >"$TMP/pw.conf"
kill -HUP "$PW_PID"
reloads() { [ "$(grep -c reloaded "$TMP/pw.out")" -ge "$1" ]; }
wait_until "the second reload" reloads 2
expect_contains "$(cat "$TMP/pw.out")" "still writing $TMP/second.log" "an unusable log_file is reported"
expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
wait_until "3306 logged in second.log" has_port "$TMP/second.log" 3306
ok "the log stays where it was"
kill -0 "$PW_PID" || fail "portwarden died"
echo "all $CHECKS checks passed"
