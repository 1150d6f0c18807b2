#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside a `make vmcheck` guest, under systemd as PID 1, from a oneshot
# unit ordered after multi-user.target; its output goes to the serial port,
# which the host reads.  Prints TAP ("ok N - ...", "not ok N - ...", "#"
# notes); "# pwvm: reboot" asks the host to boot the disk again, which
# continues with the scenarios after the reboot, and "# pwvm: done" ends.
#
# The guest has no network: the package is in /pwvm, the peer is a network
# namespace inside the guest, and test traffic uses documentation prefixes.
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive
STATE=/var/lib/pwvm
SCENARIOS=$(cat /pwvm/scenarios 2>/dev/null || echo all)
HOST4=198.51.100.1 PEER4=198.51.100.2 HOST6=2001:db8:100::1 PEER6=2001:db8:100::2
CONF=/etc/portwarden/portwarden.conf
RULES=/etc/portwarden/local.rules
BLOCKLOG=/var/log/portwarden/blocked.log
WAIT=60		# seconds a fact may take to appear under emulation
OUT=/tmp/pwvm.out

echo	# systemd's terminal reset sequence gets a line of its own
mkdir -p "$STATE"
n=$(cat "$STATE/n" 2>/dev/null || echo 0)

# ---- TAP ------------------------------------------------------------------
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n - $*"
	[ -s "$OUT" ] && tail -n 15 "$OUT" | sed 's/^/#   /'
}

# check DESCRIPTION CMD...: one test point from CMD's exit status
check() {
	local desc=$1

	shift
	if "$@" >"$OUT" 2>&1; then ok "$desc"; else not_ok "$desc"; fi
	: >"$OUT"
}

# wait_for CMD...: polls until CMD succeeds (a fact), at most WAIT seconds
wait_for() {
	local end=$((SECONDS + WAIT))

	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

note() {
	echo "# $*"
}

# diagnose: what systemd and the journal say about the unit, as TAP notes
diagnose() {
	{
		systemctl status portwarden.service --no-pager -l
		journalctl -b -q -o short-monotonic --no-pager -u portwarden.service
	} 2>&1 | tail -n 30 | sed 's/^/#   /'
}

# ---- helpers ----------------------------------------------------------------
journal() {	# the daemon's messages in this boot, text only
	journalctl -b -q -o cat -u portwarden.service --no-pager
}

count() {	# count PATTERN: lines of the daemon's journal matching
	journal | grep -c -- "$1"
}

# more_than PATTERN N: the journal has more than N lines matching now; a
# command of its own, so that wait_for reads the journal on every try
more_than() {
	[ "$(count "$1")" -gt "$2" ]
}

main_pid() {
	systemctl show -p MainPID --value portwarden.service
}

table() {
	nft list table inet portwarden
}

active() {
	[ "$(systemctl is-active portwarden.service)" = active ]
}

peer() {
	ip netns exec pwpeer "$@"
}

# answers ADDR PORT: a TCP connection from the peer gets the banner
# connect ADDR PORT: what a TCP client in the peer sees: the banner, or
# socat's error (refused, timed out)
connect() {
	local target="TCP4:$1:$2"

	case $1 in *:*) target="TCP6:[$1]:$2" ;; esac
	peer socat -T 3 -u "$target,connect-timeout=3" - 2>&1
}

answers() {
	connect "$@" | grep -q 'pwvm ready'
}

silent() {	# no answer at all: dropped, not refused
	connect "$@" | grep -q 'timed out'
}

logged() {	# logged SRC PORT: a blocked-connection log line for it
	grep -q "\"src\":\"$1\".*\"dport\":$2[,}]" "$BLOCKLOG" 2>/dev/null
}

# reload_and_wait: systemctl reload runs `portwarden reload`, which returns
# with the daemon's answer (its exit status: applied or refused); the
# answer is in the journal once it returns, but it is waited for anyway,
# read afresh on every try
RELOADED='reloaded:\|reload refused\|reload failed'
reload_and_wait() {
	local before ret

	before=$(count "$RELOADED")
	systemctl reload portwarden.service
	ret=$?
	wait_for more_than "$RELOADED" "$before" || return 1
	return $ret
}

restart_and_wait() {
	systemctl restart portwarden.service && wait_for active
}

