#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP without connection tracking: a guarded UDP port below the ephemeral
# range is blocked in the kernel; one inside it (47808, BACnet) is decided
# per datagram, so replies to the host's own sockets that happen to use
# that port still arrive while strangers' datagrams are dropped.
. tests/integration/lib.sh
require_root
make_hosts
in_host sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
serve "$NS_HOST" udp 11211
serve "$NS_INET" udp 7000
wait_listening "$NS_HOST" udp 11211
wait_listening "$NS_INET" udp 7000
# a second guarded UDP port in the ephemeral range, so the IPv6 query does
# not share its source port with the IPv4 one
{ cat "$DB"; printf '47809/udp bacnet-test loopback-only\n'; } >"$TMP/ports.db"
DB="$TMP/ports.db"
start_pw
nft_json | grep -q '"ct"' && fail "the host table uses conntrack"
ok "no ct expression in the host table"

expect_probe "$NS_INET" udp "$HOST4" 11211 silent
set_has blocked udp 11211 || fail "11211/udp not blocked in the kernel"
ok "11211/udp (below the ephemeral range) is in @blocked"

# the host's own query from a guarded source port gets its answer (a second
# try, as a resolver would make, absorbs a slow neighbour discovery)
query() {	# query ADDRESS SOURCE_PORT
	local reply i
	for i in 1 2; do
		reply=$(echo ping | in_host timeout 3 socat -T2 - "$1,sourceport=$2")
		[ -n "$reply" ] && break
	done
	echo "$reply"
}
expect_contains "$(query "UDP4:$INET4:7000" 47808)" "pong" "reply to the host's own socket on 47808 arrives"
reply=$(query "UDP6:[$INET6]:7000" 47809)
[ -n "$reply" ] || { cat "$TMP/pw.out"; cat "$PW_LOG"; in_host nft list ruleset | grep -A3 'chain input'; }
expect_contains "$reply" "pong" "the same over IPv6 (source port 47809)"

# a stranger's datagram to a service on 47808 is dropped, every time
in_host socat UDP4-RECVFROM:47808,fork SYSTEM:'echo pong' >/dev/null 2>&1 &
defer "kill $!"
wait_listening "$NS_HOST" udp 47808
expect_probe "$NS_INET" udp "$HOST4" 47808 silent
expect_probe "$NS_INET" udp "$HOST4" 47808 silent
set_has blocked udp 47808 && fail "47808/udp was put in @blocked"
ok "47808/udp stays out of @blocked (decided per datagram)"
expect_probe "$NS_HOST" udp 127.0.0.1 47808 open
[ "$(grep -c '"dport":47808' "$PW_LOG")" -ge 1 ] || fail "stranger's datagram not logged"
ok "the stranger's datagrams are logged"
stop_pw
ok "every UDP line follows the log schema ($(check_log_schema "$PW_LOG") lines)"
