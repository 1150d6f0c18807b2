#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon under the credentials of the shipped systemd unit, rebuilt with
# setpriv: a dynamic (unprivileged) user, CAP_NET_ADMIN and CAP_SYS_PTRACE
# as ambient capabilities and nothing else in the bounding set,
# SecureBits=noroot-locked, no_new_privs.  The log names the listener of a
# root-owned socket and of another user's; no privilege warning at start.
# `audit` without the privileges it needs says so and exits 2.  The
# control socket answers the unit's user and refuses another.
. tests/integration/lib.sh
require_root
make_hosts
UNIT_UID=61234	# what DynamicUser= hands out: no passwd entry, no files
OTHER_UID=65534
UNIT_CREDS="setpriv --reuid=$UNIT_UID --regid=$UNIT_UID --clear-groups
	--inh-caps=-all,+net_admin,+sys_ptrace --ambient-caps=+net_admin,+sys_ptrace
	--bounding-set=-all,+net_admin,+sys_ptrace --securebits=+noroot_locked --no-new-privs"
# shellcheck disable=SC2086
as_unit() { ip netns exec "$NS_HOST" $UNIT_CREDS "$@"; }

ip netns exec "$NS_HOST" socat TCP4-LISTEN:3306,bind=0.0.0.0,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
ROOT_PID=$!
defer "kill $ROOT_PID"
ip netns exec "$NS_HOST" setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups \
	socat TCP6-LISTEN:6379,ipv6only=0,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
OTHER_PID=$!
defer "kill $OTHER_PID"
wait_listening "$NS_HOST" tcp 3306
wait_listening "$NS_HOST" tcp 6379

# the unit's LogsDirectory: owned by the dynamic user
chmod 755 "$TMP"
mkdir "$TMP/logs"
chown $UNIT_UID:$UNIT_UID "$TMP/logs"
PW_LOG="$TMP/logs/blocked.log"
PW_WRAP="$UNIT_CREDS" start_pw
[ "$(awk '/^Uid:/ { print $2 }' /proc/"$PW_PID"/status)" = $UNIT_UID ] ||
	fail "the daemon does not run as uid $UNIT_UID"
ok "the daemon runs as the unprivileged uid $UNIT_UID"
expect_contains "$(grep ^CapEff /proc/"$PW_PID"/status)" "0000000000081000" \
	"it holds CAP_NET_ADMIN and CAP_SYS_PTRACE only"
expect_not_contains "$(cat "$TMP/pw.out")" "cannot drop privileges" "no privilege warning at start"

expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
expect_probe "$NS_INET" tcp "$HOST6" 6379 silent
wait_until "both blocks logged" eval 'grep -q "\"dport\":3306" "$PW_LOG" && grep -q "\"dport\":6379" "$PW_LOG"'
expect_contains "$(grep '"dport":3306' "$PW_LOG" | head -1)" "\"listener\":\"socat[$ROOT_PID]\"" \
	"the log names root's listener"
expect_contains "$(grep '"dport":6379' "$PW_LOG" | head -1)" "\"listener\":\"socat[$OTHER_PID]\"" \
	"the log names another user's listener"

# audit with the unit's capabilities sees every owner; without them it
# refuses to guess
out=$(as_unit "$PW" --config /dev/null --db "$DB" audit --json)
rc=$?
[ "$rc" -eq 0 ] || fail "audit under the unit's credentials: exit $rc: $out"
expect_contains "$(echo "$out" | grep '"port":3306')" "\"pid\":$ROOT_PID" "audit names root's listener"
expect_contains "$(echo "$out" | grep '"port":6379')" "\"pid\":$OTHER_PID" "audit names the other user's"
err=$(in_host setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups \
	"$PW" --config /dev/null --db "$DB" audit 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 2 ] || fail "audit as an unprivileged user: exit $rc, want 2"
ok "audit as an unprivileged user exits 2"
expect_contains "$err" "CAP_NET_ADMIN" "and says which privilege it lacks"
err=$(in_host setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups \
	--inh-caps=+net_admin --ambient-caps=+net_admin \
	"$PW" --config /dev/null --db "$DB" audit 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 2 ] || fail "audit that cannot read other users' processes: exit $rc, want 2"
ok "audit that can read the table but not other users' processes exits 2"
expect_contains "$err" "cannot tell which process holds" "and says why"

# the unit's ExecReload, `portwarden reload` under the unit's credentials,
# gets the daemon's answer; another unprivileged user gets a refusal
out=$(as_unit "$PW" --config "$TMP/pw.conf" reload 2>&1) || fail "reload as the unit's user: exit $?: $out"
expect_contains "$out" "reloaded: the daemon (pid $PW_PID) applied its files" \
	"portwarden reload under the unit's credentials is answered"
out=$(in_host setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups \
	"$PW" --config "$TMP/pw.conf" reload 2>&1) && fail "another user's reload was served: $out"
expect_contains "$out" "permission denied" "another user's reload is refused"
stop_pw
