#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `portwarden check` and `lookup` through the real binary: the shipped
# database passes, every kind of bad input is refused with FILE:LINE.
. tests/integration/lib.sh

out=$("$PW" --config /dev/null --db "$DB" check) || fail "shipped database refused: $out"
expect_contains "$out" "ok: " "shipped database accepted"

out=$("$PW" --config /dev/null --db "$DB" lookup 143)
expect_contains "$out" "imap" "lookup 143 names imap"
expect_contains "$out" "loopback-only" "lookup 143 says loopback-only"
expect_contains "$out" "25/tcp (smtp), 110/tcp (pop3)" "lookup 143 relates 25 and 110"

out=$("$PW" --config /dev/null --db "$DB" lookup 143/tcp --json)
expect_contains "$out" '"policy":"loopback-only"' "lookup --json carries the policy"

# check_refuses NAME EXPECTED: the file $TMP/NAME must be refused with EXPECTED
check_refuses() {
	local out rc
	out=$("$PW" --config /dev/null --db "$DB" --db "$TMP/$1" check 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] || fail "$1: exit $rc, want 1 (output: $out)"
	expect_contains "$out" "$2" "$1 refused with $2"
	expect_not_contains "$out" "ok: " "$1: no summary printed"
}

head -c 200000 /dev/zero | tr '\0' 'x' >"$TMP/huge-line"
check_refuses huge-line "$TMP/huge-line:1: line is 200000 bytes long"

printf '22/tcp ssh open\n80/tcp ht\0tp open\n' >"$TMP/nul"
check_refuses nul "$TMP/nul:2: NUL byte"

head -c 65536 /dev/urandom >"$TMP/binary"
check_refuses binary "$TMP/binary:"

printf '22/tcp ssh open\r\n143/tcp imap loopbak-only\r\n' >"$TMP/crlf"
check_refuses crlf "$TMP/crlf:2: unknown policy \"loopbak-only\""

printf '22/tcp ssh open\n143/tcp imap nope' >"$TMP/no-final-newline"
check_refuses no-final-newline "$TMP/no-final-newline:2: unknown policy"

printf '22/tcp ssh open\n22/tcp ssh2 loopback-only\n' >"$TMP/duplicate"
check_refuses duplicate "$TMP/duplicate:2: ssh2 duplicates the entry at line 1"

: >"$TMP/unreadable"
chmod 000 "$TMP/unreadable"
if [ "$(id -u)" -ne 0 ]; then
	check_refuses unreadable "$TMP/unreadable: cannot open: Permission denied"
fi
check_refuses missing "$TMP/missing: cannot open: No such file or directory"
mkdir "$TMP/dir"
check_refuses dir "$TMP/dir: not a regular file"

# An empty override file and CRLF-only good files are fine.
: >"$TMP/empty"
printf '8765/tcp inventory loopback-only\r\n\ttitle In-house agent\r\n' >"$TMP/good-crlf"
out=$("$PW" --config /dev/null --db "$DB" --db "$TMP/empty" --db "$TMP/good-crlf" check) ||
	fail "good overrides refused: $out"
expect_contains "$out" "in 3 files" "empty and CRLF override files accepted"
out=$("$PW" --config /dev/null --db "$DB" --db "$TMP/good-crlf" lookup 8765/tcp)
expect_contains "$out" "loopback-only" "override file adds a guarded port"

# Overrides: local file opens 143; a narrower entry wins over a range.
printf '143/tcp imap open\n6000-6063/tcp x11 open\n6010/tcp x11-display10 loopback-only\n' >"$TMP/local.rules"
out=$("$PW" --config /dev/null --db "$DB" --db "$TMP/local.rules" lookup 143/tcp 6009/tcp 6010/tcp)
expect_contains "$out" "policy:   open" "later file overrides 143"
expect_contains "$out" "6010/tcp  x11-display10" "narrower entry wins inside a range"

printf 'queue = 99999\nmode = enforcing\n' >"$TMP/bad.conf"
out=$("$PW" --config "$TMP/bad.conf" --db "$DB" check 2>&1) && fail "bad config accepted"
expect_contains "$out" "$TMP/bad.conf:1: queue must be" "bad config line 1 reported"
expect_contains "$out" "$TMP/bad.conf:2: mode must be" "bad config line 2 reported"

