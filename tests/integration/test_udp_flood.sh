#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# In monitor mode every datagram to a guarded UDP port (161, SNMP) is
# decided by the worker.  A flood to it from many source ports, for as
# long as the checks take (at most 20 s): the daemon still serves SIGHUP
# and new decisions on other ports, the host's own UDP service (47808)
# still answers it, and the log grows by a few lines, not by a line per
# datagram (ten thousand and more of them reach the queue).
. tests/integration/lib.sh
require_root
make_hosts
serve "$NS_HOST" udp 47808
wait_listening "$NS_HOST" udp 47808
start_pw "mode = monitor"

log0=$(stat -c %s "$PW_LOG")
q0=$(queue_seq)
touch "$TMP/flooding"
in_inet python3 - "$HOST4" 161 20 "$TMP/flooding" >"$TMP/flood.out" <<'PY' &
import os, socket, sys, time
end = time.time() + float(sys.argv[3])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(32)]
for s in socks:
    s.connect((sys.argv[1], int(sys.argv[2])))
n = 0
while time.time() < end and os.path.exists(sys.argv[4]):
    for s in socks:
        for _ in range(32):
            try:
                s.send(b"flood")
                n += 1
            except OSError:
                pass
print(n)
PY
FLOODER=$!
defer "kill $FLOODER"
for i in $(seq 200); do [ $(( $(queue_seq) - q0 )) -ge 10000 ] && break; nap 0.05; done
[ $(( $(queue_seq) - q0 )) -ge 10000 ] || fail "the flood did not reach the queue"
ok "the flood reaches the queue"

# SIGHUP under the flood
reloads=$(grep -c "reloaded" "$TMP/pw.out")
t0=$(date +%s%N)
kill -HUP "$PW_PID"
for i in $(seq 2000); do
	[ "$(grep -c "reloaded" "$TMP/pw.out")" -gt "$reloads" ] && break
	nap 0.005
done
t1=$(date +%s%N)
[ "$(grep -c "reloaded" "$TMP/pw.out")" -gt "$reloads" ] || fail "SIGHUP not served under the flood"
kill -0 "$FLOODER" || fail "the flood ended before the reload"
ok "SIGHUP served under the flood after $(( (t1 - t0) / 1000000 )) ms"

# a new decision on another port under the flood: logged as it comes
expect_probe "$NS_INET" tcp "$HOST4" 6379 refused
for i in $(seq 100); do
	grep -q '"dport":6379' "$PW_LOG" && break
	nap 0.05
done
grep '"dport":6379' "$PW_LOG" | grep -q '"action":"would-block"' || fail "6379 not decided under the flood"
ok "a new decision on 6379/tcp under the flood"
expect_probe "$NS_HOST" udp 127.0.0.1 47808 open
kill -0 "$FLOODER" || fail "the flood ended before the checks"
ok "the flood lasted through the checks"

rm "$TMP/flooding"
wait "$FLOODER"
sent=$(cat "$TMP/flood.out")
queued=$(( $(queue_seq) - q0 ))
growth=$(( $(stat -c %s "$PW_LOG") - log0 ))
ok "flood: $sent datagrams sent, $queued queued"
[ "$queued" -ge 10000 ] || fail "only $queued datagrams of the flood were queued"
[ "$growth" -lt 102400 ] || fail "the log grew by $growth bytes under the flood"
ok "the log grew by $growth bytes"
kill -0 "$PW_PID" || fail "portwarden died"
echo "all $CHECKS checks passed"
