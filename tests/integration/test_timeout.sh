#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# allow --timeout: the port opens at once, stays open over a restart of
# the daemon for the time that is left, and then the entry it replaced is
# in force again without any command; the daemon says so in its log.
# `changes` lists the local entries against the shipped policy, and reset
# goes back one step at a time.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 8765
wait_listening "$NS_HOST" tcp 8765

LOCAL="$TMP/local.rules"
: >"$LOCAL"
PW_LOCAL_RULES=$LOCAL start_pw
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" --log "$TMP/blocked.log" "$@"; }

out=$(pw guard 8765/tcp loopback-only --why "inventory agent") || fail "guard exited $?: $out"
expect_probe "$NS_INET" tcp "$HOST4" 8765 silent
out=$(pw allow 8765/tcp --timeout 8s --why "vendor support session") || fail "allow --timeout exited $?: $out"
expect_contains "$out" "loopback-only -> open" "allow --timeout prints the change"
expect_contains "$out" "then what was there before applies again" "and that it ends"
expect_contains "$(cat "$LOCAL")" "expires " "the entry carries its end"
expect_probe "$NS_INET" tcp "$HOST4" 8765 open

out=$(pw changes) || fail "changes exited $?: $out"
expect_contains "$out" "8765/tcp       local            open           (shipped: open)" \
	"changes lists the entry with the shipped policy it overrides"
expect_contains "$out" "then loopback-only" "and what comes after its time"
expect_contains "$out" "vendor support session" "and the reason"

# a restart keeps the time that is left
stop_pw
PW_LOCAL_RULES=$LOCAL start_pw
expect_probe "$NS_INET" tcp "$HOST4" 8765 open
wait_until "the daemon ends the entry" grep -q "8765/tcp local open .* ended at" "$TMP/pw.out"
ok "the daemon logged the end of the entry: $(grep -o '8765/tcp local open .*' "$TMP/pw.out")"
expect_contains "$(grep 'ended at' "$TMP/pw.out")" ": loopback-only" "with the policy in force now"
expect_probe "$NS_INET" tcp "$HOST4" 8765 silent

# the next command writes the ended entry back as the one it replaced
out=$(pw guard 9231/tcp lan-only) || fail "guard exited $?: $out"
expect_not_contains "$(cat "$LOCAL")" "expires" "the ended entry is gone from the file"
expect_contains "$(cat "$LOCAL")" "inventory agent" "the entry it replaced is back, with its note"

# reset: one step back each time, then the shipped policy
out=$(pw allow 8765/tcp) || fail "allow exited $?: $out"
out=$(pw reset 8765/tcp) || fail "reset exited $?: $out"
expect_contains "$out" "8765/tcp       open -> loopback-only" "reset goes back to the entry before"
expect_probe "$NS_INET" tcp "$HOST4" 8765 silent
out=$(pw reset 8765/tcp) || fail "second reset exited $?: $out"
expect_contains "$out" "8765/tcp       loopback-only -> open" "the next reset to the shipped policy"
expect_probe "$NS_INET" tcp "$HOST4" 8765 open
out=$(pw reset 8765/tcp) || fail "third reset exited $?: $out"
expect_contains "$out" "nothing to reset" "then there is nothing left to undo"

out=$(pw allow 8765/tcp --timeout 10x 2>&1); rc=$?
[ "$rc" = 2 ] || fail "a bad --timeout exited $rc, want 2: $out"
ok "a bad --timeout is a usage error"
stop_pw
