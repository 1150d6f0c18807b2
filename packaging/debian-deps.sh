#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages that building, testing and the demo need,
# when any is missing.  Shared by `make check`, `make demo` and CI; extra
# package names on the command line are installed too (CI's packaging tools).
set -eu

PACKAGES="build-essential pkg-config clang libnftnl-dev libmnl-dev
libnetfilter-queue-dev libsystemd-dev libcmocka-dev zlib1g-dev nftables iproute2 socat netcat-openbsd
nmap curl dovecot-imapd dovecot-pop3d postfix nodejs openssl util-linux iptables redis-server
dnsmasq-base busybox valgrind cppcheck procps python3-scapy conntrack bash-completion
chromium prometheus python3-jsonschema libxml2-utils $*"
# rsyslog checks the log pipeline's example; it takes the place of another
# syslog daemon, so it is left out where one is installed (the test that
# needs it then says so and is skipped)
for other in syslog-ng-core busybox-syslogd inetutils-syslogd sysklogd; do
	dpkg-query -W -f='${Status}' "$other" 2>/dev/null | grep -q 'ok installed' && break
	other=
done
[ -n "$other" ] || PACKAGES="$PACKAGES rsyslog"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "portwarden: missing Debian packages:$missing" >&2
	echo "portwarden: run as root (sudo make ...) or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# the tests start their own daemons (postfix, dovecot, redis) inside
# network namespaces: none may start on the host at install time
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# another apt or dpkg at work is waited for, not failed on
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
