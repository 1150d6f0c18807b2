#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Published ports read as the kernel applies them, from rules the real
# tools load: kube-proxy's iptables mode (iptables-nft-restore of KUBE-*
# chains, as tests/bench/kube_rules.py writes them), kube-proxy's nftables
# mode (verdict maps) and netavark (Podman) loaded with nft, a redirect
# and a DNAT on an address routed to the host but not its own (exposed
# until the table's chain routed decides it).  `audit`
# ties each translation to the port match of its path: NodePort 30432 to
# three Postgres pods, exposed while nothing guards 30432, protected once
# local.rules does; a ClusterIP is not "every port".  The daemon's log
# line names the NodePort's target.
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.ip_forward=1

PW_LOCAL_RULES="$TMP/local.rules"
echo "# none" >"$PW_LOCAL_RULES"
audit_json() { in_host "$PW" --config /dev/null --db "$DB" --db "$PW_LOCAL_RULES" audit --json; }
# row JSON BY PORT FIELD: FIELD of the published row by BY on PORT
row() {
	echo "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o.get("kind") == "published" and o["by"] == sys.argv[1] and o["port"] == int(sys.argv[2]):
        print(o[sys.argv[3]]); break' "$2" "$3" "$4"
}

# ---- kube-proxy, iptables mode ------------------------------------------------
python3 tests/bench/kube_rules.py 330 | in_host iptables-nft-restore || fail "iptables-nft-restore"
out=$(audit_json)
rc=$?
[ "$(row "$out" nodeport 30432 status)" = exposed ] || fail "NodePort 30432: $(row "$out" nodeport 30432 status)"
[ "$(row "$out" nodeport 30432 endpoints)" = 3 ] || fail "endpoints: $(row "$out" nodeport 30432 endpoints)"
[ "$(row "$out" nodeport 30432 target_service)" = postgresql ] || fail "NodePort target service"
expect_contains "$(row "$out" nodeport 30432 target)" "203.0.113." "NodePort 30432 leads to the pods"
ok "kube-proxy iptables: NodePort 30432 -> 3 Postgres pods, exposed"
[ "$rc" -eq 1 ] || fail "audit exit $rc with an exposed NodePort, want 1"
ok "audit exits 1"
# the SEP DNAT has no port match: reached by the ClusterIP's, not every port
[ "$(row "$out" clusterip 5432 bind)" = 203.0.113.130 ] || fail "ClusterIP: $(row "$out" clusterip 5432 bind)"
[ "$(row "$out" clusterip 5432 status)" = open ] || fail "ClusterIP status"
expect_not_contains "$out" '"port":0,"port_end":65535' "no translation read as every port"
text=$(in_host "$PW" --config /dev/null --db "$DB" --db "$PW_LOCAL_RULES" audit)
expect_contains "$text" "nodeport" "the table names the NodePort"
expect_contains "$text" "(3 endpoints)" "the table counts the endpoints"
expect_contains "$text" "Service cluster addresses (kube-proxy) left out" "ClusterIPs are counted, not listed"

# guarded in local.rules: the table decides 30432, and the log names its target
echo "30432/tcp kube-postgres lan-only" >"$PW_LOCAL_RULES"
start_pw
expect_probe "$NS_INET" tcp "$HOST4" 30432 silent
out=$(audit_json)
[ "$(row "$out" nodeport 30432 status)" = protected ] || fail "guarded NodePort: $(row "$out" nodeport 30432 status)"
ok "a guarded NodePort is protected"
wait_until "the log line of 30432" grep -q '"dport":30432' "$PW_LOG"
line=$(grep -m1 '"dport":30432' "$PW_LOG")
expect_contains "$line" '"nat_dst":"203.0.113.' "the log names a pod of the NodePort"
expect_contains "$line" '"nat_dport":5432' "the log names the pods' port"
stop_pw
in_host "$PW" flush >/dev/null
in_host nft delete table ip nat

