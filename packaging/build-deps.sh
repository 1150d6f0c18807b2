#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building the Debian package needs and nothing else: the
# packaging tools named on the command line and the Build-Depends of the
# source tree SRC (apt-get build-dep reads its debian/control).  Another
# apt or dpkg at work is waited for (up to ten minutes), not failed on.
# usage: build-deps.sh SRC TOOL...  (SRC an absolute path: apt-get reads a
# relative one as a source package name)
set -eu
src=$1
shift

missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ] && (cd "$src" && dpkg-checkbuilddeps) 2>/dev/null; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "portwarden: the package's build dependencies are missing;" >&2
	echo "portwarden: run as root (sudo make deb) or: sudo apt-get build-dep $src" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
wait_lock="-o DPkg::Lock::Timeout=600"
# the lists' lock is not covered by the dpkg lock timeout: try again
tries=0
until apt-get $wait_lock update -qq; do
	tries=$((tries + 1))
	[ "$tries" -lt 60 ] || exit 1
	echo "apt-get update failed (another apt at work?); again in 10 s" >&2
	sleep 10
done
[ -z "$missing" ] || apt-get $wait_lock install -y -qq --no-install-recommends $missing >/dev/null
apt-get $wait_lock build-dep -y -qq --no-install-recommends "$src" >/dev/null
