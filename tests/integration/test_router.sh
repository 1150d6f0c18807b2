#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Router mode: the middle namespace routes (no NAT) between an internet
# peer and a LAN host whose mail proxy listens on 143.  New connections
# from the WAN to guarded ports of the LAN host get no answer; open ports
# and everything the LAN starts work, over IPv4 and IPv6.
. tests/integration/lib.sh
require_root
make_hosts
ROUTER=$NS_HOST
in_host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
serve "$NS_LAN" tcp 143
serve "$NS_LAN" tcp 80
serve "$NS_INET" tcp 143
wait_listening "$NS_LAN" tcp 143
wait_listening "$NS_INET" tcp 143

expect_probe "$NS_INET" tcp "$LAN4" 143 open	# the test can tell
start_pw "wan_interfaces = h-inet" "lan_interfaces = h-lan"
expect_probe "$NS_INET" tcp "$LAN4" 143 silent
expect_probe "$NS_INET" tcp "$LAN6" 143 silent
expect_probe "$NS_INET" tcp "$LAN4" 80 open
expect_probe "$NS_INET" tcp "$LAN6" 80 open
expect_probe "$NS_LAN" tcp "$INET4" 143 open
expect_probe "$NS_LAN" tcp "$INET6" 143 open
# the router's own guarded ports stay guarded by the prerouting chain: the
# Docker API (loopback-only) from nowhere, MySQL (lan-only) from the LAN only
serve "$ROUTER" tcp 2375
serve "$ROUTER" tcp 3306
wait_listening "$ROUTER" tcp 2375
wait_listening "$ROUTER" tcp 3306
expect_probe "$NS_INET" tcp "$HOST4" 2375 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 2375 silent
expect_probe "$NS_INET" tcp "$HOST4" 3306 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 3306 open

nft_json >"$TMP/ruleset.json"
python3 - "$TMP/ruleset.json" <<'PY' || fail "forward chain shape"
import json, sys
objs = json.load(open(sys.argv[1]))["nftables"]
chains = {o["chain"]["name"]: o["chain"] for o in objs if "chain" in o}
assert chains["forward"]["hook"] == "forward" and chains["forward"]["prio"] == -10
sets = {o["set"]["name"]: o["set"] for o in objs if "set" in o}
assert sets["wan_ifaces"]["elem"] == ["h-inet"], sets["wan_ifaces"]
PY
ok "forward chain hooked at priority -10 with @wan_ifaces"
drops=$(in_host "$PW" status | sed -n 's/^forward: *\([0-9]*\) .*/\1/p')
[ "${drops:-0}" -ge 2 ] || fail "status counts $drops forward drops, want the v4 and v6 attempts"
ok "status counts forward-chain drops ($drops)"
[ "$(in_host "$PW" -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["forward_drops"])')" = "$drops" ] ||
	fail "status --json disagrees on forward drops"
ok "status --json has forward_drops"
sleep 1.2
stop_pw
entry=$(grep '"path":"kernel"' "$PW_LOG" | grep "\"dst\":\"$LAN4\"" | head -1)
expect_contains "$entry" '"dport":143' "forwarded attempt logged with the inside host's address"
expect_contains "$entry" "\"src\":\"$INET4\"" "forwarded attempt logged with its source"
grep -q "\"dst\":\"$LAN6\"" "$PW_LOG" || fail "IPv6 forwarded attempt not logged"
ok "IPv6 forwarded attempt logged"