# ---- kube-proxy, nftables mode (its documented ruleset shape) ------------------
in_host nft -f - <<'EOF' || fail "nft -f kube-proxy"
table ip kube-proxy {
	set nodeport-ips {
		type ipv4_addr
		elements = { 198.51.100.1 }
	}
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 192.0.2.20 . tcp . 5432 : goto service-AAAA-db/pg/tcp/p5432 }
	}
	map service-nodeports {
		type inet_proto . inet_service : verdict
		elements = { tcp . 31432 : goto external-AAAA-db/pg/tcp/p5432 }
	}
	chain mark-for-masquerade {
		mark set mark or 0x4000
	}
	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}
	chain external-AAAA-db/pg/tcp/p5432 {
		jump mark-for-masquerade
		goto service-AAAA-db/pg/tcp/p5432
	}
	chain service-AAAA-db/pg/tcp/p5432 {
		ip daddr 192.0.2.20 tcp dport 5432 ip saddr != 203.0.113.0/24 jump mark-for-masquerade
		numgen random mod 2 vmap { 0 : goto endpoint-BBBB-db/pg/tcp/p5432__203.0.113.21/5432, 1 : goto endpoint-CCCC-db/pg/tcp/p5432__203.0.113.22/5432 }
	}
	chain endpoint-BBBB-db/pg/tcp/p5432__203.0.113.21/5432 {
		ip saddr 203.0.113.21 jump mark-for-masquerade
		meta l4proto tcp dnat to 203.0.113.21:5432
	}
	chain endpoint-CCCC-db/pg/tcp/p5432__203.0.113.22/5432 {
		ip saddr 203.0.113.22 jump mark-for-masquerade
		meta l4proto tcp dnat to 203.0.113.22:5432
	}
}
EOF
out=$(audit_json)
[ "$(row "$out" nodeport 31432 status)" = exposed ] || fail "nft NodePort: $(row "$out" nodeport 31432 status)"
[ "$(row "$out" nodeport 31432 endpoints)" = 2 ] || fail "nft NodePort endpoints"
[ "$(row "$out" clusterip 5432 bind)" = 192.0.2.20 ] || fail "nft ClusterIP: $(row "$out" clusterip 5432 bind)"
ok "kube-proxy nftables: the NodePort map leads 31432 to 2 pods, the service map 192.0.2.20:5432"
in_host nft delete table ip kube-proxy

# ---- netavark (Podman), nftables driver ----------------------------------------
in_host nft -f - <<'EOF' || fail "nft -f netavark"
table inet netavark {
	chain PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump NETAVARK-HOSTPORT-DNAT
	}
	chain NETAVARK-HOSTPORT-SETMARK {
		meta mark set meta mark | 0x2000
	}
	chain NETAVARK-HOSTPORT-DNAT {
		tcp dport 16379 jump nv_2f259bab_203_0_113_0_nm24_dnat
	}
	chain nv_2f259bab_203_0_113_0_nm24_dnat {
		ip saddr 203.0.113.0/24 tcp dport 16379 jump NETAVARK-HOSTPORT-SETMARK
		ip saddr 127.0.0.1 tcp dport 16379 jump NETAVARK-HOSTPORT-SETMARK
		tcp dport 16379 dnat ip to 203.0.113.30:6379
	}
}
EOF
out=$(audit_json)
[ "$(row "$out" podman 16379 status)" = exposed ] || fail "podman 16379: $(row "$out" podman 16379 status)"
[ "$(row "$out" podman 16379 target)" = 203.0.113.30:6379 ] || fail "podman target"
ok "netavark: 16379 published to a Redis container, exposed"
in_host nft delete table inet netavark

# ---- a redirect and a DNAT on an address that is not the host's ----------------
in_host nft -f - <<'EOF' || fail "nft -f redirect"
table ip fw {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8143 redirect to :143
		ip daddr 203.0.113.50 tcp dport 6379 dnat to 192.0.2.9:6379
	}
}
EOF
# no table: nothing decides the address that is not the host's
out=$(audit_json)
[ "$(row "$out" dnat 6379 status)" = exposed ] || fail "routed DNAT: $(row "$out" dnat 6379 status)"
expect_contains "$(row "$out" dnat 6379 reason)" "not an address of this host" "the reason says why"
ok "DNAT on 203.0.113.50, routed here but not the host's, is exposed while no table decides it"
start_pw
out=$(audit_json)
[ "$(row "$out" redirect 8143 status)" = exposed ] || fail "redirect: $(row "$out" redirect 8143 status)"
[ "$(row "$out" redirect 8143 target)" = :143 ] || fail "redirect target"
ok "a redirect of 8143 to the loopback-only 143 is exposed"
# the table's chain routed decides it by the port the client connected to
[ "$(row "$out" dnat 6379 status)" = protected ] || fail "routed DNAT: $(row "$out" dnat 6379 status)"
expect_contains "$(row "$out" dnat 6379 reason)" "chain routed" "the reason says why"
ok "DNAT on 203.0.113.50 is protected once the table decides the addresses the host routes"
stop_pw
in_host "$PW" flush >/dev/null
echo "all $CHECKS checks passed"
