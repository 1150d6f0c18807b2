#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TCP segments without SYN to a blocked port that belong to no connection
# of this host are dropped (no connection tracking involved): FIN, NULL,
# Xmas and ACK scans get the same answer from a blocked port with a
# listener as from one without, and the host's own outgoing connections
# from a local port that happens to be blocked keep working.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 143	# 143 has a listener, 5432 has none
wait_listening "$NS_HOST" tcp 143
start_pw
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_INET" tcp "$HOST4" 5432 silent
expect_probe "$NS_INET" tcp "$HOST6" 5432 silent
for p in 143 5432; do set_has blocked tcp $p || fail "$p not blocked"; done

# state of PORT in an nmap scan of ADDR with FLAG
scan_state() {
	local six=
	case "$1" in *:*) six=-6 ;; esac
	in_inet nmap $six -Pn -n "$3" -p "$2" --max-retries 1 --host-timeout 30s "$1" |
		awk -v p="$2/tcp" '$1 == p { print $2 }'
}
for flag in -sF -sN -sX -sA; do
	for addr in "$HOST4" "$HOST6"; do
		a=$(scan_state "$addr" 143 "$flag")
		b=$(scan_state "$addr" 5432 "$flag")
		[ -n "$a" ] || fail "nmap $flag $addr: no answer for 143"
		[ "$a" = "$b" ] || fail "nmap $flag $addr: 143 (listener) is $a, 5432 (none) is $b"
		ok "nmap $flag $addr: listener and no listener both $a"
	done
done

# the host's own connections from a blocked local port number
in_inet socat TCP6-LISTEN:8080,ipv6only=0,fork,reuseaddr SYSTEM:'echo pong' >/dev/null 2>&1 &
defer "kill $!"
wait_listening "$NS_INET" tcp 8080
for addr in "$INET4" "[$INET6]"; do
	out=$(in_host timeout 10 socat -T 5 - "TCP:$addr:8080,sourceport=5432,reuseaddr" </dev/null 2>&1)
	[ "$out" = pong ] || fail "the host's connection from port 5432 to $addr: got [$out]"
	ok "the host's own connection from blocked port 5432 to $addr works"
done
# a bulk transfer back to the blocked port number: every segment passes
out=$(in_inet sh -c "head -c 2000000 /dev/zero | socat -u - TCP6-LISTEN:8081,ipv6only=0,reuseaddr" &
	wait_listening "$NS_INET" tcp 8081
	in_host timeout 20 socat -u "TCP:$INET4:8081,sourceport=5432,reuseaddr" - | wc -c)
[ "$out" = 2000000 ] || fail "download to the host's port 5432: $out bytes"
ok "a 2 MB download to the host's own port 5432 (blocked) arrives whole"
echo "all $CHECKS checks passed"
