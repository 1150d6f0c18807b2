#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A container's Redis published with -p 6379:6379: the DNAT rules written
# (a) with iptables-nft the way Docker writes them and (b) as a native nft
# nat table.  portwarden runs in host mode (no wan_interfaces): the
# published port is decided by the port the client connected to, blocked
# from the internet over IPv4 and IPv6, reachable from the host itself and
# (as lan-only, lan_interfaces = pwbr0) from a peer on the container
# bridge; `audit` lists it with its target; the log names published port
# and target.
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
CT4=203.0.113.2 CT6=2001:db8:113::2 PEER4=203.0.113.3 PEER6=2001:db8:113::3
make_container ct "$CT4" "$CT6"
NS_CT=${CONTAINERS[0]}
make_container peer "$PEER4" "$PEER6"
NS_PEER=${CONTAINERS[1]}

ip netns exec "$NS_CT" redis-server --port 6379 --bind '* -::*' --protected-mode no --save '' --dir "$TMP" \
	--appendonly no --logfile "$TMP/redis.log" >/dev/null 2>&1 &
defer "kill $!"
wait_listening "$NS_CT" tcp 6379

# 6379 is lan-only here, so the bridge counts; the shipped policy is kept
# for every other port
echo "6379/tcp redis lan-only" >"$TMP/local.rules"
PW_LOCAL_RULES="$TMP/local.rules"
PW_CONF=("lan_interfaces = pwbr0")
printf '%s\n' "${PW_CONF[@]}" >"$TMP/pw.conf"	# for audit before the daemon runs

audit_json() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$PW_LOCAL_RULES" audit --json; }
published_field() {	# published_field JSON FIELD: of the lines for 6379/tcp, distinct, sorted
	echo "$1" | python3 -c '
import json, sys
vals = set()
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "published" and o["port"] == 6379 and o["proto"] == "tcp":
        vals.add(o[sys.argv[1]])
print(" ".join(sorted(vals)))' "$2"
}

# log_entry FAMILY-ADDRESS: the first log line of an attempt on 6379 to it
log_entry() {
	local i
	for i in $(seq 100); do
		grep '"dport":6379' "$PW_LOG" 2>/dev/null | grep -m1 "\"dst\":\"$1\"" && return 0
		nap 0.05
	done
	cat "$PW_LOG" >&2
	fail "no log line for $1 port 6379"
}

