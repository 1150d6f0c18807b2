#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CI only (it installs a package on the machine it runs on): build the
# Debian package, lintian it, install it with dpkg, check the installed
# configuration and unit, purge it.  Also builds the RPM and checks the
# OpenWrt files that cannot be built here.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build
fail() { echo "FAILED: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

if [ "${CI:-}" != true ] && [ "${PACKAGE_TEST:-}" != yes ]; then
	echo "package.sh installs portwarden on this machine; run it in CI or with PACKAGE_TEST=yes" >&2
	exit 1
fi

make --no-print-directory deb >build/deb.log 2>&1 || { tail -40 build/deb.log; fail "make deb (lintian errors or warnings?)"; }
ok "make deb: built, lintian reports no errors or warnings"
deb=$(ls build/deb/portwarden_*_*.deb | grep -v dbgsym)

dpkg -i "$deb" >build/dpkg-install.log 2>&1 || { cat build/dpkg-install.log; fail "dpkg -i"; }
ok "installed $deb"
grep -q "^portwarden adopt: .* listening service" build/dpkg-install.log ||
	{ cat build/dpkg-install.log; fail "first install did not run adopt where the admin sees it"; }
ok "first install ran adopt and printed its summary"
if [ ! -d /run/systemd/system ]; then
	grep -q "systemd is not running here, so the service was not started" build/dpkg-install.log ||
		fail "no word that nothing runs without systemd"
	ok "without systemd the install says that nothing is enforced yet"
fi
cp /etc/portwarden/local.rules build/local.rules.adopted
dpkg -i "$deb" >build/dpkg-upgrade.log 2>&1 || { cat build/dpkg-upgrade.log; fail "dpkg -i again"; }
grep -q "portwarden adopt" build/dpkg-upgrade.log && fail "an upgrade adopted again"
ok "reinstalling (upgrade path) does not adopt again"
for f in /usr/sbin/portwarden /usr/share/portwarden/ports.db /etc/portwarden/portwarden.conf \
	/etc/portwarden/local.rules /lib/systemd/system/portwarden.service /etc/logrotate.d/portwarden \
	/usr/share/man/man8/portwarden.8.gz /usr/share/man/man5/portwarden.conf.5.gz \
	/usr/share/man/man5/portwarden.rules.5.gz /usr/share/bash-completion/completions/portwarden \
	/usr/share/portwarden/monitoring/portwarden.rules.yml \
	/usr/share/portwarden/monitoring/grafana-dashboard.json; do
	[ -e "$f" ] || fail "$f missing"
done
ok "every file in place"
out=$(/usr/sbin/portwarden check) || fail "portwarden check against the installed paths: $out"
entries=$(grep -c '^[0-9]' rules/ports.db)
case "$out" in *" $entries entries in 2 files"*) ;; *) fail "want the database ($entries entries) and local.rules read: $out" ;; esac
ok "portwarden check with the installed paths: $out"
grep -q '^/etc/portwarden/portwarden.conf$' /var/lib/dpkg/info/portwarden.conffiles || fail "conffiles"
ok "configuration files are conffiles"
grep -q 'local.rules' /var/lib/dpkg/info/portwarden.conffiles && fail "local.rules is a conffile"
cmp -s build/local.rules.adopted /etc/portwarden/local.rules || fail "the upgrade changed local.rules"
ok "local.rules is no conffile (the postinst makes it), and an upgrade leaves it as it was"
systemd-analyze verify /lib/systemd/system/portwarden.service || fail "systemd-analyze verify"
ok "systemd-analyze verify: clean"
score=$(systemd-analyze security --offline=true /lib/systemd/system/portwarden.service 2>&1 |
	sed -n 's/.*Overall exposure level for portwarden.service: \([0-9.]*\).*/\1/p')
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || fail "exposure $score > 1.5"
ok "systemd-analyze security exposure: $score"
bash -n /usr/share/bash-completion/completions/portwarden || fail "bash completion syntax"

# removal without systemd: the daemon is stopped and its table removed,
# in the network namespace of the removal (a throwaway one here)
if [ ! -d /run/systemd/system ]; then
	ip netns add pwpkg
	trap 'ip netns pids pwpkg | xargs -r kill -9; ip netns del pwpkg' EXIT
	ip netns exec pwpkg /usr/sbin/portwarden run >build/pkg-daemon.log 2>&1 &
	# the table itself is waited for, not a line about it
	for i in $(seq 200); do
		ip netns exec pwpkg nft list table inet portwarden >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip netns exec pwpkg nft list table inet portwarden >/dev/null 2>&1 ||
		fail "the daemon did not start: $(tail -5 build/pkg-daemon.log)"
	ip netns exec pwpkg dpkg -r portwarden >build/dpkg-remove.log 2>&1 || { cat build/dpkg-remove.log; fail "dpkg -r"; }
	pidof /usr/sbin/portwarden >/dev/null && fail "the daemon still runs after dpkg -r"
	ip netns exec pwpkg nft list table inet portwarden >/dev/null 2>&1 && fail "table left after dpkg -r"
	grep -q "table inet portwarden removed" build/dpkg-remove.log || fail "the removal did not say so"
	ok "dpkg -r without systemd stops the daemon, removes its table and says so"
