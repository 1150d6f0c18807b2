#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Paths into the host through addresses it routes but does not hold, each
# decided by the port the client connected to, in host mode and router
# mode: a WAN neighbour that routes the container bridge's prefix through
# the host; a DNAT of a failover address (routed to the host, assigned to
# nothing) to a container's Redis; a REDIRECT of another such address to
# the host's own IMAP proxy; a TPROXY of a third to a local listener.  The
# guarded ports get silence and a log line, the ports the policy leaves
# open (published or not) keep working, and the LAN keeps reaching its
# lan-only ports.  In monitor mode they are logged and let through.
# `audit` says the same: the routed translations of guarded ports are
# protected while the table decides them (exposed in monitor mode), and
# a redirect of the open 8143 on the host's own address to the guarded
# 143 is exposed, with 8143 as the port to guard.
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
CT4=203.0.113.2 CT6=2001:db8:113::2
make_container ct "$CT4" "$CT6"
NS_CT=${CONTAINERS[0]}
ip netns exec "$NS_CT" redis-server --port 6379 --bind '* -::*' --protected-mode no --save '' \
	--appendonly no --logfile "$TMP/redis.log" >/dev/null 2>&1 &
defer "kill $!"
serve "$NS_CT" tcp 4443
serve "$NS_HOST" tcp 143	# the host's IMAP proxy (loopback-only), on every address
in_host socat TCP4-LISTEN:15432,ip-transparent,fork,reuseaddr SYSTEM:'echo pong' \
	>/dev/null 2>&1 &
defer "kill $!"
wait_listening "$NS_CT" tcp 6379
wait_listening "$NS_CT" tcp 4443
wait_listening "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 15432

# addresses the upstream routes to the host, which holds none of them
FAIL4=198.51.100.200 FAIL6=2001:db8:100::200 REDIR4=198.51.100.201 TPROXY4=198.51.100.202
in_inet ip route add "$FAIL4/32" via "$HOST4"
in_inet ip route add "$REDIR4/32" via "$HOST4"
in_inet ip route add "$TPROXY4/32" via "$HOST4"
in_inet ip -6 route add "$FAIL6/128" via "$HOST6"
in_host nft -f - <<EOF
table inet pwnat {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip daddr $FAIL4 tcp dport { 6379, 4443 } dnat ip to $CT4
		ip6 daddr $FAIL6 tcp dport 6379 dnat ip6 to $CT6
		fib daddr type local tcp dport 18443 dnat ip to $CT4:4443
		ip daddr $REDIR4 tcp dport 143 redirect to :143
		fib daddr type local tcp dport 8143 redirect to :143
	}
	chain post {
		type nat hook postrouting priority srcnat;
		ip saddr 203.0.113.0/24 oifname "h-inet" masquerade
	}
}
table inet pwtproxy {
	chain pre {
		type filter hook prerouting priority mangle;
		ip daddr $TPROXY4 tcp dport 5432 tproxy ip to :15432 meta mark set 1 accept
	}
}
EOF
in_host ip rule add fwmark 1 lookup 100
in_host ip route add local 0.0.0.0/0 dev lo table 100

# without portwarden every path is open: the test can tell
expect_probe "$NS_INET" tcp "$CT4" 6379 open
expect_probe "$NS_INET" tcp "$FAIL4" 6379 open
expect_probe "$NS_INET" tcp "$FAIL6" 6379 open
expect_probe "$NS_INET" tcp "$REDIR4" 143 open
expect_probe "$NS_INET" tcp "$TPROXY4" 5432 open
expect_probe "$NS_INET" tcp "$HOST4" 8143 open

# published JSON BY PORT BIND FIELD: FIELD of audit's published row
published() {
	echo "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "published" and o["by"] == sys.argv[1] and \
       o["port"] == int(sys.argv[2]) and o["bind"] == sys.argv[3]:
        print(o[sys.argv[4]]); break' "$2" "$3" "$4" "$5"
}
audit_json() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" audit --json; }

# log_has DST DPORT: a kernel-path line for that destination arrives
log_has() {
	local i
	for i in $(seq 100); do
		grep "\"dst\":\"$1\"" "$PW_LOG" 2>/dev/null | grep -q "\"dport\":$2," && return 0
		nap 0.05
	done
	cat "$PW_LOG" >&2
	fail "no log line for $1 port $2"
}

# rule_count CHAIN COMMENT_WORDS: packets counted by the rule of CHAIN
# whose comment has those words
rule_count() {
	nft_json | python3 -c '
import json, sys
n = 0
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r and r["chain"] == sys.argv[1] and sys.argv[2] in r.get("comment", ""):
        n += sum(e["counter"]["packets"] for e in r["expr"] if "counter" in e)
print(n)' "$1" "$2"
}

