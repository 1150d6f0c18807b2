#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `sudo make demo`: a throwaway protected host and an "internet" peer in
# network namespaces, a pretend anti-virus mail proxy on 110 and 143 that
# listens on every interface, and portwarden with the shipped database.
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
. tests/integration/lib.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "the demo builds network namespaces: run it as root (sudo make demo)" >&2
	exit 1
fi
make --no-print-directory -s "$BUILD/tools/probe" >/dev/null

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '   %-52s %s\n' "$1" "$2"; }
banner() {	# banner NS ADDRESS PORT: what a mail client sees first
	local out
	out=$(ip netns exec "$1" timeout 3 socat -T2 - "TCP:$2:$3,connect-timeout=2" </dev/null 2>/dev/null | head -1 | tr -d '\r')
	echo "${out:-(no answer)}"
}

make_hosts
for port in 110 143; do
	greeting='+OK demo anti-virus POP3 proxy ready'
	[ $port = 143 ] && greeting='* OK demo anti-virus IMAP proxy ready'
	echo "$greeting" >"$TMP/greeting-$port"
	ip netns exec "$NS_HOST" socat "TCP6-LISTEN:$port,ipv6only=0,fork,reuseaddr" \
		"OPEN:$TMP/greeting-$port,rdonly" >/dev/null 2>&1 &
	defer "kill $!"
	wait_listening "$NS_HOST" tcp $port
done

say "A mail proxy listens on every interface of the host (ports 110 and 143)"
in_host ss -Hltn '( sport = :110 or sport = :143 )' | awk '{print "   listening on " $4}'

say "Before portwarden"
show "internet peer -> host $HOST4:143" "$(banner "$NS_INET" "$HOST4" 143)"
show "host's own mail client -> 127.0.0.1:143" "$(banner "$NS_HOST" 127.0.0.1 143)"

say "portwarden audit, before: what listens, and is it reachable against the policy?"
in_host "$PW" --config /dev/null --db "$DB" audit | sed 's/^/   /'

say "Starting portwarden with the shipped database"
start_pw
sed 's/^/   /' "$TMP/pw.out"

say "With portwarden"
show "internet peer -> host $HOST4:143" "$(banner "$NS_INET" "$HOST4" 143)"
show "internet peer -> host [$HOST6]:110" "$(banner "$NS_INET" "[$HOST6]" 110)"
show "host's own mail client -> 127.0.0.1:143" "$(banner "$NS_HOST" 127.0.0.1 143)"
show "host's own mail client -> [::1]:110" "$(banner "$NS_HOST" "[::1]" 110)"
show "host's own mail client -> $HOST4:143 (own address)" "$(banner "$NS_HOST" "$HOST4" 143)"
for i in 1 2 3; do banner "$NS_INET" "$HOST4" 143 >/dev/null; done

say "portwarden audit, after"
in_host "$PW" --config /dev/null --db "$DB" audit | sed 's/^/   /'

say "portwarden status (read back from the kernel)"
in_host "$PW" status | sed 's/^/   /'

say "portwarden lookup 143"
"$PW" --config /dev/null --db "$DB" lookup 143 | sed 's/^/   /'

say "Stopping portwarden (SIGTERM writes folded repeats; the table stays, fail-closed, until portwarden flush)"
stop_pw
show "internet peer -> host $HOST4:143" "$(banner "$NS_INET" "$HOST4" 143)"

say "portwarden log"
"$PW" --config /dev/null --log "$PW_LOG" log | sed 's/^/   /'

say "portwarden log --summary"
"$PW" --config /dev/null --log "$PW_LOG" log --summary | sed 's/^/   /'

echo
