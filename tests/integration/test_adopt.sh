#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# adopt keeps exactly the clients that use guarded services, as `from`
# sources of their ports, and nobody else: a long-lived connection seen at
# once, an answered UDP flow from conntrack, and, in the adoption window
# (lan-only ports log would-block instead of dropping), a periodic TCP
# client and a UDP client; a single probe from the Internet is not a
# client.  The window survives a restart; --finish ends it and the
# Internet gets silence again.
. tests/integration/lib.sh
trap 'cat "$TMP/pw.out" >&2; on_exit' EXIT
require_root
make_hosts
NS_SITE="pw$$-site" SITE4=203.0.113.2 SITE6=2001:db8:113::2 HOSTSITE4=203.0.113.1
new_ns "$NS_SITE"
link_ns "$NS_HOST" h-site "$HOSTSITE4" 2001:db8:113::1 "$NS_SITE" s-host "$SITE4" "$SITE6"
ip -n "$NS_SITE" route add default via "$HOSTSITE4"
ip -n "$NS_SITE" -6 route add default via 2001:db8:113::1
in_site() { ip netns exec "$NS_SITE" "$@"; }

# Redis holds its clients' connections; 9100 is scraped; SNMP answers
in_host socat TCP6-LISTEN:6379,ipv6only=0,fork,reuseaddr EXEC:'sleep 120' >/dev/null 2>&1 &
defer "kill $!"
serve "$NS_HOST" tcp 9100
serve_udp "$NS_HOST" 161
serve "$NS_HOST" tcp 143
for p in 6379 9100 143; do wait_listening "$NS_HOST" tcp $p; done
wait_listening "$NS_HOST" udp 161
LOCAL="$TMP/local.rules" STATE="$TMP/state/adopt.state"
printf '# admin notes\n' >"$LOCAL"
CONF="adopt_state = $STATE"
echo "$CONF" >"$TMP/pw.conf"
PW_LOCAL_RULES="$LOCAL"
PW_LOG="$TMP/blocked.log"
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" --log "$PW_LOG" "$@"; }

# no client yet: nothing written, a window opens
out=$(pw adopt --dry-run) || fail "adopt --dry-run exited $?: $out"
expect_contains "$out" "0 ports kept for 0 clients" "no client, nothing kept"
[ ! -e "$STATE" ] || fail "a dry run opened a window"
ok "a dry run writes nothing"

# a long-lived TCP client from the site; two answered UDP queries from the
# LAN peer's network, which only conntrack remembers (tracking turned on by
# a table of another program, as NAT or a stateful firewall would)
in_host nft -f - <<'NFT' || fail "conntrack table"
table inet othertrack {
	chain in {
		type filter hook input priority 0;
		ct state new counter
	}
}
NFT
defer "ip netns exec $NS_HOST nft delete table inet othertrack"
in_site socat -u EXEC:'sleep 120' "TCP:$HOST4:6379" >/dev/null 2>&1 &
defer "kill $!"
for i in $(seq 100); do
	in_host ss -Htn state established "( sport = :6379 )" | grep -q "$SITE4" && break
	nap 0.05
done
in_host ss -Htn state established "( sport = :6379 )" | grep -q "$SITE4" || fail "no Redis client connected"
expect_probe "$NS_LAN" udp "$HOSTLAN4" 161 open
expect_probe "$NS_LAN" udp "$HOSTLAN4" 161 open

out=$(pw adopt --window 1h) || fail "adopt exited $?: $out"
expect_contains "$out" "kept        6379/tcp  redis" "the Redis port is kept"
expect_contains "$out" "client $SITE4 (connected) -> 203.0.113.0/24" "its client is named with what was seen"
expect_contains "$out" "client $LAN4 (2 attempts) -> 192.0.2.0/24" "the UDP flows from conntrack make a client"
expect_contains "$out" "adoption window open until" "the window opens"
expect_contains "$(cat "$STATE")" "started = " "the window's state is written"
expect_contains "$(cat "$LOCAL")" "# admin notes" "the admin's lines survive"
expect_contains "$(cat "$LOCAL")" "6379/tcp  redis  lan-only" "Redis keeps its policy"
expect_not_contains "$(grep -v '^#' "$LOCAL")" "open" "nothing is opened"

