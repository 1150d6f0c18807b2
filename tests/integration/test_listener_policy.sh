#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A port's policy decided by port and listener together, read back from the
# kernel with nft: 3000 is loopback-only for development servers and
# lan-only while Grafana holds it; 4001 is open for IPFS and lan-only while
# etcd holds it; a lan-only port that local.rules makes loopback-only for a
# development server leaves @lan_only.  Each change happens in one small
# transaction, follows the listener both ways, and survives a reload.
. tests/integration/lib.sh
require_root
make_hosts
mkdir -p "$TMP/bin"
# stand-ins named like the real programs: the listener rule sees their
# executables' names, the traffic is socat's
for name in grafana-server node etcd; do cp "$(command -v socat)" "$TMP/bin/$name"; done

listen_as() {	# listen_as NAME PORT: socat under NAME on every address; sets LISTENER
	ip netns exec "$NS_HOST" "$TMP/bin/$1" "TCP6-LISTEN:$2,ipv6only=0,fork,reuseaddr" \
		SYSTEM:'echo pong' >/dev/null 2>&1 &
	LISTENER=$!
	defer "kill $LISTENER"
	wait_listening "$NS_HOST" tcp "$2"
}
stop_listener() {
	kill "$LISTENER"
	wait "$LISTENER" 2>/dev/null
}
# the comment of the element of SET for tcp PORT, as nft prints it
element_comment() {
	nft_json | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("set")
    if not s or s["name"] != sys.argv[1]:
        continue
    for e in s.get("elem", []):
        if isinstance(e, dict) and "elem" in e:
            v = e["elem"]["val"]["concat"]
            if v[0] == "tcp" and v[1] == int(sys.argv[2]):
                print(e["elem"].get("comment", ""))' "$1" "$2"
}

cat >"$TMP/local.rules" <<'EOF'
8080/tcp  http-alt  lan-only
	title     Application servers behind a load balancer
	listener  loopback-only node
	about     A site rule: the team's development servers on 8080 stay local.
EOF
PW_LOCAL_RULES="$TMP/local.rules"
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64"

# --- 3000: loopback-only, lan-only while Grafana holds it ------------------
listen_as node 3000
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 3000 silent
set_has lan_only tcp 3000 && fail "3000 in @lan_only with a development server on it"
ok "a development server on 3000: loopback-only, the LAN is refused"
stop_listener
# the block the refusal left does not outlive the next policy's LAN rule
listen_as grafana-server 3000
wait_until "3000 in @lan_only" set_has lan_only tcp 3000
ok "Grafana on 3000: the port joined @lan_only"
comment=$(element_comment guarded 3000)
expect_contains "$comment" "dev-http lan-only (ports.db:" "@guarded names the entry and the policy it has now"
expect_contains "$comment" ": listener grafana-server[" "@guarded names the listener"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 3000 open
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 3000 open
expect_probe "$NS_INET" tcp "$HOST4" 3000 silent
expect_probe "$NS_INET" tcp "$HOST6" 3000 silent
expect_contains "$(cat "$TMP/pw.out")" "lan-only 3000/tcp: dev-http lan-only" "the daemon says the listener changed the policy"

status=$(in_host "$PW" status)
expect_contains "$status" "listener:  1 port guarded as the process listening there decides" "status counts it"
expect_contains "$(echo "$status" | grep '^  3000/tcp ')" "dev-http lan-only" "status shows the policy 3000 has now"
audit=$(in_host "$PW" --config /dev/null --db "$DB" --db "$PW_LOCAL_RULES" audit --json | grep '"port":3000,' | head -1)
expect_contains "$audit" '"policy":"lan-only"' "audit: 3000 is lan-only now"
expect_contains "$audit" '"status":"lan"' "audit: only the LAN reaches it"
expect_contains "$audit" 'listener lan-only grafana-server' "audit says which listener rule applied"

# a reload builds the whole table again: the listener's decision stays
kill -HUP "$PW_PID"
wait_until "reloaded" file_has "$TMP/pw.out" "reloaded:"
set_has lan_only tcp 3000 || fail "3000 left @lan_only over a reload"
expect_contains "$(element_comment guarded 3000)" ": listener grafana-server[" "the listener's comment survives a reload"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 3000 open

# Grafana makes way for a development server: back to loopback-only
stop_listener
listen_as node 3000
wait_until "3000 out of @lan_only" eval '! set_has lan_only tcp 3000'
set_has guarded tcp 3000 || fail "3000 left @guarded on the way back"
expect_contains "$(element_comment guarded 3000)" "dev-http loopback-only (ports.db:" "@guarded is the entry's own again"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 3000 silent
ok "a development server after Grafana: loopback-only again"
stop_listener

# --- 4001: open for IPFS, lan-only while etcd holds it ---------------------
set_has guarded tcp 4001 && fail "4001 guarded with nothing listening"
listen_as etcd 4001
wait_until "4001 in @guarded" set_has guarded tcp 4001
set_has lan_only tcp 4001 || fail "etcd's 4001 not in @lan_only"
ok "etcd on 4001: the open port is guarded lan-only while it listens"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 4001 open
expect_probe "$NS_INET" tcp "$HOST4" 4001 silent
stop_listener
wait_until "4001 out of @guarded" eval '! set_has guarded tcp 4001'
set_has lan_only tcp 4001 && fail "4001 stayed in @lan_only"
set_has blocked tcp 4001 && fail "4001 stayed in @blocked"
listen_as node 4001
expect_probe "$NS_INET" tcp "$HOST4" 4001 open
ok "after etcd 4001 is open again, its block gone"
stop_listener

# --- 8080 in local.rules: lan-only, loopback-only for a development server --
set_has lan_only tcp 8080 || fail "8080 is not lan-only to begin with"
listen_as node 8080
wait_until "8080 out of @lan_only" eval '! set_has lan_only tcp 8080'
expect_contains "$(element_comment guarded 8080)" "http-alt loopback-only (local.rules:" \
	"@guarded: the local rule and the policy it has now"
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 8080 silent
kill -HUP "$PW_PID"
wait_until "reloaded twice" eval '[ "$(grep -c "reloaded:" "$TMP/pw.out")" -ge 2 ]'
set_has lan_only tcp 8080 && fail "a reload put 8080 back into @lan_only"
ok "the listener's loopback-only survives a reload"
stop_listener
wait_until "8080 back in @lan_only" set_has lan_only tcp 8080
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 8080 refused
ok "the development server gone, the LAN reaches 8080 again (refused: nothing listens)"
stop_pw
