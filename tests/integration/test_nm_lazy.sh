#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libsystemd only where NetworkManager runs.  The program is not linked
# against it.  A daemon with a /run of its own (a tmpfs in a mount
# namespace of its own) maps none of it while NetworkManager's runtime
# directory is missing, and maps it within seconds of the directory
# appearing (NetworkManager started later), then looks for the system bus,
# which that /run lacks.  Where the library cannot be loaded the daemon
# says so and keeps enforcing without it.
. tests/integration/lib.sh
require_root
grep -q "libsystemd.so.0" "$PW" || { echo "built without sd-bus (NM=0)"; exit 77; }
command -v unshare >/dev/null && command -v nsenter >/dev/null ||
	{ echo "unshare and nsenter missing (util-linux)"; exit 77; }
unset DBUS_SYSTEM_BUS_ADDRESS
make_hosts

expect_not_contains "$(ldd "$PW")" "libsystemd" "the program is not linked against libsystemd"

# ownrun [NM] [HIDE]: the daemon with a tmpfs on /run, NetworkManager's
# directory in it when NM is 1, libsystemd replaced by an empty file when
# HIDE is 1
cat >"$TMP/ownrun" <<'SH'
#!/bin/sh
nm=$1 hide=$2
shift 2
mount -t tmpfs pwrun /run || exit 1
[ "$nm" = 1 ] && mkdir /run/NetworkManager
if [ "$hide" = 1 ]; then
	lib=$(ldconfig -p | awk '$1 == "libsystemd.so.0" { print $NF; exit }')
	mount --bind /dev/null "$(readlink -f "$lib")" || exit 1
fi
exec "$@"
SH
chmod +x "$TMP/ownrun"

maps_systemd() {	# maps_systemd PID: the daemon maps libsystemd
	grep -q "libsystemd\.so" "/proc/$1/maps"
}

PW_WRAP="unshare -m --propagation private $TMP/ownrun 0 0" start_pw
wait_until "the daemon runs as the namespace's first process" \
	test "$(readlink "/proc/$PW_PID/exe")" = "$PW"
# answered from the poll loop, after NetworkManager's directory was looked for
in_host "$PW" --config "$TMP/pw.conf" reload >/dev/null || fail "reload"
maps_systemd "$PW_PID" && fail "libsystemd mapped without NetworkManager: $(grep systemd "/proc/$PW_PID/maps")"
ok "without NetworkManager's directory the daemon maps no libsystemd"
expect_not_contains "$(<"$TMP/pw.out")" "bus" "and says nothing of the bus"

nsenter -t "$PW_PID" -m mkdir /run/NetworkManager || fail "mkdir /run/NetworkManager"
wait_until "libsystemd mapped once NetworkManager's directory is there" maps_systemd "$PW_PID"
ok "NetworkManager's directory appeared: libsystemd loaded"
wait_until "the system bus looked for" file_has "$TMP/pw.out" "the system bus is not there"
ok "then the system bus is looked for through it"
stop_pw
[ "$PW_STATUS" = 0 ] || fail "the daemon exited with $PW_STATUS"
ok "and the daemon stops cleanly"

# NetworkManager there, libsystemd not loadable
PW_WRAP="unshare -m --propagation private $TMP/ownrun 1 1" start_pw
wait_until "the library that cannot be loaded said" file_has "$TMP/pw.out" "cannot be loaded"
out=$(<"$TMP/pw.out")
expect_contains "$out" "zones come from portwarden.conf and the interfaces themselves" \
	"libsystemd missing where NetworkManager runs: said, zones from the configuration"
in_host "$PW" --config "$TMP/pw.conf" reload >/dev/null || fail "reload without libsystemd"
ok "the daemon keeps serving without it"
maps_systemd "$PW_PID" && fail "libsystemd mapped although hidden"
[ "$(grep -c "cannot be loaded" "$TMP/pw.out")" = 1 ] || fail "said more than once: $(<"$TMP/pw.out")"
ok "said once"
stop_pw
echo "all $CHECKS checks passed"
