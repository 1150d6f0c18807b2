#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# How much of the ports an admin meets the policy database describes:
# entries, and coverage of nmap's most frequently open ports and of the
# system's services file.  Both lists are read where they are installed, at
# run time, and only counted against; nothing of them is kept.
#
#   tests/kb/coverage.sh [--missing] [DB...]     (default rules/ports.db)
#
# --missing also lists each uncovered port of every measure.
set -eu
missing=0
if [ "${1:-}" = --missing ]; then
	missing=1
	shift
fi
[ $# -gt 0 ] || set -- rules/ports.db
NMAP=${NMAP_SERVICES:-/usr/share/nmap/nmap-services}
SERVICES=${SERVICES:-/etc/services}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# every port/proto an entry covers, one a line
awk '
	/^[0-9]/ {
		split($1, a, "/"); n = split(a[1], r, "-"); lo = r[1]; hi = (n > 1) ? r[2] : r[1]
		entries++
		for (p = lo + 0; p <= hi + 0; p++) {
			if (a[2] == "tcp" || a[2] == "both") print p "/tcp"
			if (a[2] == "udp" || a[2] == "both") print p "/udp"
		}
	}
	END { print entries > "/dev/stderr" }
' "$@" 2>"$TMP/entries" | sort -u >"$TMP/covered"

printf 'entries: %s (%s port/protocol pairs)\n' "$(cat "$TMP/entries")" "$(wc -l <"$TMP/covered")"

# measure NAME LISTFILE: share of LISTFILE's port/proto lines covered
measure() {
	total=$(wc -l <"$2")
	have=$(grep -cxFf "$TMP/covered" "$2" || true)
	awk -v n="$1" -v h="$have" -v t="$total" \
		'BEGIN { printf "%-28s %5d of %5d  %5.1f%%\n", n ":", h, t, t ? 100 * h / t : 0 }'
	if [ "$missing" = 1 ]; then
		grep -vxFf "$TMP/covered" "$2" | tr '\n' ' ' | fold -s -w 76 | sed 's/^/    /'
		echo
	fi
}

# nmap-services: NAME PORT/PROTO FREQUENCY ...; most often open first
top() {
	awk -v p="$1" '$0 !~ /^#/ && $2 ~ "/" p "$" { print $3, $2 }' "$NMAP" |
		sort -k1,1gr -k2,2 | head -n "$2" | awk '{ print $2 }' >"$TMP/top"
}
if [ -r "$NMAP" ]; then
	for n in 100 300 1000; do
		top tcp $n
		measure "nmap TCP top-$n" "$TMP/top"
	done
	top udp 100
	measure "nmap UDP top-100" "$TMP/top"
else
	echo "nmap's services list ($NMAP) is not installed: nmap figures skipped"
fi

if [ -r "$SERVICES" ]; then
	awk '$0 !~ /^#/ && $2 ~ /^[0-9]+\/(tcp|udp)$/ { print $2 }' "$SERVICES" | sort -u >"$TMP/netbase"
	measure "netbase tcp/udp ports" "$TMP/netbase"
else
	echo "$SERVICES is not readable: services-file figure skipped"
fi
