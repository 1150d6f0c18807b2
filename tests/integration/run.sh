#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every tests/integration/test_*.sh (or those named in TESTS), each in
# its own process.  Exit 77 from a test means "skipped"; skips are loud, and
# under CI they count as failures because CI runs as root.
set -u
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
# the system's tools first: the tests need Debian's python3 (and a shim of
# a per-user Python manager in front of it costs a fraction of a second per
# call, hundreds of times)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
passed=0 failed=0 skipped=0
tests=${TESTS:-$(ls tests/integration/test_*.sh)}
for t in $tests; do
	name=$(basename "$t" .sh)
	log="$BUILD/integration/$name.log"
	mkdir -p "$BUILD/integration"
	start=$(date +%s)
	bash "$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)  passed=$((passed + 1)); echo "PASS: $name (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP: $name: $(tail -1 "$log")" ;;
	*)  failed=$((failed + 1)); echo "FAIL: $name (exit $rc, ${secs}s)"; sed 's/^/    /' "$log" | tail -60 ;;
	esac
done
if [ "$skipped" -gt 0 ]; then
	echo "integration: $skipped test(s) SKIPPED (see the reason above); most need root: sudo make check"
	[ "${CI:-}" = true ] && failed=$((failed + skipped))
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
