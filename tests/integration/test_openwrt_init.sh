#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The OpenWrt init script, run under stand-ins for rc.common, UCI, procd and
# fw4: it starts after the firewall and before the network, writes no empty
# interface lists while zones have no devices yet, reads the zones again on
# interface events, and maps every UCI option to a key portwarden accepts.
. tests/integration/lib.sh
INIT=packaging/openwrt/files/portwarden.init

start=$(sed -n 's/^START=\([0-9]*\).*/\1/p' "$INIT")
# rc.d runs S<NN><name> in sorted order: fw4 is S19firewall, netifd S20network
order=$(printf 'S19firewall\nS%sportwarden\nS20network\n' "$start" | sort | tr '\n' ' ')
[ "$order" = "S19firewall S${start}portwarden S20network " ] ||
	fail "boot order $order: portwarden must start after fw4 and before the network"
ok "boot order: after fw4, before the network (START=$start)"

mkdir -p "$TMP/bin" "$TMP/etc"
# fw4 stand-in: zones have devices only once the network is up
cat >"$TMP/bin/fw4" <<STUB
#!/bin/sh
[ -e "$TMP/netup" ] || exit 0
case "\$3" in wan) echo eth0; echo wwan0 ;; lan) echo br-lan ;; esac
STUB
chmod +x "$TMP/bin/fw4"

harness() {	# harness UCI-FILE ACTION...: runs the script's functions
	PATH="$TMP/bin:$PATH" TMP="$TMP" UCI="$1" PW="$PW" DB="$DB" INIT="$INIT" bash -c '
		config_load() { :; }
		uci_value() { sed -n "s/^[[:space:]]*$1 $2 '"'"'\(.*\)'"'"'$/\1/p" "$UCI"; }
		# private names, as rc.common'"'"'s own: the caller'"'"'s variable may be "v"
		config_get() { local _h; _h=$(uci_value option "$3" | head -1); eval "$1=\"\${_h:-\${4:-}}\""; }
		config_get_bool() { local _h; _h=$(uci_value option "$3" | head -1); _h=${_h:-$4}
			case "$_h" in 1|yes|on|true) _h=1 ;; *) _h=0 ;; esac; eval "$1=$_h"; }
		extra_command() { :; }
		config_list_foreach() { local opt=$2 fn=$3 _h; shift 3
			uci_value list "$opt" >"$TMP/list"
			while read -r _h; do $fn "$_h" "$@"; done <"$TMP/list"; }
		for f in procd_open_instance procd_set_param procd_add_jail procd_add_jail_mount \
			procd_add_jail_mount_rw procd_close_instance procd_send_signal \
			procd_add_reload_trigger procd_add_raw_trigger; do
			eval "$f() { echo \"$f \$*\" >>\"$TMP/procd.log\"; }"
		done
		. "$INIT"
		CONF="$TMP/etc/portwarden.conf"
		PROG="$PW --db $DB"
		shift
		for a in "$@"; do $a; done' harness "$@"
}

cp packaging/openwrt/files/portwarden.config "$TMP/uci"
sed -i "s|/var/log/portwarden/blocked.log|$TMP/log/blocked.log|" "$TMP/uci"
harness "$TMP/uci" start_service service_triggers || fail "start_service failed"
conf=$(cat "$TMP/etc/portwarden.conf")
expect_not_contains "$conf" "lan_interfaces" "no empty lan_interfaces before the zones have devices"
expect_not_contains "$conf" "wan_interfaces" "no empty wan_interfaces before the zones have devices"
expect_contains "$(cat "$TMP/procd.log")" "procd_add_raw_trigger interface.* 2000 /etc/init.d/portwarden reload" \
	"interface events reload"
expect_contains "$(cat "$TMP/procd.log")" "procd_add_reload_trigger portwarden firewall network" \
	"UCI changes reload"
expect_contains "$(cat "$TMP/procd.log")" "procd_set_param command $PW --db $DB --config $TMP/etc/portwarden.conf run" \
	"the daemon is started with the generated config"

touch "$TMP/netup"
: >"$TMP/procd.log"
harness "$TMP/uci" reload_service || fail "reload_service failed"
conf=$(cat "$TMP/etc/portwarden.conf")
expect_contains "$conf" "wan_interfaces = eth0, wwan0" "zones read again once interfaces are up"
expect_contains "$conf" "lan_interfaces = br-lan" "LAN zone devices"
expect_contains "$(cat "$TMP/procd.log")" "procd_send_signal portwarden * HUP" "the daemon reloads"

# every option set: each becomes a key that portwarden accepts
cat >"$TMP/uci-all" <<UCI
config portwarden 'main'
	option enabled '1'
	option queue '7'
	option fail_mode 'open'
	option mode 'monitor'
	option log_file '$TMP/log/blocked.log'
	option log_rate '20'
	option log_max_size '256'
	option syslog '1'
	option table_owner 'no'
	option queue_buffer '8192'
	option metrics_file '$TMP/run/portwarden.prom'
	option adopt_state '$TMP/adopt.state'
	option wan_zone 'wan'
	option lan_zone ''
	list wan_interface 'pppoe-wan'
	list lan_interface 'br-guest'
	list lan_network '198.51.100.0/24'
	list lan_network '2001:db8:1::/48'
	list private_network '198.51.100.0/24'
	list private_network '2001:db8:1::/48'
	list interface_zone 'wwan1 public'
	list interface_zone 'wl* lan'
