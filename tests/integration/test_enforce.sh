#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The core promise: loopback-only ports are silent from outside and work
# from the host itself; lan-only ports answer the LAN only; open ports are
# untouched; the kernel takes over after the first decision.
. tests/integration/lib.sh
require_root
make_hosts

serve "$NS_HOST" tcp 143	# loopback-only (imap)
serve "$NS_HOST" tcp 80		# open
serve "$NS_HOST" tcp 445	# lan-only
serve "$NS_HOST" udp 11211	# loopback-only on UDP (memcached)
for p in 143 80 445; do wait_listening "$NS_HOST" tcp $p; done
wait_listening "$NS_HOST" udp 11211

# Without portwarden everything is reachable: the test can tell.
expect_probe "$NS_INET" tcp "$HOST4" 143 open

start_pw "lan_networks = 192.0.2.0/24, 2001:db8:200::/64"
expect_contains "$(cat "$TMP/pw.out")" "nft_compat" "start-up message names the compat backend"

expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_INET" tcp "$HOST6" 143 silent
expect_probe "$NS_HOST" tcp 127.0.0.1 143 open
expect_probe "$NS_HOST" tcp ::1 143 open
expect_probe "$NS_HOST" tcp "$HOST4" 143 open
expect_probe "$NS_HOST" tcp "$HOST6" 143 open

expect_probe "$NS_INET" tcp "$HOST4" 80 open
expect_probe "$NS_INET" tcp "$HOST6" 80 open
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 open
expect_probe "$NS_LAN" tcp "$HOSTLAN6" 445 open
expect_probe "$NS_INET" tcp "$HOST4" 445 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 143 silent
# the LAN still reaches 445 after the internet peer got it blocked
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 open

expect_probe "$NS_INET" udp "$HOST4" 11211 silent
expect_probe "$NS_HOST" udp 127.0.0.1 11211 open

# After the first attempt the kernel holds the decision.
set_has blocked tcp 143 || fail "tcp . 143 not in @blocked"
ok "tcp . 143 is in @blocked"
set_has blocked udp 11211 || { cat "$TMP/pw.out"; cat "$PW_LOG"; fail "udp . 11211 not in @blocked"; }
ok "udp . 11211 is in @blocked"
set_has blocked tcp 80 && fail "open port 80 was blocked"
ok "open port 80 is not in @blocked"
before=$(queue_seq)
for i in 1 2 3; do expect_probe "$NS_INET" tcp "$HOST4" 143 silent; done
expect_probe "$NS_INET" tcp "$HOST6" 143 silent
after=$(queue_seq)
[ "$before" = "$after" ] || fail "queue sequence grew from $before to $after after the port was blocked"
ok "no further packets reached the queue ($after)"

# A real scanner agrees: filtered (no answer), not closed (RST).
scan=$(in_inet nmap -Pn -n -p 143,80,5432 --max-retries 1 "$HOST4")
expect_contains "$scan" "143/tcp  filtered" "nmap sees 143 filtered"
expect_contains "$scan" "80/tcp   open" "nmap sees 80 open"
expect_contains "$scan" "5432/tcp filtered" "nmap sees 5432 filtered"

# status reads it all back from the kernel.
st=$(in_host "$PW" status)
expect_contains "$st" "worker:    running" "status sees the worker"
expect_contains "$st" "143/tcp" "status lists 143/tcp as blocked"
expect_contains "$st" "imap loopback-only (ports.db:" "blocked element names its database entry"
expect_contains "$st" "fail mode: closed" "status reports fail closed"

# The ruleset explains itself.
nft_json >"$TMP/ruleset.json"
python3 - "$TMP/ruleset.json" <<'PY' || fail "ruleset shape"
import json, sys
objs = json.load(open(sys.argv[1]))["nftables"]
rules = [o["rule"] for o in objs if "rule" in o]
assert rules and all(r.get("comment") for r in rules), "a rule without comment"
sets = [o["set"] for o in objs if "set" in o]
assert all(s.get("comment") for s in sets), "a set without comment"
chains = {o["chain"]["name"]: o["chain"] for o in objs if "chain" in o}
# the decision sits in prerouting before any DNAT; the input chain only
# drops segments without SYN that belong to no connection of this host
assert chains["input"]["hook"] == "input" and chains["input"]["prio"] == -10
inp = [r for r in rules if r["chain"] == "input"]
assert not any("queue" in e or "xt" in e for r in inp for e in r["expr"]), "a decision in input"
assert chains["prerouting"]["hook"] == "prerouting" and chains["prerouting"]["prio"] == -300
pre = [r for r in rules if r["chain"] == "prerouting"]
assert pre[0]["expr"][0]["match"]["left"] == {"meta": {"key": "iif"}}, "loopback first"
assert pre[-1]["expr"][-1] == {"jump": {"target": "decide"}}, "connection attempts to decide"
dec = [r for r in rules if r["chain"] == "decide"]
queue = [r for r in dec if any("xt" in e for e in r["expr"])]
assert len(queue) == 1, "queue rule via nft_compat"
# addresses this host routes leave for chain routed before the queue
routed = [r for r in dec if any("goto" in e for e in r["expr"])]
assert len(routed) == 1 and dec.index(routed[0]) < dec.index(queue[0]), "routed first"
fib = [e["match"] for e in routed[0]["expr"] if "match" in e and "fib" in e["match"]["left"]]
assert fib == [{"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}},
                "right": "unicast"}], fib
names = {s["name"]: s for s in sets}
assert len(names["guarded"]["elem"]) > 200
PY
ok "every rule and set carries a comment; prerouting decides, loopback first, queue for local destinations"

lines=$(wc -l <"$PW_LOG")
[ "$lines" -ge 3 ] || fail "expected log lines, got $lines"
first=$(grep '"dport":143' "$PW_LOG" | head -1)
expect_contains "$first" '"action":"blocked"' "log entry says blocked"
expect_contains "$first" "\"src\":\"$INET4\"" "log entry names the source"
expect_contains "$first" '"service":"imap"' "log entry names the service"
expect_contains "$first" '"iif":"h-inet"' "log entry names the interface"
expect_probe "$NS_INET" tcp "$HOST6" 6379 silent
v6=$(grep '"dport":6379' "$PW_LOG")
expect_contains "$v6" "\"src\":\"$INET6\"" "IPv6 attempt logged with its source"
expect_contains "$v6" "\"dst\":\"$HOST6\"" "IPv6 attempt logged with its destination"

stop_pw
[ "$PW_STATUS" -eq 0 ] || fail "SIGTERM exit status $PW_STATUS"
ok "SIGTERM exits 0"
in_host nft list table inet portwarden >/dev/null 2>&1 || fail "SIGTERM removed the table"
ok "SIGTERM leaves the table, fail-closed"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
in_host "$PW" flush >/dev/null || fail "flush failed"
expect_probe "$NS_INET" tcp "$HOST4" 143 open
