#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer target for SECONDS, starting from its seed corpus
# (tests/fuzz/corpus/NAME).  New inputs go to a scratch copy so the checked-in
# corpus only changes by hand.  Fails on the first crash.
set -eu
seconds=$1
shift
for bin in "$@"; do
	name=$(basename "$bin")
	seeds="tests/fuzz/corpus/${name#fuzz_}"
	work="build/fuzz/corpus-$name"
	mkdir -p "$work"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
	echo "fuzz: $name for ${seconds}s"
	"$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/$name-" "$work" 2>"build/fuzz/$name.log" || {
		tail -40 "build/fuzz/$name.log"
		echo "fuzz: $name FAILED (artifact in build/fuzz/)"
		exit 1
	}
	grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "build/fuzz/$name.log" | sed "s/^/fuzz: $name: /"
done
