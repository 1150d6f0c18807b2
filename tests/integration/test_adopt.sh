#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# adopt, run before the first start, keeps services that outside clients
# use right now reachable for them, and nothing else.
. tests/integration/lib.sh
require_root
make_hosts

# IMAP with a client from the internet connected right now; Redis idle
in_host socat TCP6-LISTEN:143,ipv6only=0,fork,reuseaddr EXEC:'sleep 60' >/dev/null 2>&1 &
defer "kill $!"
serve "$NS_HOST" tcp 6379
wait_listening "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 6379
LOCAL="$TMP/local.rules"
printf '# admin notes\n' >"$LOCAL"
: >"$TMP/pw.conf"
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" --log "$TMP/blocked.log" "$@"; }

# no outside client yet: nothing to adopt, nothing written
out=$(pw adopt) || fail "adopt exited $?: $out"
expect_contains "$out" "0 adopted" "no client, nothing adopted"
[ "$(cat "$LOCAL")" = "# admin notes" ] || fail "adopt wrote without a reason: $(cat "$LOCAL")"
ok "local.rules untouched"

in_inet socat -u EXEC:'sleep 60' "TCP:$HOST4:143" >/dev/null 2>&1 &
defer "kill $!"
for i in $(seq 100); do
	in_host ss -Htn state established "( sport = :143 )" | grep -q "$INET4" && break
	nap 0.05
done
in_host ss -Htn state established "( sport = :143 )" | grep -q "$INET4" || fail "no client connected"

out=$(pw --dry-run adopt) || fail "adopt --dry-run exited $?"
expect_contains "$out" "adopted      143/tcp" "dry run names the port"
[ "$(cat "$LOCAL")" = "# admin notes" ] || fail "dry run wrote local.rules"
ok "dry run wrote nothing"

out=$(pw adopt) || fail "adopt exited $?: $out"
expect_contains "$out" "loopback-only -> open: 1 client connected, e.g. $INET4" "143 adopted with the evidence"
expect_contains "$out" "guarded     6379/tcp" "idle Redis stays guarded"
expect_contains "$(cat "$LOCAL")" "# admin notes" "the admin's lines survive"
expect_contains "$(cat "$LOCAL")" "143/tcp  imap  open" "override written"
expect_not_contains "$(cat "$LOCAL")" "6379" "no override for the idle port"
pw check >/dev/null || fail "the adopted local.rules does not load"
ok "the result loads"

ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" \
	--log "$TMP/blocked.log" run >"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
for i in $(seq 100); do grep -q installed "$TMP/pw.out" && break; nap 0.05; done
expect_probe "$NS_INET" tcp "$HOST4" 143 open
expect_probe "$NS_INET" tcp "$HOST4" 6379 silent
