#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every tests/integration/test_*.sh (or those named in TESTS), each in
# its own process, JOBS of them at a time (-j N or JOBS=N; default the CPU
# count plus two: most of a scenario's time is spent waiting on packets and
# daemons, not on a CPU).  A scenario with a line "# exclusive" runs alone,
# after the others.  The longest scenarios of the last run start first.
# Exit 77 from a test means "skipped"; skips are loud, and under CI they
# count as failures because CI runs as root.
set -u
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
# the system's tools first: the tests need Debian's python3 (and a shim of
# a per-user Python manager in front of it costs a fraction of a second per
# call, hundreds of times)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
JOBS=${JOBS:-$(($(nproc) + 2))}
while getopts j: opt; do
	case $opt in
	j) JOBS=$OPTARG ;;
	*) echo "usage: run.sh [-j JOBS]" >&2; exit 2 ;;
	esac
done
[ "$JOBS" -ge 1 ] 2>/dev/null || { echo "run.sh: JOBS must be a positive number" >&2; exit 2; }
LOGS="$BUILD/integration"
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0

# longest_first TEST...: the tests ordered by their duration in the last
# run (unknown ones first), so the slowest do not start last
longest_first() {
	local t secs
	for t in "$@"; do
		secs=$(cat "$LOGS/$(basename "$t" .sh).secs" 2>/dev/null || echo 9999)
		echo "$secs $t"
	done | sort -rn -k1,1 | cut -d' ' -f2
}

report() {	# report NAME: one line from the test's exit status, its log on failure
	local name=$1 rc secs cpu
	rc=$(cat "$LOGS/$name.rc")
	secs=$(cat "$LOGS/$name.secs")
	cpu=$(cat "$LOGS/$name.cpu")
	case $rc in
	0)  passed=$((passed + 1)); echo "PASS: $name (${secs}s, ${cpu}s CPU)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP: $name: $(tail -1 "$LOGS/$name.log")" ;;
	*)  failed=$((failed + 1)); echo "FAIL: $name (exit $rc, ${secs}s)"
	    sed 's/^/    /' "$LOGS/$name.log" | tail -60 ;;
	esac
}

run_one() {	# run_one TEST: writes LOGS/NAME.{log,rc,secs}
	local name start rc
	name=$(basename "$1" .sh)
	start=$(date +%s)
	bash "$1" >"$LOGS/$name.log" 2>&1
	rc=$?
	echo $(($(date +%s) - start)) >"$LOGS/$name.secs"
	# the CPU time of the test and what it waited for (the second line of
	# `times`: children user and system; a redirection, not a pipe, whose
	# subshell would have no children): what one scenario costs the others
	times >"$LOGS/$name.times"
	awk 'NR == 2 { gsub(/[ms]/, " "); printf "%.1f\n", $1 * 60 + $2 + $3 * 60 + $4 }' \
		"$LOGS/$name.times" >"$LOGS/$name.cpu"
	echo "$rc" >"$LOGS/$name.rc"
}

declare -A running=()
# reap: waits for one running test and reports it
reap() {
	local pid
	wait -n -p pid "${!running[@]}"
	report "${running[$pid]}"
	unset "running[$pid]"
}

tests=${TESTS:-$(ls tests/integration/test_*.sh)}
# shellcheck disable=SC2086
tests=$(longest_first $tests)
shared=() alone=()
for t in $tests; do
	if grep -qx '# exclusive' "$t"; then alone+=("$t"); else shared+=("$t"); fi
done
start=$(date +%s)
for t in "${shared[@]}"; do
	[ "${#running[@]}" -lt "$JOBS" ] || reap
	run_one "$t" &
	running[$!]=$(basename "$t" .sh)
done
while [ "${#running[@]}" -gt 0 ]; do reap; done
for t in "${alone[@]}"; do
	run_one "$t"
	report "$(basename "$t" .sh)"
done
if [ "$skipped" -gt 0 ]; then
	echo "integration: $skipped test(s) SKIPPED (see the reason above); most need root: sudo make check"
	[ "${CI:-}" = true ] && failed=$((failed + skipped))
fi
echo "integration: $passed passed, $failed failed, $skipped skipped ($(($(date +%s) - start))s, $JOBS at a time)"
[ "$failed" -eq 0 ]