UCI
harness "$TMP/uci-all" write_config || fail "write_config failed"
conf=$(cat "$TMP/etc/portwarden.conf")
for want in "queue = 7" "fail_mode = open" "mode = monitor" "log_rate = 20" "log_max_size = 256" \
	"syslog = yes" "table_owner = no" "wan_interfaces = pppoe-wan, eth0, wwan0" \
	"lan_interfaces = br-guest" "lan_networks = 198.51.100.0/24, 2001:db8:1::/48" \
	"queue_buffer = 8192" "metrics_file = $TMP/run/portwarden.prom" \
	"adopt_state = $TMP/adopt.state" "private_networks = 198.51.100.0/24, 2001:db8:1::/48" \
	"zone.wwan1 = public" "zone.wl* = lan"; do
	expect_contains "$conf" "$want" "UCI maps to \"$want\""
done
out=$("$PW" --config "$TMP/etc/portwarden.conf" --db "$DB" check 2>&1) || fail "generated config refused: $out"
ok "portwarden check accepts the generated config"
# the daemon runs as its own user and may write where the config points
: >"$TMP/procd.log"
harness "$TMP/uci-all" start_service || fail "start_service with every option failed"
procd=$(cat "$TMP/procd.log")
expect_contains "$procd" "procd_set_param user portwarden" "the daemon runs as user portwarden"
expect_contains "$procd" "procd_set_param capabilities /etc/capabilities/portwarden.json" \
	"with the capabilities of capabilities.json"
expect_contains "$procd" "procd_add_jail_mount_rw $TMP/log $TMP/run" \
	"the jail may write the log's and the metrics file's directories"
[ -d "$TMP/run" ] || fail "the metrics file's directory was not made"

# Every key of portwarden.conf(5) (each .TP entry of the man page) has a
# line in the init script's CONF_KEYS, every UCI option that mapping reads
# is in the shipped UCI file, and the all-options UCI file above sets every
# key: a key the man page gains without its UCI form fails here.
man_keys=$(awk '/^\.TP/ { getline; if ($1 ~ /^\.B[IR]?$/) print $2 }' packaging/man/portwarden.conf.5 |
	tr -d '"' | sort -u)
[ "$(echo "$man_keys" | wc -l)" -ge 10 ] || fail "read too few keys from portwarden.conf(5): $man_keys"
map=$(sed -n '/^CONF_KEYS="/,/^"/p' "$INIT" | grep -v '"')
map_keys=$(echo "$map" | awk 'NF { print $1 }' | sort -u)
missing=$(comm -23 <(echo "$man_keys") <(echo "$map_keys"))
[ -z "$missing" ] || fail "portwarden.conf(5) keys without a UCI mapping in CONF_KEYS of $INIT: $missing"
stale=$(comm -13 <(echo "$man_keys") <(echo "$map_keys"))
[ -z "$stale" ] || fail "CONF_KEYS maps keys that portwarden.conf(5) does not describe: $stale"
ok "every key of portwarden.conf(5) has a UCI mapping ($(echo "$man_keys" | wc -l) keys)"
uci_file=packaging/openwrt/files/portwarden.config
# value and bool read one option (a default may follow), list and zone two
echo "$map" | awk 'NF { print $2, $3, ($2 == "list" || $2 == "zone") ? $4 : "" }' | while read -r kind a b; do
	for opt in $a $b; do
		# the zone mapping's list option is spelled once per zone in the file
		grep -Eq "^[[:space:]#]*(option|list) $opt " "$uci_file" ||
			fail "UCI option $opt ($kind) is not in $uci_file"
	done
done || exit 1
ok "every UCI option the mapping reads is in the shipped $uci_file"
for key in $map_keys; do
	case $key in
	*.) pat="^${key%.}\.[^ ]* = " ;;	# zone.IF: one line per interface
	*) pat="^$key = " ;;
	esac
	grep -q "$pat" "$TMP/etc/portwarden.conf" || fail "the all-options UCI file sets no $key"
done
ok "the all-options UCI file sets every key"

# the extra commands: status reads the kernel through the generated
# config; adopt, which the package runs on first install, exists as one
for cmd in status adopt; do
	grep -q "^extra_command \"$cmd\" " "$INIT" || fail "no extra_command $cmd"
	grep -q "^$cmd() {" "$INIT" || fail "extra_command $cmd has no function"
done
out=$(harness "$TMP/uci" status 2>&1)
expect_contains "$out" "table:" "/etc/init.d/portwarden status prints portwarden status"
grep -q '/etc/init.d/portwarden adopt' packaging/openwrt/Makefile || fail "the package does not adopt"
sed -n '/^define Package\/portwarden\/postinst/,/^endef/p' packaging/openwrt/Makefile >"$TMP/postinst"
grep -q 'PKG_UPGRADE' "$TMP/postinst" || fail "the postinst adopts on upgrades too"
ok "the package adopts on first install only, through the init script's adopt"
