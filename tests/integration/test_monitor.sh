#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mode = monitor: nothing is blocked, what would have been is logged.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 9200
wait_listening "$NS_HOST" tcp 9200
start_pw "mode = monitor"
expect_contains "$(cat "$TMP/pw.out")" "mode monitor" "start-up message says monitor"
in_host "$PW" status >"$TMP/status"; rc=$?
[ $rc = 5 ] || fail "status in monitor mode exited $rc, want 5"
expect_contains "$(cat "$TMP/status")" "mode:      monitor" "status has a mode line"
expect_contains "$(in_host "$PW" -j status)" '"mode":"monitor"' "status --json has the mode"
expect_probe "$NS_INET" tcp "$HOST4" 9200 open
expect_probe "$NS_INET" tcp "$HOST6" 9200 open
set_has blocked tcp 9200 && fail "monitor mode blocked a port"
ok "@blocked stays empty"
entry=$(grep '"dport":9200' "$PW_LOG" | head -1)
expect_contains "$entry" '"action":"would-block"' "log says would-block"
expect_contains "$entry" '"service":"elasticsearch"' "log names the service"
[ "$(grep -c '"dport":9200' "$PW_LOG")" -eq 2 ] || fail "want one entry per connection"
ok "each monitored connection is logged"
stop_pw
ok "every monitor-mode line follows the log schema ($(check_log_schema "$PW_LOG") lines)"
