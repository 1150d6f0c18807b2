#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer target for SECONDS, starting from its seed corpus
# (tests/fuzz/corpus/NAME).  New inputs go to a scratch copy so the checked-in
# corpus only changes by hand.  FUZZ_JOBS targets run side by side (default:
# one per CPU: each target is one process on one core); a crash fails the
# run once the targets under way have finished, with every crash reported.
set -eu
seconds=$1
shift
jobs=${FUZZ_JOBS:-$(nproc)}

fuzz_one() {	# fuzz_one BIN: 0, or 1 with its log's tail printed
	local bin=$1 name seeds work
	name=$(basename "$bin")
	seeds="tests/fuzz/corpus/${name#fuzz_}"
	work="build/fuzz/corpus-$name"
	mkdir -p "$work"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
	if ! "$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/$name-" "$work" 2>"build/fuzz/$name.log"; then
		tail -40 "build/fuzz/$name.log"
		echo "fuzz: $name FAILED (artifact in build/fuzz/)"
		return 1
	fi
	grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "build/fuzz/$name.log" |
		sed "s/^/fuzz: $name: /"
}

mkdir -p build/fuzz
failed=0
running=0
for bin in "$@"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
	echo "fuzz: $(basename "$bin") for ${seconds}s"
	fuzz_one "$bin" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
[ "$failed" -eq 0 ] || { echo "fuzz: a target failed (see above)"; exit 1; }
echo "fuzz: $# targets, ${seconds}s each, $jobs at a time: no crash"