fi
dpkg --purge portwarden >build/dpkg-purge.log 2>&1 || { cat build/dpkg-purge.log; fail "dpkg --purge"; }
for f in /usr/sbin/portwarden /etc/portwarden /var/log/portwarden /var/lib/portwarden; do
	[ ! -e "$f" ] || fail "$f left after purge"
done
nft list table inet portwarden >/dev/null 2>&1 && fail "table left after removal"
ok "purged: binary, configuration and logs gone, no table"

make --no-print-directory rpm >build/rpm.log 2>&1 || { tail -40 build/rpm.log; fail "make rpm"; }
rpmfile=$(ls build/rpm/RPMS/*/portwarden-*.rpm)
# installed files, with the distributions' spelling differences taken out
norm() {
	sed -e 's|^/usr/lib/systemd|/lib/systemd|' -e 's|\.gz$||' |
		grep -v '^/usr/share/doc\|^/usr/share/licenses\|^/usr/lib/.build-id' | sort
}
rpm -qlvp "$rpmfile" 2>/dev/null | awk '$1 ~ /^-/ {print $NF}' | norm >build/rpm.files
dpkg -c "$deb" | awk '$1 ~ /^-/ {sub(/^\./, "", $6); print $6}' | norm >build/deb.files
diff build/rpm.files build/deb.files || fail "RPM and Debian file lists differ"
ok "make rpm: $rpmfile, same files as the Debian package"
# rpmlint: no errors (intended findings are filtered in portwarden.rpmlintrc,
# each with its reason); the warnings left come from building on Debian,
# whose rpm does not compress man pages or strip binaries
rpmlint -r packaging/rpm/portwarden.rpmlintrc packaging/rpm/portwarden.spec "$rpmfile" \
	>build/rpmlint.log 2>&1 || true
grep -q " 0 errors" build/rpmlint.log || { cat build/rpmlint.log; fail "rpmlint errors"; }
ok "rpmlint: $(tail -1 build/rpmlint.log)"

sh -n packaging/openwrt/files/portwarden.init || fail "OpenWrt init script syntax"
ok "OpenWrt init script passes sh -n"
# the OpenWrt package installs the Debian list, with procd and UCI files
# in place of the systemd unit and user, logrotate and portwarden.conf, and
# no man pages, shell completion or monitoring files (a router's flash is
# small, and its fleet's Prometheus and Grafana run elsewhere)
sed -n 's#^\t\$(INSTALL_\(BIN\|DATA\|CONF\)) [^ ]* \$(1)\(/.*\)$#\2#p' packaging/openwrt/Makefile | sort >build/openwrt.files
grep -v '^/lib/systemd\|^/usr/lib/sysusers.d\|^/etc/logrotate.d\|^/usr/share/man\|^/usr/share/bash-completion\|^/etc/portwarden/portwarden.conf\|^/usr/share/portwarden/local.rules\|^/usr/share/portwarden/monitoring' \
	build/deb.files >build/deb-common.files
# Debian makes local.rules from the template in its postinst; OpenWrt
# ships it, as a conffile of its own kind
printf '%s\n' /etc/capabilities/portwarden.json /etc/config/portwarden /etc/init.d/portwarden \
	/etc/portwarden/local.rules |
	cat - build/deb-common.files | sort | diff build/openwrt.files - || fail "OpenWrt file list differs"
ok "OpenWrt package installs the Debian program and database (procd and UCI instead of systemd and logrotate)"
for f in $(sed -n '/^define Package\/portwarden\/conffiles/,/^endef/p' packaging/openwrt/Makefile | grep '^/'); do
	grep -qx "$f" build/openwrt.files || fail "OpenWrt conffile $f is not installed"
done
ok "every OpenWrt conffile is installed"
grep -q 'PKG_HASH:=skip\|kmod-nft-log\|kmod-nft-compat' packaging/openwrt/Makefile && fail "OpenWrt Makefile: skipped hash or undefined dependency"
ok "OpenWrt dependencies exist, no skipped hash"