# the daemon starts in the window, and a restart keeps it open
start_pw "$CONF"
expect_contains "$(nft_json)" "adoption window" "the daemon runs the window"
stop_pw
start_pw "$CONF"
expect_contains "$(nft_json)" "adoption window" "the window survives a restart"
expect_contains "$(pw status)" "adoption:  window open" "status says the window is open"
out=$(pw audit); rc=$?
[ $rc = 1 ] || fail "audit in the window exited $rc, want 1 (exposed): $out"
expect_contains "$out" "adoption window: connections are logged, not blocked" "audit says why lan-only ports are exposed"

# in the window: a periodic scrape of 9100 (IPv6, the LAN peer's network),
# a UDP client of 161 from the site; a single probe from the Internet
in_inet "$TOOLS/probe" tcp "$HOST4" 9100 2000 >"$TMP/inet.probe"
[ "$(cat "$TMP/inet.probe")" = open ] || fail "lan-only 9100 in the window: $(cat "$TMP/inet.probe")"
ok "in the window a lan-only port answers and logs"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent	# loopback-only: enforced at once
for i in 1 2 3 4; do
	got=$(in_lan "$TOOLS/probe" tcp "$HOSTLAN6" 9100 2000)
	[ "$got" = open ] || fail "scrape $i of 9100: $got"
	got=$(in_site "$TOOLS/probe" udp "$HOSTSITE4" 161 2000)
	[ "$got" = open ] || fail "SNMP query $i: $got"
	nap 2
done
ok "a periodic TCP client and a UDP client are served in the window"
grep -q "\"action\":\"would-block\".*\"src\":\"$LAN6\".*\"dport\":9100" "$PW_LOG" ||
	fail "the scrapes were not logged would-block: $(cat "$PW_LOG")"
ok "the window's attempts are logged would-block"

out=$(pw adopt --finish --if-due) || fail "adopt --finish --if-due exited $?"
[ -z "$out" ] && [ -e "$STATE" ] || fail "--if-due before the window's time did something: $out"
ok "--if-due waits for the window's time"
out=$(pw adopt --finish) || fail "adopt --finish exited $?: $out"
expect_contains "$out" "client $LAN6 (" "the scraper is kept"
expect_contains "$out" "-> 2001:db8:200::/64" "as its /64"
expect_contains "$out" "client $SITE4 (" "the SNMP client is kept"
expect_contains "$out" "not kept $INET4 (1 attempt)" "a single probe is not a client"
expect_contains "$out" "adoption window closed" "the window closes"
[ ! -e "$STATE" ] || fail "the window's state is still there"
ok "the window's state is gone"

# exactly those sources, nothing else
python3 - "$LOCAL" <<'PY' || fail "local.rules after adoption: $(cat "$LOCAL")"
import sys
entries, cur = {}, None
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    if not line[0].isspace():
        port, service, policy = line.split()
        cur = entries.setdefault(port, {"policy": policy, "from": []})
    elif line.split()[0] == "from":
        cur["from"] += line.split()[1:]
want = {
    "6379/tcp": {"policy": "lan-only", "from": ["203.0.113.0/24"]},
    "9100/tcp": {"policy": "lan-only", "from": ["2001:db8:200::/64"]},
    "161/udp": {"policy": "lan-only", "from": ["192.0.2.0/24", "203.0.113.0/24"]},
}
for e in entries.values():
    e["from"].sort()
assert entries == want, entries
PY
ok "local.rules holds exactly the clients' networks, nothing open"

# enforced: the Internet is silent, the clients still get in
expect_probe "$NS_INET" tcp "$HOST4" 9100 silent
expect_probe "$NS_INET" tcp "$HOST6" 9100 silent
expect_probe "$NS_INET" tcp "$HOST4" 6379 silent
expect_probe "$NS_INET" udp "$HOST4" 161 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 9100 open
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 9100 silent	# the scraper used IPv6 only
expect_probe "$NS_SITE" udp "$HOSTSITE4" 161 open
expect_probe "$NS_SITE" tcp "$HOST4" 6379 open
expect_not_contains "$(nft_json)" "adoption window" "the daemon left the window"