cpu_ticks() {	# utime + stime of PID
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

want() {	# want SCENARIO: is it in this run's set?
	[ "$SCENARIOS" = all ] || case " $SCENARIOS " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

# ---- the world: a peer namespace and servers --------------------------------
make_peer() {
	ip netns add pwpeer
	ip link add pwv0 type veth peer name pwv1 netns pwpeer
	ip addr add "$HOST4/24" dev pwv0
	ip addr add "$HOST6/64" dev pwv0 nodad
	ip link set pwv0 up
	ip -n pwpeer link set lo up
	ip -n pwpeer addr add "$PEER4/24" dev pwv1
	ip -n pwpeer addr add "$PEER6/64" dev pwv1 nodad
	ip -n pwpeer link set pwv1 up
}

serve() {	# serve PORT: a banner server on every address of the guest
	socat "TCP6-LISTEN:$1,ipv6only=0,reuseaddr,fork" SYSTEM:'echo pwvm ready' &
}

# ---- scenarios before the reboot ---------------------------------------------
s_install() {
	check "the package installs offline (dpkg -i)" dpkg -i /pwvm/portwarden.deb
	check "the unit is active after install" wait_for active
	active || diagnose
	check "the unit is Type=notify" test "$(systemctl show -p Type --value portwarden)" = notify
	check "the daemon runs as its own user, not root" \
		sh -c "ps -o user= -p $(main_pid) | grep -qx portwarden"
	check "portwarden status shows the table and the native backend" \
		sh -c 'portwarden status | grep -q "^table:.*installed" &&
			portwarden status | grep -q "^backend:.*native"'
	note "kernel $(uname -r); daemon: $(journal | grep -o 'table \(not \)\?owned[^;]*' | tail -1)"
	check "no privilege warning under the unit's capabilities" \
		sh -c "! journalctl -u portwarden.service -b --no-pager | grep -q 'cannot drop privileges'"
	# the first install opened the adoption window; the timer would end it
	# in 24 hours, the scenarios after this one need it ended now
	check "the first install opened the adoption window" \
		sh -c 'nft list table inet portwarden | grep -q "adoption window"'
	check "the timer that ends it is enabled" systemctl is-enabled portwarden-adopt.timer
	check "adopt --finish ends it" sh -c 'portwarden adopt --finish | grep -q "adoption window closed"'
	check "the daemon enforces lan-only ports again" \
		sh -c '! nft list table inet portwarden | grep -q "adoption window"'
}

s_block() {
	check "a peer cannot reach 143 (IPv4)" silent "$HOST4" 143
	check "the attempt is logged with its source" wait_for logged "$PEER4" 143
	check "a peer cannot reach 110 (IPv6)" silent "$HOST6" 110
	check "the IPv6 attempt is logged" wait_for logged "$PEER6" 110
	check "the log names the root-owned listener" \
		sh -c "grep '\"dport\":143' $BLOCKLOG | grep -q '\"listener\":\"socat\['"
	check "the guest itself reaches 143 over loopback" \
		sh -c 'socat -T 3 -u TCP:127.0.0.1:143,connect-timeout=3 - | grep -q "pwvm ready"'
	check "the guest reaches 143 at its own external address" \
		sh -c "socat -T 3 -u TCP:$HOST4:143,connect-timeout=3 - | grep -q 'pwvm ready'"
}

s_kill() {
	local old=$(main_pid)

	systemctl kill -s KILL portwarden.service
	check "after kill -9 the table stays (fail closed)" table
	check "after kill -9 a guarded port stays silent" silent "$HOST4" 6379
	check "systemd starts the daemon again" \
		wait_for sh -c "[ \"\$(systemctl show -p MainPID --value portwarden)\" -ne 0 ] &&
			[ \"\$(systemctl show -p MainPID --value portwarden)\" -ne $old ] &&
			[ \"\$(systemctl is-active portwarden)\" = active ]"
}

s_reload() {
	cp "$RULES" "$STATE/local.rules.orig"
	printf '8765/tcp  inventory-agent  loopback-only\n' >>"$RULES"
	check "systemctl reload applies and waits for the daemon's answer" reload_and_wait
	check "the reload took effect: 8765 is guarded" sh -c 'nft list table inet portwarden | grep -q 8765'
	check "a peer cannot reach the newly guarded 8765" silent "$HOST4" 8765
}

s_flush() {
	local before=$(count 'restored')

	nft flush ruleset
	check "the table comes back after nft flush ruleset" wait_for table
	check "a peer cannot reach 143 after the flush" silent "$HOST4" 143
	note "restores logged by the flush: $(($(count 'restored') - before))"
}

s_nftables() {
	check "Debian's stock nftables.conf starts with flush ruleset" \
		grep -q '^flush ruleset' /etc/nftables.conf
	systemctl restart nftables.service
	check "the table comes back after systemctl restart nftables" wait_for table
	check "nftables' own table is there too" sh -c 'nft list tables | grep -q "inet filter"'
	check "a peer cannot reach 143 after the restart of nftables" silent "$HOST4" 143
}

s_foreign() {
	local before=$(count 'changed by another program')

	if nft insert rule inet portwarden input tcp dport 6379 accept 2>"$OUT"; then
		check "a foreign accept rule in the table is undone" \
			wait_for sh -c '! nft list table inet portwarden | grep -q "dport 6379 accept"'
		check "undoing it is logged" \
			wait_for more_than 'changed by another program' "$before"
	else
		note "the kernel refused the foreign rule: $(cat "$OUT")"
		check "a foreign accept rule cannot enter the owned table" \
			sh -c '! nft list table inet portwarden | grep -q "dport 6379 accept"'
	fi
	check "a peer cannot reach 6379 after the foreign rule" silent "$HOST4" 6379
}

s_bigrange() {
	local pid restored reloads t0 t1 hz=$(getconf CLK_TCK)

	# the unowned table is the path that looped; force it on every kernel
	echo 'table_owner = no' >>"$CONF"
	restart_and_wait
	printf '20000-30000/tcp  big  loopback-only\n' >>"$RULES"
	restored=$(count 'restored')
	reloads=$(count 'reloaded:')
	reload_and_wait
	check "a reload with a 10,001-port range succeeds" test "$(count 'reloaded:')" -gt "$reloads"
	# a loop restores every fraction of a second, so ten quiet seconds show
	# there is none; emulation only makes each round slower
	pid=$(main_pid)
	t0=$(cpu_ticks "$pid")
	sleep 10
	t1=$(cpu_ticks "$pid")
	note "after the reload: $(($(count 'restored') - restored)) restores, $(( (t1 - t0) * 1000 / hz )) ms of CPU in 10 s"
	check "the reload does not restore the table over and over" \
		test "$(($(count 'restored') - restored))" -eq 0
	check "the daemon is idle after the reload (under 1 s of CPU in 10 s)" \
		test "$((t1 - t0))" -lt "$hz"
	serve 25000
	check "a peer cannot reach a port of the range" silent "$HOST4" 25000
	check "that attempt is logged" wait_for logged "$PEER4" 25000
	sed -i '/^table_owner = no$/d' "$CONF"
	cp "$STATE/local.rules.orig" "$RULES"
	restart_and_wait
}

s_priorities() {
	printf 'this is not a rule\n' >>"$RULES"
	check "systemctl reload fails for a file the daemon refuses" sh -c '! systemctl reload portwarden'
	check "portwarden reload names the refused FILE:LINE" \
		sh -c "portwarden reload 2>&1 | grep -q '$RULES:[0-9]*: '"
	check "portwarden status exits 6 and shows the refused file" \
		sh -c "portwarden status >/tmp/st 2>&1; [ \$? = 6 ] && grep -q '$RULES:[0-9]*: ' /tmp/st"
	check "a refused reload is logged" sh -c 'journalctl -b -o cat -u portwarden | grep -q "reload refused"'
	check "journalctl -p warning shows the daemon's warning" \
		sh -c 'journalctl -b -o cat -u portwarden -p warning | grep -q "reload refused"'
	cp "$STATE/local.rules.orig" "$RULES"
	check "after the fix systemctl reload succeeds" reload_and_wait
}

# a removal is a gap only if a transaction ends (nft prints "# new
# generation") before the table is added again: a start replaces the table
# with a delete and an add in one transaction
no_gap_in() {
	awk '/^delete table inet portwarden$/ { gone = 1; next }
	     /^(add|create) table inet portwarden( |$)/ { gone = 0; next }
	     /^# new generation/ && gone { gap = 1 }
	     END { exit gap || gone }' "$1"
}

s_restart_gap() {
	nft monitor >"$STATE/monitor" 2>&1 &
	local mon=$!

	sleep 1
	restart_and_wait
	kill "$mon"
	wait "$mon" 2>/dev/null
	check "systemctl restart leaves no moment without the table" no_gap_in "$STATE/monitor"
	no_gap_in "$STATE/monitor" ||
		grep -E 'table inet portwarden|generation' "$STATE/monitor" | sed 's/^/# monitor: /' | head -40
}

# SCTP, which this distribution's kernel has (the build machine's has not):
# a listener on a port the TCP entries guard (5432, lan-only) gets nothing
# from the peer, one on an open port (4443) answers; both are in `audit`.
# And UDP to a guarded port of the ephemeral range (47808), decided in the
# input hook through the native queue expression this kernel has.
s_transports() {
	local addr sctp target

	socat UDP6-RECVFROM:47808,ipv6only=0,fork SYSTEM:'echo pwvm ready' &
	check "a UDP service on 47808" wait_for sh -c 'ss -Hlnu | grep -q ":47808 "'
	check "the peer's datagram to 47808 gets no answer" sh -c \
		"! echo ping | ip netns exec pwpeer socat -T 3 - UDP4:$HOST4:47808 | grep -q 'pwvm ready'"
	check "and is logged" wait_for logged "$PEER4" 47808

	if ! modprobe sctp 2>"$OUT"; then
		note "no sctp module in kernel $(uname -r): $(cat "$OUT")"
		: >"$OUT"
		return
	fi
	socat SCTP6-LISTEN:5432,ipv6only=0,reuseaddr,fork SYSTEM:'echo pwvm ready' &
	socat SCTP6-LISTEN:4443,ipv6only=0,reuseaddr,fork SYSTEM:'echo pwvm ready' &
	check "SCTP listeners on 5432 and 4443" wait_for sh -c \
		'[ "$(ss -HlnS | grep -c ":5432 \|:4443 ")" -ge 2 ]'
	for addr in "$HOST4" "$HOST6"; do
		case $addr in *:*) sctp=SCTP6 target="[$addr]" ;; *) sctp=SCTP4 target=$addr ;; esac
		check "SCTP to lan-only 5432 at $addr: silent" sh -c \
			"ip netns exec pwpeer socat -T 3 -u $sctp:$target:5432,connect-timeout=3 - 2>&1 |
			 grep -q 'timed out'"
		check "SCTP to open 4443 at $addr: answered" sh -c \
			"ip netns exec pwpeer socat -T 3 -u $sctp:$target:4443,connect-timeout=3 - 2>&1 |
			 grep -q 'pwvm ready'"
	done
	check "the SCTP attempt is logged as sctp" wait_for sh -c \
		"grep '\"dport\":5432' $BLOCKLOG | grep -q '\"proto\":\"sctp\"'"
	check "audit lists the SCTP socket with the TCP entry's policy" sh -c \
		'portwarden audit | grep " 5432/sctp " | grep -q "lan-only"'
}

# ---- Wi-Fi: NetworkManager's zone decides ------------------------------------------
# Two radios from mac80211_hwsim: an open access point (hostapd) in
# namespace pwap, whose own address is the stranger on the same network,
# and the guest's client, managed by NetworkManager.  A Wi-Fi connection
# without a zone is public; `nmcli connection modify ... connection.zone
# home` makes it lan, and the stranger reaches the lan-only port then.
wifi_if() {	# wifi_if PHY: its network interface
	ls "/sys/class/ieee80211/$1/device/net" 2>/dev/null | head -1
}

zone_is() {	# zone_is IF ZONE
	portwarden zone | grep -q "^$1 *$2 "
}

ap() {
	ip netns exec pwap "$@"
}

nm_diagnose() {	# what the daemon and the bus say, as TAP notes
	{
		journal | grep -iE 'bus|NetworkManager|zone|LAN changed' | sort | uniq -c | tail -n 8
		journalctl -b -q -o cat -u dbus.service --no-pager | tail -n 8
		busctl --system --no-pager list 2>&1 | grep -E 'portwarden|NetworkManager' | head -5
		busctl --system --no-pager get-property org.freedesktop.NetworkManager \
			/org/freedesktop/NetworkManager org.freedesktop.NetworkManager ActiveConnections 2>&1
		portwarden zone 2>&1
	} | sed 's/^/#   /'
}

s_wifi() {
	local ap_if cli_if t0 t1 ms virt limit

	modprobe mac80211_hwsim radios=2
	check "mac80211_hwsim gives two radios" wait_for test -e /sys/class/ieee80211/phy1/device/net
	cli_if=$(wifi_if phy0)
	ap_if=$(wifi_if phy1)
	ip netns add pwap
	iw phy phy1 set netns name pwap
	ap ip link set lo up
	printf 'interface=%s\ndriver=nl80211\nssid=pwzone\nhw_mode=g\nchannel=1\n' "$ap_if" \
		>/tmp/pwap.conf
	check "hostapd runs an access point in its own namespace" \
		ap hostapd -B -P /run/pwap.pid /tmp/pwap.conf
	ap ip addr add 192.168.77.1/24 dev "$ap_if"
	systemctl unmask NetworkManager.service >/dev/null 2>&1
	systemctl start NetworkManager.service
	check "NetworkManager manages $cli_if" wait_for sh -c \
		"nmcli -t -f DEVICE,STATE device | grep -q '^$cli_if:disconnected'"
	nmcli connection add type wifi ifname "$cli_if" con-name pwwifi ssid pwzone \
		ipv4.method manual ipv4.addresses 192.168.77.2/24 ipv6.method link-local >/dev/null
	check "the client joins the access point (nmcli connection up)" \
		nmcli --wait "$WAIT" connection up pwwifi
	check "a Wi-Fi connection without a zone is public" wait_for zone_is "$cli_if" public
	portwarden zone | grep "^$cli_if" | sed 's/^/# /'
	serve 5432
	check "the stranger on the access point cannot reach lan-only 5432" \
		sh -c "ip netns exec pwap socat -T 3 -u TCP4:192.168.77.2:5432,connect-timeout=3 - 2>&1 |
			grep -q 'timed out'"
	t0=$(date +%s%N)
	nmcli connection modify pwwifi connection.zone home
	wait_for zone_is "$cli_if" lan
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	virt=$(systemd-detect-virt 2>/dev/null)
	note "zone home reached the kernel $ms ms after nmcli connection modify ($virt)"
	# a second under KVM; emulation (TCG) runs about ten times slower
	limit=10000
	[ "$virt" = kvm ] && limit=1000
	check "connection.zone home: lan within $((limit / 1000)) s" test "$ms" -lt "$limit"
	zone_is "$cli_if" lan || nm_diagnose
	check "the peer reaches lan-only 5432 now" \
		sh -c "ip netns exec pwap socat -T 3 -u TCP4:192.168.77.2:5432,connect-timeout=3 - |
			grep -q 'pwvm ready'"
	nmcli connection modify pwwifi connection.zone public
	check "connection.zone public: public again" wait_for zone_is "$cli_if" public
	nmcli connection delete pwwifi >/dev/null
	systemctl stop NetworkManager.service
	systemctl mask NetworkManager.service >/dev/null 2>&1
	kill "$(cat /run/pwap.pid)" 2>/dev/null
	ip netns del pwap
	rmmod mac80211_hwsim 2>/dev/null
}

# ---- after the reboot ----------------------------------------------------------
s_boot_order() {
	local pw net

	check "the unit is active after the reboot" wait_for active
	active || diagnose
	pw=$(systemctl show -p ActiveEnterTimestampMonotonic --value portwarden.service)
	net=$(systemctl show -p ActiveEnterTimestampMonotonic --value network-pre.target)
	note "ready at ${pw} us, network-pre.target at ${net} us (monotonic)"
	check "the daemon is ready before network-pre.target" \
		test "${pw:-0}" -gt 0 -a "${pw:-0}" -le "${net:-0}"
}

s_remove() {
	check "apt remove succeeds" apt-get remove -y -q portwarden
	check "apt remove takes the table away" sh -c '! nft list table inet portwarden'
	check "no daemon runs after apt remove" sh -c '! pgrep -x portwarden'
	check "apt purge succeeds" apt-get purge -y -q portwarden
	check "apt purge leaves no package state" sh -c '! dpkg -s portwarden'
	check "apt purge leaves no files" sh -c '! ls -d /etc/portwarden /var/log/portwarden \
		/var/log/private/portwarden /var/lib/portwarden /var/lib/private/portwarden \
		/lib/systemd/system/portwarden.service /usr/sbin/portwarden 2>/dev/null | grep .'
	check "apt purge leaves no unit behind" \
		sh -c '! systemctl list-unit-files | grep -q portwarden'
}

stage=$(cat "$STATE/stage" 2>/dev/null || echo 1)
make_peer
for p in 110 143 6379 8765; do serve "$p"; done

if [ "$stage" = 1 ]; then
	note "pwvm: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), scenarios: $SCENARIOS"
	want install && s_install
	want block && s_block
	want kill && s_kill
	want reload && s_reload
	want flush && s_flush
	want nftables && s_nftables
	want foreign && s_foreign
	want bigrange && s_bigrange
	want priorities && s_priorities
	want restartgap && s_restart_gap
	want transports && s_transports
	want wifi && s_wifi
	if want reboot; then
		echo 2 >"$STATE/stage"
		echo "$n" >"$STATE/n"
		note "pwvm: reboot"
		sync
		systemctl --no-block reboot
		exit 0
	fi
else
	s_boot_order
fi
want remove && s_remove
echo "1..$n"
note "pwvm: done"
sync
systemctl --no-block poweroff
