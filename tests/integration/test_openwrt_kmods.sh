#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The OpenWrt package depends on the kernel module packages of every
# nf_tables expression the table uses, and on no other: the expressions are
# read back from the kernel (nft --debug=netlink) with the table at its
# fullest, router mode with a LAN by hand, and mapped to OpenWrt's kmod
# packages (include/netfilter.mk of OpenWrt: which module is in which
# package).  An expression the table gains without its package fails here.
. tests/integration/lib.sh
require_root
make_hosts
MK=packaging/openwrt/Makefile

# expression -> OpenWrt packages; nf_tables.ko itself (payload, cmp,
# bitwise, lookup, dynset, immediate, range, byteorder) and nft_meta,
# nft_counter, nft_limit, nft_log, nft_ct are in kmod-nft-core
kmods_of() {
	case $1 in
	payload | cmp | bitwise | lookup | dynset | immediate | range | byteorder | meta | counter | limit | ct)
		echo kmod-nft-core ;;
	# the log statement's group goes to user space through nfnetlink_log
	log) echo kmod-nft-core kmod-nfnetlink-log ;;
	fib) echo kmod-nft-fib ;;
	queue) echo kmod-nft-queue kmod-nfnetlink-queue ;;
	# the xtables NFQUEUE target through nft_compat: the fallback of a
	# kernel without nft_queue, as on this build machine; OpenWrt's
	# kernels have the native expression, which the daemon then uses
	target:NFQUEUE) echo kmod-nft-queue kmod-nfnetlink-queue ;;
	*) return 1 ;;
	esac
}

start_pw "wan_interfaces = h-inet" "lan_interfaces = h-lan" \
	"lan_networks = 198.51.100.0/24, 2001:db8:100::/64"
in_host nft --debug=netlink list table inet portwarden >"$TMP/netlink" 2>&1 ||
	fail "nft --debug=netlink: $(tail -3 "$TMP/netlink")"
# "[ name ..." per expression, nested ones (a dynset's limit) included;
# an xtables target by its name
exprs=$(grep -o '\[ [a-z_]*\( name [A-Za-z]*\)\?' "$TMP/netlink" |
	sed 's/^\[ //; s/ name /:/' | sort -u)
[ "$(echo "$exprs" | wc -l)" -ge 8 ] || fail "read too few expressions: $exprs"
for want in fib ct log dynset; do
	echo "$exprs" | grep -qx "$want" || fail "router mode built no $want expression: $exprs"
done
ok "the table uses: $(echo $exprs)"

depends=$(sed -n '/^define Package\/portwarden$/,/^endef/p' "$MK" | tr -d '\\' |
	sed -n '/DEPENDS:=/,/^ *[A-Z_]*:=/p' | grep -o '+kmod-[a-z0-9-]*' | tr -d + | sort -u)
needed=$(for e in $exprs; do
	kmods_of "$e" || fail "expression $e has no OpenWrt kernel package in this test's map"
done | tr ' ' '\n' | sort -u) || exit 1
missing=$(comm -23 <(echo "$needed") <(echo "$depends"))
[ -z "$missing" ] || fail "$MK DEPENDS lacks $(echo $missing)"
ok "DEPENDS has every kernel package the expressions need: $(echo $needed)"
extra=$(comm -13 <(echo "$needed") <(echo "$depends"))
[ -z "$extra" ] || fail "$MK DEPENDS has kernel packages no expression needs: $(echo $extra)"
ok "and no other kernel package"
