#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-path log limit is per source (per /64 for IPv6): a flood of
# SYNs from spoofed addresses of one /64 to a blocked port cannot hide
# another source's attempt.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 143
start_pw "log_rate = 10"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
set_has blocked tcp 143 || fail "143 not blocked"

mac=$(ip -n "$NS_HOST" -j link show h-inet | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
in_inet "$TOOLS/craft" i-host "$mac" "$INET4" "$HOST4" "$INET6" "$HOST6" 143 flood6 100000000 >/dev/null &
FLOODER=$!
defer "kill $FLOODER"
# the flood is under way once the kernel logged some of it
for i in $(seq 200); do
	[ "$(grep -c '"src":"2001:db8:100:0:' "$PW_LOG")" -ge 2 ] && break
	nap 0.05
done
[ "$(grep -c '"src":"2001:db8:100:0:' "$PW_LOG")" -ge 2 ] || fail "the flood was never logged"
ok "the spoofed flood from 2001:db8:100::/64 is under way"

# a real attempt from another source, during the flood
for try in 1 2 3; do
	in_lan "$TOOLS/probe" tcp "$HOSTLAN6" 143 1500 >/dev/null
	grep -q "\"src\":\"$LAN6\".*\"path\":\"kernel\"" "$PW_LOG" && break
done
kill -0 "$FLOODER" || fail "the flood ended before the probe was decided"
grep -q "\"src\":\"$LAN6\".*\"path\":\"kernel\"" "$PW_LOG" ||
	fail "the attempt from $LAN6 was never logged during the flood"
grep "\"src\":\"$LAN6\"" "$PW_LOG"; ok "an attempt from $LAN6 is logged during the flood"
lines=$(grep -c '"src":"2001:db8:100:0:' "$PW_LOG")
kill "$FLOODER"
wait "$FLOODER" 2>/dev/null
ok "flood lines in the log: $lines"
echo "all $CHECKS checks passed"
