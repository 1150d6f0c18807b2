#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages that building, testing and the demo need,
# when any is missing.  Shared by `make check`, `make demo` and CI; extra
# package names on the command line are installed too (CI's packaging tools).
set -eu

PACKAGES="build-essential pkg-config clang libnftnl-dev libmnl-dev
libnetfilter-queue-dev libcmocka-dev zlib1g-dev nftables iproute2 socat netcat-openbsd
nmap curl dovecot-imapd valgrind cppcheck procps dnsmasq-base busybox $*"

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
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
