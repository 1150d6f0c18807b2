#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# When the worker is gone: fail closed keeps guarded ports unreachable (and
# loopback working); fail open lets them through.  Restart replaces the
# orphaned table in one piece; flush removes it.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 5432
serve "$NS_HOST" tcp 80
serve "$NS_HOST" tcp 3306
wait_listening "$NS_HOST" tcp 3306
wait_listening "$NS_HOST" tcp 5432
wait_listening "$NS_HOST" tcp 80

count_objects() {	# rules, sets and tables of the inet family in the host
	in_host nft -j list ruleset | python3 -c '
import json, sys
objs = json.load(sys.stdin)["nftables"]
print(sum("table" in o for o in objs), sum("rule" in o for o in objs), sum("set" in o for o in objs))'
}

start_pw
shape=$(count_objects)
kill -9 "$PW_PID"
wait "$PW_PID" 2>/dev/null
in_host nft list table inet portwarden >/dev/null || fail "kill -9 removed the table"
ok "kill -9 leaves the table in place"
expect_probe "$NS_INET" tcp "$HOST4" 5432 silent
expect_probe "$NS_HOST" tcp 127.0.0.1 5432 open
expect_probe "$NS_HOST" tcp "$HOST4" 5432 open
expect_probe "$NS_INET" tcp "$HOST4" 80 open
st=$(in_host "$PW" status)
rc=$?
[ "$rc" -eq 1 ] || fail "status exit $rc with the worker gone, want 1"
expect_contains "$st" "worker:    not running" "status notices the worker is gone"

# Restart over the orphaned table: same shape, nothing duplicated.
start_pw
[ "$(count_objects)" = "$shape" ] || fail "after restart: $(count_objects), before: $shape"
ok "restart replaced the orphaned table (tables rules sets: $shape)"
expect_probe "$NS_INET" tcp "$HOST4" 5432 silent

# a full queue drops: the worker is stopped, a flood fills its 4096 slots
kill -STOP "$PW_PID"
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 3306 6000 >/dev/null
expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
dropped=$(in_host awk '$1 == 0 { print $6 }' /proc/net/netfilter/nfnetlink_queue)
[ "${dropped:-0}" -gt 0 ] || fail "the full queue dropped nothing"
ok "fail closed: the full queue dropped $dropped packets, the probe got no answer"
kill -CONT "$PW_PID"
stop_pw

# fail open: a full queue lets packets through...
start_pw "fail_mode = open"
kill -STOP "$PW_PID"
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 3306 6000 >/dev/null
expect_probe "$NS_INET" tcp "$HOST4" 3306 open
kill -CONT "$PW_PID"
stop_pw

# ...and so does a missing worker.
start_pw "fail_mode = open"
st=$(in_host "$PW" status)
expect_contains "$st" "fail mode: open" "status reports fail open"
kill -9 "$PW_PID"
wait "$PW_PID" 2>/dev/null
expect_probe "$NS_INET" tcp "$HOST4" 5432 open

out=$(in_host "$PW" flush)
expect_contains "$out" "removed" "flush removes the table"
in_host nft list table inet portwarden >/dev/null 2>&1 && fail "table still there after flush"
ok "no table after flush"
out=$(in_host "$PW" flush)
expect_contains "$out" "was not installed" "flush without a table says so"
in_host "$PW" status >/dev/null
[ $? -eq 3 ] || fail "status without a table should exit 3"
ok "status exits 3 without a table"
