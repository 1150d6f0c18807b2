#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An application server: an 8080 app behind a load balancer and the
# databases of its LAN app tier (PostgreSQL, MySQL, Redis) are reachable
# from the LAN, v4 and v6, and from nowhere else; a Redis replica on the
# LAN keeps its link to the master.
. tests/integration/lib.sh
require_root
command -v redis-server >/dev/null || fail "redis-server missing (make deps installs it)"
make_hosts

in_host redis-server --port 6379 --bind '* -::*' --protected-mode no --save '' --appendonly no --dir "$TMP" \
	--daemonize no >"$TMP/redis-master.log" 2>&1 &
defer "kill $!"
for port in 8080 5432 3306; do serve "$NS_HOST" tcp "$port"; done
for port in 6379 8080 5432 3306; do wait_listening "$NS_HOST" tcp "$port"; done
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64"

for port in 8080 5432 3306 6379; do
	expect_probe "$NS_LAN" tcp "$HOSTLAN4" "$port" open
	expect_probe "$NS_LAN" tcp "$HOSTLAN6" "$port" open
done
[ "$(in_lan redis-cli -h "$HOSTLAN4" -p 6379 PING)" = PONG ] || fail "redis-cli PING from the LAN"
ok "redis-cli PING from the LAN: PONG"
in_lan redis-cli -h "$HOSTLAN6" -p 6379 SET tier ok >/dev/null || fail "redis-cli SET over IPv6"
[ "$(in_lan redis-cli -h "$HOSTLAN6" -p 6379 GET tier)" = ok ] || fail "redis-cli GET over IPv6"
ok "redis-cli SET/GET over IPv6 from the LAN"

# a replica on the LAN: its link to the master comes up and stays up
in_lan redis-server --port 6380 --replicaof "$HOSTLAN4" 6379 --save '' --appendonly no --dir "$TMP" \
	--daemonize no >"$TMP/redis-replica.log" 2>&1 &
defer "kill $!"
for i in $(seq 100); do
	in_lan redis-cli -p 6380 INFO replication 2>/dev/null | grep -q 'master_link_status:up' && break
	nap 0.1
done
in_lan redis-cli -p 6380 INFO replication | grep -q 'master_link_status:up' ||
	fail "replica link down: $(in_lan redis-cli -p 6380 INFO replication | tr -d '\r' | grep master_)"
ok "Redis replica on the LAN: master_link_status:up"
[ "$(in_lan redis-cli -p 6380 GET tier)" = ok ] || fail "replica did not get the data"
ok "replica holds the master's data"

for port in 8080 5432 3306 6379; do
	expect_probe "$NS_INET" tcp "$HOST4" "$port" silent
done
expect_probe "$NS_INET" tcp "$HOST6" 6379 silent
[ "$(in_lan redis-cli -p 6380 INFO replication | tr -d '\r' | sed -n 's/^master_link_status://p')" = up ] ||
	fail "replica link dropped while the internet was refused"
ok "replica link still up"
