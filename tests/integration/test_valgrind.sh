#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon under valgrind memcheck through a whole life: start, queue
# decisions over IPv4 and IPv6, kernel-path log events, interfaces that
# come and go, a reload, a ruleset-event restore, SIGTERM.  No errors, no definite leaks.
. tests/integration/lib.sh
require_root
command -v valgrind >/dev/null || fail "valgrind is not installed (make deps installs it)"
# memcheck and ASan do not mix: this test always runs the plain build
# (SANITIZE=0: a sanitized make check passes SANITIZE=1 down through MAKEFLAGS)
make --no-print-directory -s SANITIZE=0 build/portwarden >/dev/null || fail "cannot build build/portwarden"
PW="$PWD/build/portwarden"
make_hosts
serve "$NS_HOST" tcp 143
wait_listening "$NS_HOST" tcp 143
PW_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=$TMP/valgrind.log" \
	start_pw "table_owner = no" "lan_networks = 192.0.2.0/24"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
expect_probe "$NS_INET" tcp "$HOST6" 143 silent
expect_probe "$NS_INET" udp "$HOST4" 11211 silent
expect_probe "$NS_LAN" tcp "$HOSTLAN4" 445 refused
# interfaces that come and go: the LAN follows them one event at a time
in_host ip link add br-vg type bridge
in_host ip addr add 198.51.100.129/25 dev br-vg
for i in $(seq 100); do grep -q "LAN changed" "$TMP/pw.out" && break; nap 0.1; done
in_host ip link del br-vg
expect_contains "$(cat "$TMP/pw.out")" "LAN changed" "LAN changes ran under valgrind"
kill -HUP "$PW_PID"
for i in $(seq 100); do grep -q reloaded "$TMP/pw.out" && break; nap 0.1; done
in_host nft flush ruleset
for i in $(seq 100); do grep -q restored "$TMP/pw.out" && break; nap 0.1; done
expect_contains "$(cat "$TMP/pw.out")" "restored" "restore ran under valgrind"
stop_pw
[ "$PW_STATUS" -eq 0 ] || { cat "$TMP/valgrind.log"; fail "exit status $PW_STATUS under valgrind"; }
[ ! -s "$TMP/valgrind.log" ] || { cat "$TMP/valgrind.log"; fail "valgrind reported problems"; }
ok "memcheck: no errors, no definite leaks"