# The same assertions for both ways of writing the DNAT rules.
check_published() {	# check_published WRITER
	local out rc entry targets
	expect_probe "$NS_INET" tcp "$HOST4" 6379 open	# the DNAT works: the test can tell
	expect_probe "$NS_INET" tcp "$HOST6" 6379 open
	out=$(audit_json)
	rc=$?
	[ "$rc" -eq 1 ] || fail "audit exit $rc without portwarden, want 1"
	[ "$(published_field "$out" status)" = exposed ] ||
		fail "$1: without portwarden: $(published_field "$out" status)"
	ok "$1: audit without portwarden: published 6379 exposed (v4 and v6)"
	targets=$(published_field "$out" target)
	expect_contains "$targets" "$CT4:6379" "$1: audit names the IPv4 target"
	expect_contains "$targets" "[$CT6]:6379" "$1: audit names the IPv6 target"
	[ "$(published_field "$out" writer)" = "$1" ] || fail "$1: writer $(published_field "$out" writer)"
	ok "$1: audit names who wrote the rules"

	start_pw "${PW_CONF[@]}"
	expect_probe "$NS_INET" tcp "$HOST4" 6379 silent
	expect_probe "$NS_INET" tcp "$HOST6" 6379 silent
	expect_probe "$NS_LAN" tcp "$HOSTLAN4" 6379 silent	# not a LAN interface
	# the host itself (nat OUTPUT) and the container bridge still reach it
	expect_probe "$NS_HOST" tcp "$HOST4" 6379 open
	expect_probe "$NS_HOST" tcp "$CT4" 6379 open
	[ "$(in_host redis-cli -h "$HOST4" -p 6379 PING)" = PONG ] || fail "$1: redis PING from the host"
	ok "$1: redis answers the host through the DNAT"
	expect_probe "$NS_PEER" tcp "$BRIDGE4" 6379 open
	expect_probe "$NS_PEER" tcp "$CT4" 6379 open

	entry=$(log_entry "$HOST4")
	expect_contains "$entry" '"service":"redis"' "$1: logged under the published port's entry"
	expect_contains "$entry" "\"nat_dst\":\"$CT4\",\"nat_dport\":6379" "$1: the log names the DNAT target"
	expect_contains "$entry" "\"src\":\"$INET4\"" "$1: the log names the source"
	entry=$(log_entry "$HOST6")
	expect_contains "$entry" "\"nat_dst\":\"$CT6\",\"nat_dport\":6379" "$1: IPv6: the log names the DNAT target"

	out=$(audit_json)
	rc=$?
	[ "$(published_field "$out" status)" = protected ] ||
		fail "$1: with portwarden: $(published_field "$out" status)"
	ok "$1: audit with portwarden: published 6379 protected (v4 and v6)"
	[ "$rc" -eq 0 ] || fail "$1: audit exit $rc with nothing exposed, want 0"
	ok "$1: audit exits 0"
	out=$(in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$PW_LOCAL_RULES" audit)
	expect_contains "$out" "Published ports (DNAT):" "$1: audit's table has the published section"
	expect_contains "$out" "$CT4:6379" "$1: audit's table names the target"
	stop_pw
	grep -q '"nat_dst"' "$PW_LOG" || fail "$1: no line names a published port's target"
	ok "$1: lines of published ports follow the log schema ($(check_log_schema "$PW_LOG") lines)"
	[ "$PW_STATUS" -eq 0 ] || fail "$1: exit status $PW_STATUS"
	# a stop leaves the table (fail closed): the next round starts without
	in_host "$PW" flush >/dev/null || fail "$1: flush"
}

# ---- (a) iptables-nft, as Docker writes it ----------------------------------
for ipt in iptables-nft ip6tables-nft; do
	if [ "$ipt" = iptables-nft ]; then ct=$CT4 sub=203.0.113.0/24 lo=127.0.0.0/8; else
		ct="[$CT6]" sub=2001:db8:113::/64 lo=::1/128; fi
	in_host "$ipt" -t nat -N DOCKER
	in_host "$ipt" -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
	in_host "$ipt" -t nat -A OUTPUT ! -d "$lo" -m addrtype --dst-type LOCAL -j DOCKER
	in_host "$ipt" -t nat -A POSTROUTING -s "$sub" ! -o pwbr0 -j MASQUERADE
	in_host "$ipt" -t nat -A DOCKER -i pwbr0 -j RETURN
	in_host "$ipt" -t nat -A DOCKER ! -i pwbr0 -p tcp -m tcp --dport 6379 -j DNAT \
		--to-destination "$ct:6379"
	in_host "$ipt" -t filter -N DOCKER
	in_host "$ipt" -t filter -P FORWARD DROP
	in_host "$ipt" -t filter -A FORWARD -o pwbr0 -j DOCKER
	in_host "$ipt" -t filter -A FORWARD -o pwbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	in_host "$ipt" -t filter -A FORWARD -i pwbr0 ! -o pwbr0 -j ACCEPT
	in_host "$ipt" -t filter -A FORWARD -i pwbr0 -o pwbr0 -j ACCEPT
	in_host "$ipt" -t filter -A DOCKER -d "${ct//[\[\]]/}" ! -i pwbr0 -o pwbr0 -p tcp -m tcp \
		--dport 6379 -j ACCEPT
done
# Docker leaves the bridge's own connections to the proxy it runs on the
# host; a socat stands in for docker-proxy, for the peer on the bridge
in_host socat TCP-LISTEN:6379,bind="$BRIDGE4",fork,reuseaddr TCP:"$CT4":6379 >/dev/null 2>&1 &
proxy=$!
defer "kill $proxy"
wait_listening "$NS_HOST" tcp 6379
check_published xtables
kill "$proxy"
for t in "ip nat" "ip filter" "ip6 nat" "ip6 filter"; do in_host nft delete table $t; done

# ---- (b) a native nft nat table ------------------------------------------------
in_host nft -f - <<EOF
table inet pwnat {
	chain pre {
		type nat hook prerouting priority dstnat;
		fib daddr type local tcp dport 6379 dnat ip to $CT4:6379
		fib daddr type local tcp dport 6379 dnat ip6 to [$CT6]:6379
	}
	chain out {
		type nat hook output priority -100;
		ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 6379 dnat ip to $CT4:6379
	}
	chain post {
		type nat hook postrouting priority srcnat;
		ip saddr 203.0.113.0/24 ip daddr $CT4 tcp dport 6379 masquerade
	}
}
EOF
check_published nft
