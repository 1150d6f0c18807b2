#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A public mail server: Postfix on 25 and Dovecot on 110, 143, 993 and 995
# are served-by executables of their ports, so the Internet and the LAN
# reach them over IPv4 and IPv6 with nothing blocked, the kernel accepts
# them from @served, and audit says "served".  A socat stand-in proxy that
# takes Dovecot's ports over is blocked and logged; Dovecot started again
# after it is served again.
. tests/integration/lib.sh
require_root
command -v dovecot >/dev/null || fail "dovecot is not installed (make deps)"
[ -x /usr/lib/postfix/sbin/master ] || fail "postfix is not installed (make deps)"
make_hosts
MAIL_PORTS="25 110 143 993 995"
DOVECOT_PORTS="110 143 993 995"

start_postfix "$NS_HOST"
start_dovecot "$NS_HOST" "imap pop3"
for p in $MAIL_PORTS; do wait_listening "$NS_HOST" tcp $p; done

start_pw
for p in $DOVECOT_PORTS; do
	wait_until "@served holds $p" set_has served tcp $p
done
wait_until "@served holds 25" set_has served tcp 25
ok "every mail port is in @served"
out=$(cat "$TMP/pw.out")
expect_contains "$out" "served 25/tcp by /usr/lib/postfix/sbin/master" "daemon names Postfix's master for 25"
expect_contains "$out" "served 143/tcp by /usr/sbin/dovecot" "daemon names Dovecot for 143"
[ "$(grep -c "served 143/tcp" "$TMP/pw.out")" -eq 1 ] || fail "served 143 logged more than once"
ok "a served port is logged once"
comments=$(nft_json)
expect_contains "$comments" "imap served by /usr/sbin/dovecot" "element comment names the executable"

for ns in "$NS_INET" "$NS_LAN"; do
	for p in $MAIL_PORTS; do
		if [ "$ns" = "$NS_INET" ]; then a4=$HOST4 a6=$HOST6; else a4=$HOSTLAN4 a6=$HOSTLAN6; fi
		expect_probe "$ns" tcp "$a4" $p open
		expect_probe "$ns" tcp "$a6" $p open
	done
done

smtp_banner() {	# smtp_banner NS ADDRESS
	(sleep 0.5; printf 'QUIT\r\n') | ip netns exec "$1" timeout 5 socat -t2 - "TCP:$2:25"
}
mail_list() {	# mail_list NS URL: log in and list
	ip netns exec "$1" curl -sk --connect-timeout 2 --max-time 5 -u alice:wonderland "$2"
}
expect_contains "$(smtp_banner "$NS_INET" "$HOST4")" "220 mail.example.test ESMTP Postfix" \
	"SMTP banner from the Internet over IPv4"
expect_contains "$(smtp_banner "$NS_INET" "[$HOST6]")" "220 mail.example.test ESMTP Postfix" \
	"SMTP banner from the Internet over IPv6"
expect_contains "$(mail_list "$NS_INET" "imap://$HOST4/")" "INBOX" "IMAP login from the Internet (IPv4)"
expect_contains "$(mail_list "$NS_INET" "imaps://[$HOST6]/")" "INBOX" "IMAPS login from the Internet (IPv6)"
mail_list "$NS_LAN" "pop3://$HOSTLAN4/" >/dev/null || fail "POP3 from the LAN failed"
ok "POP3 login from the LAN (IPv4)"
mail_list "$NS_INET" "pop3s://[$HOST6]/" >/dev/null || fail "POP3S from the Internet failed"
ok "POP3S login from the Internet (IPv6)"
for p in $MAIL_PORTS; do
	set_has blocked tcp $p && fail "$p/tcp was blocked"
done
ok "no mail port in @blocked"
[ ! -s "$PW_LOG" ] || fail "something was logged as blocked: $(cat "$PW_LOG")"
ok "0 false blocks: the blocked-connection log is empty"

audit=$(in_host "$PW" --config /dev/null --db "$DB" audit --json)
for p in $MAIL_PORTS; do
	line=$(echo "$audit" | grep "\"port\":$p,\"proto\":\"tcp\"" | head -1)
	expect_contains "$line" '"status":"served"' "audit: $p served"
done
expect_contains "$(echo "$audit" | grep '"port":143,' | head -1)" '"reason":"by /usr/sbin/dovecot"' \
	"audit says served by what"
status=$(in_host "$PW" status)
expect_contains "$status" "served:    $(echo $MAIL_PORTS | wc -w) ports open while a public server" \
	"status counts the served ports"
for p in $MAIL_PORTS; do
	expect_contains "$(echo "$status" | grep "^  $p/tcp ")" "served by /" "status: $p served, by whom"
done
expect_contains "$(echo "$status" | grep '^  143/tcp ')" "served by /usr/sbin/dovecot" \
	"status names Dovecot for 143"
[ "$(in_host "$PW" status --json | python3 -c '
import json, sys
print(" ".join(str(e["port"]) for e in json.load(sys.stdin)["served"] if e["proto"] == "tcp"))' |
	tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$(echo $MAIL_PORTS | tr ' ' '\n' | sort -n | tr '\n' ' ')" ] ||
	fail "status --json: served ports differ from $MAIL_PORTS"
ok "status --json lists the served ports"

# A proxy takes Dovecot's ports over: the watcher drops them from @served
# and the next first packet is blocked and logged.
kill "$DOVECOT_PID"
wait "$DOVECOT_PID" 2>/dev/null
wait_until "143 leaves @served" eval '! set_has served tcp 143'
ok "the listener went away: 143 left @served"
set_has served tcp 25 || fail "25 left @served with Postfix still there"
ok "25 stays served"
PROXIES=""
for p in $DOVECOT_PORTS; do
	ip netns exec "$NS_HOST" socat "TCP6-LISTEN:$p,ipv6only=0,fork,reuseaddr" SYSTEM:'echo proxy' \
		>/dev/null 2>&1 &
	PROXIES="$PROXIES $!"
	defer "kill $!"
	wait_listening "$NS_HOST" tcp $p
done
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_INET" tcp "$HOST6" 993 silent
set_has blocked tcp 143 || fail "the proxy's 143 is not in @blocked"
ok "the proxy's port is in @blocked"
wait_until "the block is logged" grep -q '"dport":143' "$PW_LOG"
entry=$(grep '"dport":143' "$PW_LOG" | head -1)
expect_contains "$entry" '"action":"blocked"' "the proxy's port is logged as blocked"
expect_contains "$entry" '"listener":"socat[' "the log names the proxy as listener"

# Dovecot comes back after the proxy: served again, the block undone.
kill $PROXIES
wait $PROXIES 2>/dev/null
start_dovecot "$NS_HOST" "imap pop3"
for p in $DOVECOT_PORTS; do wait_listening "$NS_HOST" tcp $p; done
wait_until "143 back in @served" set_has served tcp 143
wait_until "143 out of @blocked" eval '! set_has blocked tcp 143'
ok "the server that came after the proxy is served and unblocked"
expect_contains "$(cat "$TMP/pw.out")" "unblocked 143/tcp: now served by /usr/sbin/dovecot" \
	"daemon says why the block was undone"
expect_probe "$NS_INET" tcp "$HOST4" 143 open
expect_contains "$(mail_list "$NS_INET" "imap://[$HOST6]/")" "INBOX" "IMAP from the Internet after the switch"
stop_pw
