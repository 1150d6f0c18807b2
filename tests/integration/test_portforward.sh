#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Router mode with port forwards: the router DNATs 8096 (jellyfin, lan-only)
# and 18443 (in no database entry, so open) from its WAN address to a LAN
# host, the latter to the LAN host's guarded 143.  A forward is decided by
# the port the client connected to: 8096 is blocked and logged under
# 8096 with its target until local.rules opens it; 18443 stays open
# although the inner port is guarded; plain routed connections to guarded
# ports of the LAN host are still dropped, and `status` counts them.
. tests/integration/lib.sh
require_root
make_hosts
ROUTER=$NS_HOST
in_host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
serve "$NS_LAN" tcp 8096
serve "$NS_LAN" tcp 143
wait_listening "$NS_LAN" tcp 8096
wait_listening "$NS_LAN" tcp 143
in_host nft -f - <<EOF
table ip pwfwd {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "h-inet" tcp dport 8096 dnat to $LAN4:8096
		iifname "h-inet" tcp dport 18443 dnat to $LAN4:143
	}
}
table ip6 pwfwd {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "h-inet" tcp dport 8096 dnat to [$LAN6]:8096
	}
}
EOF
expect_probe "$NS_INET" tcp "$HOST4" 8096 open	# the forward works: the test can tell

echo "# local overrides of this router" >"$TMP/local.rules"
PW_LOCAL_RULES="$TMP/local.rules"
start_pw "wan_interfaces = h-inet" "lan_interfaces = h-lan"
expect_probe "$NS_INET" tcp "$HOST4" 8096 silent
expect_probe "$NS_INET" tcp "$HOST6" 8096 silent
expect_probe "$NS_INET" tcp "$HOST4" 18443 open	# published port open, inner port guarded
expect_probe "$NS_INET" tcp "$LAN4" 143 silent	# routed, not forwarded: still guarded
expect_probe "$NS_LAN" tcp "$INET4" 22 refused	# the LAN's own connections go out

for i in $(seq 100); do
	grep -q "\"dst\":\"$HOST6\"" "$PW_LOG" 2>/dev/null && break
	nap 0.05
done
entry=$(grep -m1 "\"dst\":\"$HOST4\"" "$PW_LOG")
expect_contains "$entry" '"dport":8096' "blocked forward logged under the published port"
expect_contains "$entry" '"service":"jellyfin"' "blocked forward logged with the published port's entry"
expect_contains "$entry" "\"nat_dst\":\"$LAN4\",\"nat_dport\":8096" "the log names the forward's target"
entry=$(grep -m1 "\"dst\":\"$HOST6\"" "$PW_LOG")
expect_contains "$entry" "\"nat_dst\":\"$LAN6\",\"nat_dport\":8096" "IPv6: the log names the forward's target"
grep -q '"dport":143,.*"nat_dst"' "$PW_LOG" && fail "a forward logged under its inner port"
ok "no forward logged under its inner port"

st=$(in_host "$PW" status)
forward=$(echo "$st" | sed -n 's/^forward: *\([0-9]*\) .*/\1/p')
[ -n "$forward" ] && [ "$forward" -ge 1 ] || fail "status forward drops: $st"
ok "status counts $forward forward-chain drop(s)"
out=$(in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$PW_LOCAL_RULES" audit)
expect_contains "$out" "Published ports and port forwards (DNAT):" "audit lists the router's forwards"
line=$(echo "$out" | grep "^protected *8096/tcp")
expect_contains "$line" "$LAN4:8096" "audit: forward of 8096 protected, with its target"
line=$(echo "$out" | grep "^open *18443/tcp")
expect_contains "$line" "$LAN4:143" "audit: forward of 18443 open, with its target"

# the admin opens the forward in local.rules: open over both families
echo "8096/tcp jellyfin open" >>"$TMP/local.rules"
kill -HUP "$PW_PID"
for i in $(seq 100); do
	grep -q "reloaded" "$TMP/pw.out" && break
	nap 0.05
done
grep -q "reloaded" "$TMP/pw.out" || fail "no reload"
expect_probe "$NS_INET" tcp "$HOST4" 8096 open
expect_probe "$NS_INET" tcp "$HOST6" 8096 open
expect_probe "$NS_INET" tcp "$LAN4" 143 silent
stop_pw
[ "$PW_STATUS" -eq 0 ] || fail "exit status $PW_STATUS"
