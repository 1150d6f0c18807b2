#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The unowned table (kernels before 6.9, or table_owner = no): the daemon
# watches ruleset events.  Its own large transactions are not mistaken for
# someone else's, others' removals and additions are undone and logged.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 6379
wait_listening "$NS_HOST" tcp 6379

printf '# nothing yet\n' >"$TMP/local.rules"
printf 'table_owner = no\nadopt_state = %s/adopt.state\n' "$TMP" >"$TMP/pw.conf"
ip netns exec "$NS_HOST" "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$TMP/local.rules" \
	--log "$TMP/blocked.log" run >"$TMP/pw.out" 2>&1 &
PW_PID=$!
defer "kill -9 $PW_PID"
for i in $(seq 200); do grep -q installed "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(cat "$TMP/pw.out")" "table not owned: watching ruleset events" \
	"table_owner = no watches ruleset events"

restores() {
	grep -c 'changed by another program' "$TMP/pw.out"
}

# wait_restores N: until the daemon has reported N restores in all
wait_restores() {
	for i in $(seq 200); do
		[ "$(restores)" -ge "$1" ] && return 0
		nap 0.05
	done
	fail "expected $1 restores, saw $(restores): $(cat "$TMP/pw.out")"
}

# A foreign accept rule in our table opens a guarded port: undone and logged.
in_host nft insert rule inet portwarden input tcp dport 6379 accept comment '"foreign"'
wait_restores 1
for i in $(seq 100); do
	nft_json | grep -q '"foreign"' || break
	nap 0.05
done
nft_json | grep -q '"foreign"' && fail "the foreign rule is still in the table"
ok "a foreign rule added to the table is removed"
expect_probe "$NS_INET" tcp "$HOST4" 6379 silent

# A foreign chain added to the table is a change too.
in_host nft add chain inet portwarden intruder
wait_restores 2
ok "a foreign chain added to the table is undone and logged"

# Someone else's table is none of our business.
in_host nft add table inet other
in_host nft add chain inet other c
in_host nft delete table inet other
ok "another table's changes leave ours alone"

# The daemon's own reload of a 10,001-port range sends more events than the
# watch socket holds: that overflow must not read as a foreign change, nor
# start a restore that overflows it again.  A loop restores every few tens
# of milliseconds, so a few seconds of quiet show there is none (a slow
# machine shows fewer loop rounds, never a false alarm).
before=$(restores)
printf '20000-30000/tcp  big  loopback-only\n' >"$TMP/local.rules"
kill -HUP "$PW_PID"
for i in $(seq 200); do grep -q reloaded "$TMP/pw.out" && break; nap 0.05; done
expect_contains "$(cat "$TMP/pw.out")" "reloaded" "the 10,001-port range reloads"
sleep 3
[ "$(restores)" -eq "$before" ] ||
	fail "the daemon's own reload was taken for a foreign change: $(($(restores) - before)) restores"
ok "no restore after the daemon's own 10,001-port reload"

# Events lost while the daemon could not read (stopped here, busy on a
# real host) are settled by reading the table back, which is as it was:
# someone else's large transaction in another table restores nothing.
before=$(restores)
# (addresses, not ports: the kernel keeps a set of ports as a bitmap and
# spends some 16 s of CPU on 65535 of them in one transaction, a hash of
# addresses a fraction of a second, for as many events)
{
	echo 'add table inet other'
	echo 'add set inet other many { type ipv4_addr; }'
	printf 'add element inet other many { %s }\n' "$(seq 1 65535 |
		awk '{ if (NR > 1) printf ","; printf "10.0.%d.%d", int($1 / 256), $1 % 256 }')"
} >"$TMP/other.nft"
# netfilter netlink messages the kernel could not queue on the host's sockets
nfnl_drops() { in_host awk '$2 == 12 { n += $9 } END { print n + 0 }' /proc/net/netlink; }
drops=$(nfnl_drops)
kill -STOP "$PW_PID"
in_host nft -f "$TMP/other.nft"
in_host nft delete table inet other
[ "$(nfnl_drops)" -gt "$drops" ] || fail "the daemon's event socket lost no event: nothing tested"
kill -CONT "$PW_PID"
sleep 3
[ "$(restores)" -eq "$before" ] ||
	fail "lost events of another table were taken for a change of ours"
ok "events lost to another table's large transaction restore nothing"

# And a foreign change after that is still noticed.
in_host nft delete chain inet portwarden input 2>/dev/null ||
	in_host nft flush chain inet portwarden input
wait_restores $((before + 1))
ok "a foreign removal after the big reload is restored"
expect_probe "$NS_INET" tcp "$HOST4" 6379 silent

kill -TERM "$PW_PID"
wait "$PW_PID" || fail "exit status $?"
ok "clean stop"
