#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Other firewalls: a port portwarden lets the LAN reach but ufw-like
# iptables-nft rules or a plain nft table drop is silent for the LAN too;
# audit shows it as dropped and names the table, why says the client gets
# nothing and which table drops it, instead of "lan" and "may connect".
. tests/integration/lib.sh
trap 'cat "$TMP/pw.out" >&2; on_exit' EXIT
require_root
make_hosts
for p in 5432 6379 9100; do serve "$NS_HOST" tcp $p; done
for p in 5432 6379 9100; do wait_listening "$NS_HOST" tcp $p; done
# ufw's way: iptables-nft and ip6tables-nft, table filter, chain INPUT
in_host iptables -A INPUT -p tcp --dport 5432 -j DROP || fail "iptables"
in_host ip6tables -A INPUT -p tcp --dport 5432 -j DROP || fail "ip6tables"
# a plain nft table with a drop in its input chain
in_host nft -f - <<'NFT' || fail "nft table"
table inet plain {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 6379 counter drop
	}
}
NFT
start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64"
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --log "$PW_LOG" "$@"; }

# the real parts: the LAN peer is portwarden's LAN, and still silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 5432 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 5432 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 6379 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 9100 open

out=$(pw audit); rc=$?
[ $rc = 0 ] || fail "audit exited $rc: $out"
# a row and the reason printed under it
row() { printf '%s\n' "$out" | awk -v p=" $1/tcp " 'index($0, p) { print; if ((getline) > 0 && /^ /) print }'; }
expect_contains "$(row 5432)" "dropped" "audit: 5432 is dropped, not lan"
expect_contains "$(row 5432)" "by table ip filter (chain INPUT)" "audit names ufw's table and chain"
expect_contains "$(row 6379)" "dropped by table inet plain (chain input)" "audit names the plain nft table"
expect_contains "$(row 9100)" "lan " "audit: a port no other table drops stays lan"
expect_not_contains "$(row 9100)" "dropped" "and is not called dropped"
out=$(pw --json audit)
printf '%s\n' "$out" | python3 -c '
import json, sys
rows = {r["port"]: r for r in map(json.loads, sys.stdin) if "port" in r}
assert rows[5432]["status"] == "dropped", rows[5432]
assert "ip filter" in rows[5432]["reason"], rows[5432]
assert rows[9100]["status"] == "lan", rows[9100]' || fail "audit --json: $out"
ok "audit --json says dropped and why"

out=$(pw why "$LAN4" 5432/tcp)
expect_contains "$out" "dropped by table ip filter (chain INPUT): the client gets nothing" "why names the table that drops"
expect_not_contains "$out" "may connect" "why no longer says it may connect"
out=$(pw why "$LAN6" 5432/tcp)
expect_contains "$out" "dropped by table ip6 filter (chain INPUT)" "over IPv6 too, ip6tables' table"
out=$(pw why "$LAN4" 6379/tcp)
expect_contains "$out" "dropped by table inet plain (chain input)" "why names the plain nft table"
out=$(pw why "$LAN4" 9100/tcp)
expect_contains "$out" "so it may connect" "a port no other table drops: may connect"
expect_not_contains "$out" "other:" "and no other table is named"
