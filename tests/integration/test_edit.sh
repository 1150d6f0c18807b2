#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# allow, guard and reset edit local.rules (the admin's comments survive),
# refuse what would not load, and the running daemon applies each change;
# why explains a block.
. tests/integration/lib.sh
trap 'cat "$TMP/pw.out" >&2; on_exit' EXIT
require_root
make_hosts
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 143

LOCAL="$TMP/local.rules"
printf '# our overrides, keep this comment\n\n993/tcp imaps open\n' >"$LOCAL"
cp "$LOCAL" "$TMP/local.orig"
: >"$TMP/pw.conf"
printf 'lan_networks = %s/24\nadopt_state = %s/adopt.state\n' "$LAN4" "$TMP" >"$TMP/pw.conf"
ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" \
	--log "$TMP/blocked.log" run >"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
for i in $(seq 100); do grep -q installed "$TMP/pw.out" && break; nap 0.05; done
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" --log "$TMP/blocked.log" "$@"; }

expect_probe "$NS_INET" tcp "$HOST4" 143 silent

# why: the entry, where it comes from, the log, and the way out
for i in $(seq 200); do grep -q '"dport":143' "$TMP/blocked.log" 2>/dev/null && break; nap 0.05; done
out=$(pw why "$INET4" 143/tcp)
expect_contains "$out" "imap loopback-only ($DB:" "why names the entry and its file:line"
expect_contains "$out" "blocked, the last at" "why finds the source's attempts in the log"
expect_not_contains "$out" "nothing from $INET4" "why does not miss them"
expect_contains "$out" "portwarden allow 143/tcp --from $INET4 " "why gives the narrowest command: this source only"
expect_contains "$out" "portwarden allow 143/tcp --from ${INET4%.*}.0/24" "and its /24"
expect_not_contains "$out" "everyone" "why never suggests everyone where --from fits"

# allow by service name, with a reason: the daemon opens it at once
out=$(pw allow imap --why "public IMAP server") || fail "allow exited $?: $out"
expect_contains "$out" "loopback-only -> open" "allow prints the change"
expect_contains "$out" "reloaded: the daemon (pid $PW_PID) enforces it" "allow reloads the daemon"
expect_contains "$(cat "$LOCAL")" "# our overrides, keep this comment" "the admin's comment survives"
expect_contains "$(cat "$LOCAL")" "# portwarden: allowed on " "the reason is recorded"
expect_contains "$(cat "$LOCAL")" "public IMAP server" "with the admin's words"
expect_contains "$(cat "$LOCAL")" "143/tcp  imap  open" "entry written"
expect_probe "$NS_INET" tcp "$HOST4" 143 open
out=$(pw audit)
expect_contains "$(echo "$out" | grep -A2 '143/tcp')" "local change: $LOCAL:" "audit marks the port opened in local.rules"
expect_contains "$out" "shipped loopback-only" "against the shipped policy"
expect_contains "$(pw audit --json | grep '"port":143,')" '"shipped":"loopback-only"' "audit --json too"

# guard it lan-only: the LAN reaches it, the internet does not
out=$(pw guard 143/tcp lan-only) || fail "guard exited $?: $out"
expect_contains "$out" "open -> lan-only" "guard prints the change"
[ "$(grep -c '^143/tcp' "$LOCAL")" = 1 ] || fail "guard duplicated the entry: $(cat "$LOCAL")"
ok "one entry for 143/tcp after allow and guard"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 143 open
expect_probe "$NS_INET" tcp "$HOST4" 143 silent

# a change that cannot be written cleanly is refused and changes nothing
printf '8080/both http-alt lan-only\n' >>"$LOCAL"
kill -HUP "$PW_PID"
cp "$LOCAL" "$TMP/before"
out=$(pw guard 8080/tcp loopback-only 2>&1) && fail "conflicting guard succeeded: $out"
expect_contains "$out" "$LOCAL:" "the refusal names the file and line"
cmp -s "$LOCAL" "$TMP/before" || fail "refused edit changed local.rules"
ok "refused edit left local.rules as it was"
out=$(pw guard 143/tcp sideways 2>&1); rc=$?
[ $rc = 2 ] || fail "bad policy word exited $rc, want 2: $out"
ok "usage error exits 2"

# reset: one step back (to the allow), then to the shipped policy and to
# the file the admin wrote
sed -i '/^8080\/both/d' "$LOCAL"
out=$(pw reset 143) || fail "reset exited $?: $out"
expect_contains "$out" "lan-only -> open" "reset goes back to the entry before the guard"
expect_contains "$(cat "$LOCAL")" "public IMAP server" "with its reason"
out=$(pw reset 143) || fail "second reset exited $?: $out"
expect_contains "$out" "open -> loopback-only" "the next reset goes back to the shipped policy"
cmp -s "$LOCAL" "$TMP/local.orig" || fail "reset did not restore local.rules: $(cat "$LOCAL")"
ok "local.rules is as the admin wrote it"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 143 silent

# without a daemon: the file changes, the command says when it applies
kill -TERM "$PW_PID"; wait "$PW_PID"
in_host "$PW" flush >/dev/null
out=$(pw allow 143/tcp) || fail "allow without daemon exited $?"
expect_contains "$out" "applies when it starts" "no daemon: said so"
