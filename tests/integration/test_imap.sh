#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real IMAP server (Dovecot) on 143 in the protected host, kept local by
# local.rules: the host's own mail client logs in; the internet peer gets no
# answer at all.
. tests/integration/lib.sh
require_root
command -v dovecot >/dev/null || fail "dovecot is not installed (make deps installs dovecot-imapd)"
make_hosts

# this host's IMAP is for its own clients: the admin's local.rules takes
# the shipped entry's served-by away (a later entry of the same port wins)
PW_LOCAL_RULES="$TMP/local.rules"
cat >"$PW_LOCAL_RULES" <<'RULES'
143/tcp  imap  loopback-only
	title     IMAP, for this host's own clients only
RULES
start_dovecot "$NS_HOST" imap
wait_listening "$NS_HOST" tcp 143

imap_list() {	# imap_list NS ADDRESS: log in and list mailboxes
	ip netns exec "$1" curl -s --connect-timeout 2 --max-time 5 -u alice:wonderland "imap://$2/"
}

out=$(imap_list "$NS_INET" "$HOST4") || true
expect_contains "$out" "INBOX" "without portwarden the internet peer reaches Dovecot (the test can tell)"

start_pw
out=$(imap_list "$NS_HOST" 127.0.0.1) || fail "host's own IMAP login failed: $out"
expect_contains "$out" "INBOX" "host logs in over 127.0.0.1 and lists INBOX"
out=$(imap_list "$NS_HOST" "[::1]") || fail "IMAP over ::1 failed"
expect_contains "$out" "INBOX" "host logs in over ::1"
ip netns exec "$NS_INET" curl -s --connect-timeout 2 --max-time 5 -u alice:wonderland "imap://$HOST4/"
rc=$?
[ "$rc" -eq 28 ] || fail "internet peer: curl exit $rc, want 28 (timeout: no answer)"
ok "internet peer's IMAP connection times out (no answer)"
ip netns exec "$NS_INET" curl -s --connect-timeout 2 --max-time 5 -u alice:wonderland "imap://[$HOST6]/"
rc=$?
[ "$rc" -eq 28 ] || fail "internet peer over IPv6: curl exit $rc, want 28"
ok "internet peer's IMAP over IPv6 times out too"
grep -q '"service":"imap"' "$PW_LOG" || fail "no imap entry in the log"
ok "blocked IMAP attempt is in the log"
stop_pw
