#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `portwarden audit` in a host with listeners on 0.0.0.0, ::, 127.0.0.1 and
# UDP, on guarded and open ports: statuses before and after portwarden runs,
# owners named, exit status for monitoring.
. tests/integration/lib.sh
require_root
make_hosts
in_host socat TCP4-LISTEN:3306,bind=0.0.0.0,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
in_host socat TCP6-LISTEN:6379,bind=[::],ipv6only=1,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
in_host socat TCP4-LISTEN:5432,bind=127.0.0.1,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
in_host socat UDP4-RECVFROM:11211,bind=0.0.0.0,fork SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
in_host socat TCP4-LISTEN:80,bind=0.0.0.0,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
for p in 3306 6379 5432 80; do wait_listening "$NS_HOST" tcp $p; done
wait_listening "$NS_HOST" udp 11211

audit_json() { in_host "$PW" --config /dev/null --db "$DB" audit --json; }
status_of() {	# status_of JSON PORT PROTO
	echo "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["port"] == int(sys.argv[1]) and o["proto"] == sys.argv[2]:
        print(o["status"], o["process"], o["pid"], o["bind"]); break' "$2" "$3"
}

out=$(audit_json)
rc=$?
[ "$rc" -eq 1 ] || fail "audit exit $rc with exposed services, want 1"
ok "audit exits 1 while something is exposed"
expect_contains "$(status_of "$out" 3306 tcp)" "exposed socat" "3306 on 0.0.0.0 exposed, owner socat"
expect_contains "$(status_of "$out" 6379 tcp)" "exposed" "6379 on :: exposed"
expect_contains "$(status_of "$out" 11211 udp)" "exposed" "11211/udp exposed"
expect_contains "$(status_of "$out" 5432 tcp)" "local-only" "5432 on 127.0.0.1 local-only"
expect_contains "$(status_of "$out" 80 tcp)" "open" "80 open (no entry guards it)"
pid=$(status_of "$out" 3306 tcp | awk '{print $3}')
[ "$(cat /proc/"$pid"/comm)" = socat ] || fail "pid $pid is not socat"
ok "owner pid $pid is the socat listener"
table=$(in_host "$PW" --config /dev/null --db "$DB" audit)
first=$(echo "$table" | sed -n 2p)
expect_contains "$first" "exposed" "table sorted worst first"
expect_contains "$table" "MySQL and MariaDB" "exposed row carries the database's reason"
expect_not_contains "$table" $'\033[' "no colour when not on a terminal"

start_pw
out=$(audit_json)
rc=$?
[ "$rc" -eq 0 ] || fail "audit exit $rc with portwarden running, want 0: $out"
ok "audit exits 0 once portwarden enforces the policy"
# MySQL is lan-only: the kernel lets only the LAN reach it
expect_contains "$(status_of "$out" 3306 tcp)" "lan" "3306 reachable from the LAN only"
expect_contains "$(status_of "$out" 11211 udp)" "lan" "11211/udp (memcached, lan-only) reachable from the LAN only"

# route_localnet makes 127.0.0.1 reachable; the martian guard covers it.
in_host sysctl -qw net.ipv4.conf.h-inet.route_localnet=1
expect_contains "$(status_of "$(audit_json)" 5432 tcp)" "local-only" "route_localnet with the guard installed: local-only"
stop_pw
# a stop leaves the table (and its guard); flush removes it
in_host "$PW" flush >/dev/null || fail "flush failed"
out=$(audit_json)
expect_contains "$(status_of "$out" 5432 tcp)" "exposed" "route_localnet without the guard: exposed"
expect_contains "$out" "route_localnet=1" "the reason names route_localnet"
