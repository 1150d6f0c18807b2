#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real IMAP server (Dovecot) on 143 in the protected host: the host's own
# mail client logs in; the internet peer gets no answer at all.
. tests/integration/lib.sh
require_root
command -v dovecot >/dev/null || fail "dovecot is not installed (make deps installs dovecot-imapd)"
make_hosts

d="$TMP/dovecot"
mkdir -p "$d/run" "$d/home/alice"
chmod 755 "$TMP" "$d"
chown -R nobody:nogroup "$d/home"
echo 'alice:{PLAIN}wonderland::::::' >"$d/passwd"
cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/run
protocols = imap
listen = *, ::
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = $d/dovecot.log
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = $d/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%u
}
CONF
ip netns exec "$NS_HOST" dovecot -F -c "$d/dovecot.conf" &
defer "kill $!"
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