out=$("$PW" --config /dev/null --db "$DB" lookup 70000 2>&1) && fail "lookup 70000 accepted"
expect_contains "$out" "is not PORT" "lookup rejects a bad port"

# text that reaches a terminal: C1 controls and bidi characters of the
# database (C0 and ESC are refused at load) print escaped
printf '9999/tcp evil lan-only\n\ttitle  inv\xe2\x80\xaeoice\xc2\x9b2J.exe\n\tsoftware  a\xe2\x81\xa6b\n\tabout  x\xc2\x85y\n' >"$TMP/evil.rules"
out=$("$PW" --config /dev/null --db "$TMP/evil.rules" lookup 9999 2>&1) || fail "lookup: $out"
expect_contains "$out" 'oice\u009b2J' "lookup: C1 control in the title escaped"
expect_contains "$out" 'inv\u202eoice' "lookup: bidi override in the title escaped"
expect_contains "$out" 'a\u2066b' "lookup: bidi isolate escaped"
expect_contains "$out" 'x\u0085y' "lookup: C1 in the description escaped"
printf '%s' "$out" | LC_ALL=C grep -q "$(printf '\xc2\x9b\|\xe2\x80\xae\|\xe2\x81\xa6\|\xc2\x85')" &&
	fail "lookup printed a raw control or bidi character"
ok "lookup: no raw control or bidi character reaches the terminal"
# a log line written by someone else: escaped in the table view
printf '{"ts":"2026-11-27T08:00:00.000Z","action":"blocked","proto":"tcp","src":"198.51.100.2","sport":1,"dst":"198.51.100.1","dport":143,"iif":"x","service":"im\\u001b[31map","policy":"loopback-only","path":"queue","count":1,"listener":""}\n' >"$TMP/evil.log"
out=$("$PW" --config /dev/null --log "$TMP/evil.log" log 2>&1)
expect_contains "$out" 'im\x1b[31map' "log: ESC in a logged service escaped"
printf '%s' "$out" | LC_ALL=C grep -q "$(printf '\x1b')" && fail "log printed ESC raw"
ok "log: no raw ESC reaches the terminal"

# usage errors exit 2, whatever option they are in
for q in 70000 abc; do
	out=$("$PW" --config /dev/null --db "$DB" -q "$q" check 2>&1); rc=$?
	[ "$rc" = 2 ] || fail "-q $q exited $rc, want 2: $out"
	expect_contains "$out" "--queue wants a number from 0 to 65535" "-q $q is a usage error"
done
# a key given twice would silently win: refused with both lines
printf 'queue = 1\nlog_rate = 5\nqueue = 2\n' >"$TMP/twice.conf"
out=$("$PW" --config "$TMP/twice.conf" --db "$DB" check 2>&1) && fail "a duplicate key passed check: $out"
expect_contains "$out" "$TMP/twice.conf:3: queue is given twice (first on line 1)" "a duplicate key is refused"
# metrics_file where no directory is: the daemon could never write it
printf 'metrics_file = %s/nodir/pw.prom\n' "$TMP" >"$TMP/metrics.conf"
out=$("$PW" --config "$TMP/metrics.conf" --db "$DB" check 2>&1) && fail "a metrics_file without directory passed: $out"
expect_contains "$out" "directory $TMP/nodir does not exist" "a metrics_file in a missing directory is refused"
# log takes the service names every other command takes, and refuses others
printf '{"ts":"2026-11-27T08:00:00.000Z","action":"blocked","proto":"tcp","src":"198.51.100.2","sport":1,"dst":"198.51.100.1","dport":143,"iif":"x","service":"imap","policy":"loopback-only","path":"queue","count":1,"listener":""}\n' >"$TMP/imap.log"
out=$("$PW" --config /dev/null --db "$DB" --log "$TMP/imap.log" log --port imap 2>&1) ||
	fail "log --port imap exited $?: $out"
expect_contains "$out" "198.51.100.2" "log --port takes a service name"
out=$("$PW" --config /dev/null --db "$DB" --log "$TMP/imap.log" log --service nosuch 2>&1); rc=$?
[ "$rc" = 2 ] || fail "log --service nosuch exited $rc, want 2: $out"
expect_contains "$out" "no such service in the database" "log --service of an unknown name says so"
