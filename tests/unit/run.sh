#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every unit test binary given; prints each test's cmocka summary and a
# total line.  With VALGRIND=1 each binary runs under memcheck; PW_TEST_RUNNER
# (an emulator such as qemu-s390x-static) runs each binary otherwise.
set -u
passed=0
failed=0
for t in "$@"; do
	if [ "${VALGRIND:-0}" = 1 ]; then
		out=$(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite "$t" 2>&1)
	else
		out=$(${PW_TEST_RUNNER:-} "$t" 2>&1)
	fi
	rc=$?
	n_ok=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	n_bad=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	passed=$((passed + ${n_ok:-0}))
	failed=$((failed + ${n_bad:-0}))
	if [ "$rc" -ne 0 ]; then
		[ -n "$n_bad" ] || failed=$((failed + 1))
		printf '%s\n' "$out"
		echo "FAIL: $(basename "$t") (exit $rc)"
	else
		printf '%s\n' "$out" | grep -E '^\[(==========|  PASSED  )\]' | tail -2 | sed "s|^|$(basename "$t"): |"
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
