#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Commands that change the policy talk to the running daemon over its
# control socket: every port of a range is confirmed, parallel edits are
# serialised, a refused reload exits non-zero naming FILE:LINE and status
# shows it, reset of one protocol keeps the other, a symlinked local.rules
# keeps its link, and a port blocked before it became served opens on the
# next reload.
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" tcp 8765
serve "$NS_HOST" udp 8765
wait_listening "$NS_HOST" tcp 8765

# local.rules is a link into a tree configuration management owns
mkdir -p "$TMP/cm"
printf '# managed by configuration management\n' >"$TMP/cm/local.rules"
LOCAL="$TMP/local.rules"
ln -s "$TMP/cm/local.rules" "$LOCAL"
PW_LOCAL_RULES=$LOCAL start_pw
pw() { in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" --log "$TMP/blocked.log" "$@"; }

# a second daemon for the same queue says who holds it
out=$(in_host timeout 20 "$PW" --config "$TMP/pw.conf" --db "$DB" --log "$TMP/second.log" run 2>&1) &&
	fail "a second daemon on queue 0 started: $out"
expect_contains "$out" "queue 0 is held by portwarden[$PW_PID]" "a second run names the daemon holding the queue"
kill -0 "$PW_PID" || fail "the first daemon died"

# every port of a range is confirmed from the daemon's answer
out=$(pw guard 8760-8770 loopback-only) || fail "guard of a range exited $?: $out"
expect_contains "$out" "reloaded: the daemon (pid $PW_PID) enforces it" "the daemon answers the guard"
expect_contains "$out" "8760-8770/tcp  loopback-only in the kernel, all 11 ports" \
	"all 11 ports of the range confirmed"
set_has guarded tcp 8770 || fail "8770 not in @guarded"
ok "the last port of the range is guarded in the kernel"
out=$(pw allow 8760-8770) || fail "allow of a range exited $?: $out"
expect_contains "$out" "8760-8770/tcp  open in the kernel, all 11 ports" "allow confirms all 11 ports"

# the link stays a link; its target holds the change
[ -L "$LOCAL" ] || fail "local.rules is no longer a symbolic link"
ok "a symlinked local.rules keeps its link"
expect_contains "$(cat "$TMP/cm/local.rules")" "8760-8770/both  local  open" "the link's target holds the entry"
expect_contains "$(cat "$TMP/cm/local.rules")" "# managed by configuration management" \
	"and what was there before"

# a link someone else owns is not followed: refused, named, nothing written
ln -s "$TMP/cm/local.rules" "$TMP/foreign.rules"
chown -h nobody "$TMP/foreign.rules"
out=$(in_host "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$TMP/foreign.rules" allow 8761 2>&1) &&
	fail "a foreign link was followed: $out"
expect_contains "$out" "owned by another user" "a link owned by another user is refused with the reason"

# 16 parallel edits: 16 entries, every command applied
for i in $(seq 16); do
	pw guard $((9200 + i * 10))/udp lan-only >"$TMP/par.$i" 2>&1 &
	pids="${pids:-} $!"
done
rc=0
for p in $pids; do wait "$p" || rc=1; done
[ "$rc" = 0 ] || fail "a parallel guard failed: $(cat "$TMP"/par.*)"
n=$(grep -c '^92[0-9]*/udp .*lan-only$\|^93[0-9]*/udp .*lan-only$' "$TMP/cm/local.rules")
[ "$n" = 16 ] || fail "16 parallel guards left $n entries: $(cat "$TMP/cm/local.rules")"
ok "16 parallel guards: 16 entries"
for i in $(seq 16); do set_has lan_only udp $((9200 + i * 10)) || fail "$((9200 + i * 10))/udp not in @lan_only"; done
ok "all 16 in the kernel"

# reset of one protocol of a /both entry keeps the other
out=$(pw guard 8765/both loopback-only) || fail "guard 8765/both exited $?: $out"
expect_probe "$NS_INET" tcp "$HOST4" 8765 silent
out=$(pw reset 8765/udp) || fail "reset 8765/udp exited $?: $out"
expect_contains "$out" "8765/udp       loopback-only -> open" "reset prints the UDP change"
expect_not_contains "$out" "8765/tcp" "and no TCP change"
set_has guarded tcp 8765 || fail "8765/tcp left @guarded"
ok "8765/tcp still guarded after reset 8765/udp"
set_has guarded udp 8765 && fail "8765/udp still guarded"
ok "8765/udp no longer guarded"
expect_contains "$(cat "$TMP/cm/local.rules")" "8765/tcp  local  loopback-only" "the entry is 8765/tcp now"
expect_probe "$NS_INET" tcp "$HOST4" 8765 silent
set_has blocked tcp 8765 || fail "8765/tcp not in @blocked after the probe"

# blocked, then served: the next reload opens it (@blocked is matched
# before @served)
printf '8765/tcp  local  loopback-only\n\tserved-by %s\n' "$(readlink -f "$(command -v socat)")" \
	>"$TMP/cm/local.rules"
reloads=$(grep -c "reloaded:" "$TMP/pw.out")
kill -HUP "$PW_PID"
wait_until "the reload after SIGHUP" eval '[ "$(grep -c "reloaded:" "$TMP/pw.out")" -gt "$reloads" ]'
wait_until "8765/tcp in @served" set_has served tcp 8765
expect_probe "$NS_INET" tcp "$HOST4" 8765 open
set_has blocked tcp 8765 && fail "8765/tcp still in @blocked while served"
ok "a port blocked before it became served left @blocked"

# a hand edit the daemon refuses: reload exits non-zero with FILE:LINE,
# and status says the files on disk are refused
printf '8765/tcp  local  loopbak-only\n' >"$TMP/cm/local.rules"
out=$(pw reload 2>&1); rc=$?
[ "$rc" = 1 ] || fail "reload of a broken file exited $rc, want 1: $out"
ok "reload of a broken file exits 1"
expect_contains "$out" "$LOCAL:1: unknown policy \"loopbak-only\"" "reload names FILE:LINE"
expect_contains "$out" "keeps the policy it had" "and says the old policy stays"
out=$(pw status 2>&1); rc=$?
[ "$rc" = 6 ] || fail "status with a refused file exited $rc, want 6: $out"
expect_contains "$out" "$LOCAL:1: unknown policy" "status shows the refused file's FILE:LINE"
expect_probe "$NS_INET" tcp "$HOST4" 8765 open
printf '8765/tcp  local  open\n' >"$TMP/cm/local.rules"
out=$(pw reload) || fail "reload of a good file exited $?: $out"
expect_contains "$out" "reloaded: the daemon (pid $PW_PID) applied its files" "reload reports the daemon's answer"
expect_contains "$out" "8765/tcp       loopback-only -> open" "and what changed"
out=$(pw status) || fail "status exited $? after the good reload: $out"
ok "status exits 0 again"
# the compat queue makes nft print an iptables-nft warning: status and the
# table's comment say where it comes from; the native queue has none
table=$(in_host nft list table inet portwarden 2>&1)
case "$out" in
*"xtables NFQUEUE"*)
	expect_contains "$out" "managed by iptables-nft" "status explains nft's iptables-nft warning"
	expect_contains "$table" "queue: xtables NFQUEUE via nft_compat" "the table's comment names the backend" ;;
