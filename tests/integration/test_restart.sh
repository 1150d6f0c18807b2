#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# No gap on restart: a stop leaves the table in place, fail-closed, and the
# next start replaces it in one transaction.  Connections hammered at
# guarded ports through 10 restarts: none gets through.  Removing the
# table is an explicit act: `portwarden flush`.
. tests/integration/lib.sh
require_root
make_hosts
for p in 143 6379; do serve "$NS_HOST" tcp $p; done
for p in 143 6379; do wait_listening "$NS_HOST" tcp $p; done

table_present() { in_host nft list table inet portwarden >/dev/null 2>&1; }

start_pw
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
set_has blocked tcp 143 || fail "143 not blocked"

# four probers: two per port, IPv4 and IPv6, until told to stop
: >"$TMP/hammer"
touch "$TMP/hammering"
# (one process each: a process per probe cost more CPU than the probes)
for target in "$HOST4 143" "$HOST4 6379" "$HOST6 143" "$HOST6 6379"; do
	# shellcheck disable=SC2086
	in_inet "$TOOLS/probe" tcp $target 50 "$TMP/hammering" >>"$TMP/hammer" &
	HAMMERS="${HAMMERS:-} $!"
	defer "kill $!"
done
for i in $(seq 10); do
	before=$(grep -c . "$TMP/hammer")
	stop_pw
	[ "$PW_STATUS" -eq 0 ] || fail "restart $i: exit $PW_STATUS"
	table_present || fail "restart $i: no table after the stop"
	# the stop lasts until the probers have tried while no worker runs
	for j in $(seq 200); do
		[ "$(grep -c . "$TMP/hammer")" -ge $((before + 8)) ] && break
		nap 0.01
	done
	start_pw
done
# the last worker starts with an empty @blocked (a start replaces the
# table): the probers go on until it has blocked 143 again, so that the stop
# below has something to keep
wait_until "the last worker blocks 143" set_has blocked tcp 143
rm "$TMP/hammering"
wait $HAMMERS
total=$(grep -c . "$TMP/hammer")
opened=$(grep -c '^open' "$TMP/hammer")
[ "$total" -ge 80 ] || fail "only $total probes ran"
[ "$opened" -eq 0 ] || fail "$opened of $total probes got through during 10 restarts"
ok "$total probes during 10 restarts: none got through"
grep -q "^silent" "$TMP/hammer" || fail "no probe result recorded"

# stopped: the table stays, blocked ports stay blocked, the queue fails closed
stop_pw
table_present || fail "no table after the stop"
ok "a stop leaves the table"
set_has blocked tcp 143 || fail "@blocked emptied by the stop"
ok "@blocked kept over the stop"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
out=$(in_host "$PW" status 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "status without a worker: exit $rc ($out)"
ok "status says the table has no worker (exit 1)"

# flush is the explicit way out
out=$(in_host "$PW" flush 2>&1) || fail "flush: $out"
table_present && fail "table still there after flush"
ok "flush removes the table"
expect_probe "$NS_INET" tcp "$HOST4" 143 open
echo "all $CHECKS checks passed"
