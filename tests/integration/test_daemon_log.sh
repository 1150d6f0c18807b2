#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon's own diagnostics carry journald priorities when stderr is the
# journal, and SIGUSR1 reopens the blocked-connection log without reloading.
. tests/integration/lib.sh
require_root
make_hosts

: >"$TMP/pw.out"
printf 'metrics_file = %s/node/portwarden.prom\nadopt_state = %s/adopt.state\n' "$TMP" "$TMP" >"$TMP/pw.conf"
mkdir -p "$TMP/node"
# what systemd does: JOURNAL_STREAM names the stream stderr is connected to
JOURNAL_STREAM="$(stat -c '%d:%i' "$TMP/pw.out")" ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" \
	--db "$DB" --log "$TMP/blocked.log" run >>"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
for i in $(seq 100); do grep -q installed "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(head -1 "$TMP/pw.out")" "<6>portwarden: table inet portwarden installed" \
	"start-up line has priority info"
kill -HUP "$PW_PID"
for i in $(seq 100); do grep -q "reloaded\|refused" "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(cat "$TMP/pw.out")" "<6>portwarden: reloading" "reload line has priority info"

# without JOURNAL_STREAM (a terminal, a file) there is no prefix
printf "1/tcp x opne\n" >"$TMP/bad.rules"
out=$(in_host "$PW" --config "$TMP/pw.conf" --db "$TMP/bad.rules" check 2>&1)
expect_not_contains "$out" "<" "no priority prefix outside the journal"

# logrotate: rename, then SIGUSR1; a new file appears at once, no reload
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
for i in $(seq 200); do [ -s "$TMP/blocked.log" ] && break; nap 0.05; done
[ -s "$TMP/blocked.log" ] || fail "nothing logged before the rotation"
# the metrics file for node_exporter's textfile collector follows the block
prom="$TMP/node/portwarden.prom"
for i in $(seq 60); do grep -q 'port="143".*path="queue"} 1$' "$prom" 2>/dev/null && break; nap 0.05; done
expect_contains "$(cat "$prom")" 'portwarden_blocked_total{proto="tcp",port="143",service="imap",path="queue"} 1' \
	"metrics file counts the queue-path block"
expect_contains "$(cat "$prom")" "portwarden_enforcing 1" "metrics file says enforcing"
ls "$TMP/node" | grep -qv '^portwarden.prom$' && fail "temporary files left in the collector directory"
ok "only portwarden.prom in the collector directory"
in_host "$PW" --config "$TMP/pw.conf" --db "$DB" audit >/dev/null
expect_contains "$(cat "$TMP/node/portwarden_audit.prom" 2>/dev/null)" 'portwarden_audit_ports{status="exposed"} 0' \
	"audit writes its counts beside the metrics file"
mv "$TMP/blocked.log" "$TMP/blocked.log.1"
reloads=$(grep -c reloading "$TMP/pw.out")
kill -USR1 "$PW_PID"
for i in $(seq 400); do [ -e "$TMP/blocked.log" ] && break; nap 0.025; done
[ -e "$TMP/blocked.log" ] || fail "SIGUSR1 did not reopen the log"
ok "SIGUSR1 reopened the log"
[ "$(grep -c reloading "$TMP/pw.out")" = "$reloads" ] || fail "SIGUSR1 reloaded the policy"
ok "SIGUSR1 did not reload the policy"
kill -0 "$PW_PID" || fail "daemon died on SIGUSR1"

# the metrics file is put in place beside the worker: a write that fails
# there is reported once, and the next one after the directory is back
# lands whole
mv "$TMP/node" "$TMP/node.away"
expect_probe "$NS_INET" tcp "$HOST4" 110 silent
wait_until "the failed metrics write reported" grep -q "cannot write $TMP/node/portwarden.prom" "$TMP/pw.out"
ok "a metrics write that failed is reported"
mkdir "$TMP/node"
expect_probe "$NS_INET" tcp "$HOST4" 995 silent
wait_until "the metrics file back" grep -q 'port="995".*path="queue"} 1$' "$prom"
ok "the next write after the directory is back counts the new block"
[ "$(grep -c "cannot write" "$TMP/pw.out")" = 1 ] || fail "the failed write was reported more than once"
ok "reported once"
kill "$PW_PID"
wait_until "the daemon's stop" grep -q "metrics writes" "$TMP/pw.out"
grep -Eq "[0-9]+ metrics writes \([1-9][0-9]* failed\)" "$TMP/pw.out" ||
	fail "the thread beside the worker counts no failed metrics write: $(grep "metrics writes" "$TMP/pw.out")"
ok "the thread beside the worker wrote the metrics, and counts the failed write"