*)
	expect_not_contains "$out" "managed by iptables-nft" "the native queue needs no explanation"
	expect_not_contains "$table" "nft_compat" "the table's comment names no compat backend" ;;
esac

# clients that connect and send nothing hold no one up: nine of them
# (one more than the daemon keeps places for), then a reload answers at
# once; the oldest silent one is told the daemon is busy, the rest are let
# go after a second
cat >"$TMP/silent.py" <<'PY'
import socket, subprocess, sys, time
clients = []
for _ in range(9):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect("\0portwarden/queue/0")
    clients.append(s)
time.sleep(0.3)
start = time.monotonic()
out = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print("reload %d %.2f" % (out.returncode, time.monotonic() - start))
for s in clients:
    s.settimeout(5)
    try:
        print("client", s.recv(65536).decode().strip() or "let go")
    except socket.timeout:
        print("client still held")
PY
out=$(in_host python3 "$TMP/silent.py" "$PW" --config "$TMP/pw.conf" --db "$DB" --db "$LOCAL" reload)
reload=$(echo "$out" | grep '^reload')
[ "${reload#reload 0 }" != "$reload" ] || fail "reload beside silent clients failed: $out"
# the old daemon waited a second for each silent client, nine in a row
awk '{ exit !($3 < 4) }' <<<"$reload" || fail "reload beside nine silent clients took ${reload##* } s"
ok "a reload beside nine silent clients is answered at once (${reload##* } s)"
# the reload's own client may take a place too, if the daemon accepts it
# before its request comes: then the second oldest gives up its place
busy=$(echo "$out" | grep -c '^client error busy')
[ "$(echo "$out" | grep -m1 '^client')" = "client error busy: too many clients connected without a request" ] &&
	[ "$busy" -ge 1 ] && [ "$busy" -le 2 ] || fail "the oldest silent clients were not told busy: $out"
ok "the oldest of nine silent clients gives up its place, and is told why"
[ "$(echo "$out" | grep -c '^client let go')" = $((9 - busy)) ] || fail "silent clients were not let go: $out"
ok "the others are let go"

# no daemon: the edit is written and the command says so
stop_pw
out=$(pw reload 2>&1); rc=$?
[ "$rc" = 3 ] || fail "reload without a daemon exited $rc, want 3: $out"
expect_contains "$out" "no portwarden serves queue 0 here" "reload without a daemon says so"
out=$(pw guard 8765/tcp lan-only) || fail "guard without a daemon exited $?: $out"
expect_contains "$out" "applies when it starts" "an edit without a daemon says when it applies"
in_host "$PW" flush >/dev/null
