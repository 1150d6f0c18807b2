#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A burst that overflows the queue socket's buffer (ENOBUFS) is reported,
# naming queue_buffer, once and not once per overflow.
. tests/integration/lib.sh
require_root
make_hosts
start_pw "queue_buffer = 256"

# stopped, the worker reads nothing: the burst piles up in its buffer
kill -STOP "$PW_PID"
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 6379 3000 >/dev/null
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 3306 3000 >/dev/null
kill -CONT "$PW_PID"
wait_until "the overflow reported" grep -q "raise queue_buffer" "$TMP/pw.out"
ok "the overflow is reported: $(grep "raise queue_buffer" "$TMP/pw.out")"

kill -STOP "$PW_PID"
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 11211 3000 >/dev/null
kill -CONT "$PW_PID"
expect_probe "$NS_INET" tcp "$HOST4" 5432 silent
[ "$(grep -c "raise queue_buffer" "$TMP/pw.out")" = 1 ] || fail "reported more than once a minute"
ok "a second overflow within the minute is not reported again"
stop_pw
overflows=$(sed -n 's/.* \([0-9]*\) ENOBUFS.*/\1/p' "$TMP/pw.out")
[ "${overflows:-0}" -ge 2 ] || fail "expected two overflows or more, counted ${overflows:-none}"
ok "$overflows overflows counted, one reported"
echo "all $CHECKS checks passed"