# the checks of both modes; the LAN peer may reach lan-only ports.  The
# log folds repeats by source and port, so the attempts whose lines are
# read come first.
check_paths() {	# check_paths MODE
	expect_probe "$NS_INET" tcp "$FAIL4" 6379 silent
	expect_probe "$NS_INET" tcp "$FAIL6" 6379 silent
	expect_probe "$NS_INET" tcp "$REDIR4" 143 silent
	expect_probe "$NS_INET" tcp "$TPROXY4" 5432 silent
	expect_probe "$NS_INET" tcp "$FAIL4" 4443 open	# published, open
	expect_probe "$NS_INET" tcp "$HOST4" 18443 open	# published on the host's address
	log_has "$FAIL4" 6379
	log_has "$FAIL6" 6379
	log_has "$REDIR4" 143
	log_has "$TPROXY4" 5432
	ok "$1: the attempts on the routed addresses are logged under the port the client asked for"
	[ "$(rule_count routed "back out")" -ge 4 ] ||
		fail "$1: chain routed counted $(rule_count routed "back out")"
	ok "$1: chain routed counted them as routed back out where they came in"
	expect_probe "$NS_INET" tcp "$CT4" 6379 silent
	expect_probe "$NS_INET" tcp "$CT6" 6379 silent
	expect_probe "$NS_INET" tcp "$CT4" 4443 open	# not guarded
	expect_probe "$NS_LAN" tcp "$CT4" 6379 open
	[ "$(in_lan redis-cli -h "$CT4" -p 6379 PING)" = PONG ] || fail "$1: redis PING from the LAN"
	ok "$1: the LAN's redis-cli gets PONG from the container"
}

# pwbr0 is a container bridge as docker0, br-* or virbr* are by their names
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64" "lan_interfaces = pwbr0"
nft_json | grep -q '"after_conntrack"' || fail "host mode: NAT not seen"
ok "host mode: the host uses NAT, and the table knows"
check_paths "host mode"
out=$(audit_json)
rc=$?
for p in "dnat 6379 $FAIL4" "dnat 6379 $FAIL6" "redirect 143 $REDIR4" "tproxy 5432 $TPROXY4"; do
	set -- $p
	[ "$(published "$out" "$1" "$2" "$3" status)" = protected ] ||
		fail "audit: $1 of $3:$2: $(published "$out" "$1" "$2" "$3" status), want protected"
done
expect_contains "$(published "$out" dnat 6379 "$FAIL4" reason)" "chain routed" \
	"audit: the routed DNAT, REDIRECT and TPROXY of guarded ports are protected, decided by chain routed"
[ "$(published "$out" dnat 4443 "$FAIL4" status)" = open ] ||
	fail "audit: 4443 on $FAIL4: $(published "$out" dnat 4443 "$FAIL4" status)"
ok "audit: the open 4443 on the failover address is open"
[ "$(published "$out" redirect 8143 "*" status)" = exposed ] ||
	fail "audit: redirect 8143: $(published "$out" redirect 8143 "*" status)"
expect_contains "$(published "$out" redirect 8143 "*" reason)" "8143 leads to 143" \
	"audit: 143 is reached through the open 8143"
expect_contains "$(published "$out" redirect 8143 "*" reason)" "portwarden guard 8143" \
	"audit: the fix is to guard 8143"
[ "$rc" -eq 1 ] || fail "audit exit $rc with 8143 exposed, want 1"
ok "audit exits 1"
[ "$(rule_count forward "behind a bridge")" -ge 2 ] ||
	fail "host mode: routed into the bridge: $(rule_count forward "behind a bridge")"
ok "host mode: chain forward counted the attempts routed into the container bridge"
stop_pw
in_host "$PW" flush >/dev/null || fail "flush"

: >"$PW_LOG"
start_pw "wan_interfaces = h-inet" "lan_interfaces = h-lan, pwbr0"
check_paths "router mode"
stop_pw
in_host "$PW" flush >/dev/null || fail "flush"

# monitor mode: what the kernel would refuse by itself is logged, let through
: >"$PW_LOG"
start_pw "mode = monitor" "lan_interfaces = pwbr0"
expect_probe "$NS_INET" tcp "$FAIL4" 6379 open
for i in $(seq 100); do
	grep -q "\"dst\":\"$FAIL4\"" "$PW_LOG" 2>/dev/null && break
	nap 0.05
done
entry=$(grep "\"dst\":\"$FAIL4\"" "$PW_LOG")
expect_contains "$entry" '"action":"would-block"' "monitor mode: the routed DNAT attempt is logged as would-block"
expect_contains "$entry" '"path":"kernel"' "monitor mode: by the kernel"
out=$(audit_json)
[ "$(published "$out" dnat 6379 "$FAIL4" status)" = exposed ] ||
	fail "monitor mode: audit: 6379 on $FAIL4: $(published "$out" dnat 6379 "$FAIL4" status)"
ok "monitor mode: audit calls the routed DNAT of 6379 exposed"
stop_pw
echo "all $CHECKS checks passed"
