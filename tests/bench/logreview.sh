#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Figure 7 of `make bench`, sourced by tests/bench/run.sh: reviewing big
# logs, written by genlog.py for the run (never kept), against `grep -c` on
# the same file in the same run: `log --summary` and `report` over 1M
# lines, `log --summary` over 10M lines with 10M distinct sources (each a
# /64 of its own), and `log --since` near the end of the 10M-line file.
# Time is the median of BENCH_LOG_ROUNDS rounds, wall clock and CPU (user
# and system: steadier on a busy machine), memory the largest resident set
# (/usr/bin/time).  GNU grep stops at its first match when its output is
# /dev/null: every output goes to a file.
# Alone: BENCH_ONLY=7 make bench (BENCH_LOG_BIG=0 leaves out the 10M file)

# timed LABEL CMD...: one round's "wall_s cpu_s maxrss_kB"
timed() {
	local out="$TMP/timed.$1"
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$out.t" "$@" >"$out" 2>/dev/null || { echo "bench 7: $* failed" >&2; return 1; }
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$out.t"
}

# rounds LABEL CMD...: median wall and CPU seconds, largest RSS
rounds() {
	local name=$1 r wall=() cpu=() rss=0 w c m
	shift
	for r in $(seq "${BENCH_LOG_ROUNDS:-3}"); do
		read -r w c m < <(timed "$name" "$@") || return 1
		wall+=("$w") cpu+=("$c")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$(printf '%s\n' "${wall[@]}" | median) $(printf '%s\n' "${cpu[@]}" | median) $rss"
}

# compare NAME FILE CMD...: grep -c and CMD, each BENCH_LOG_ROUNDS times;
# sets R[NAME_s], R[NAME_cpu_s], R[NAME_rss_kb], the same of grep, ratios
compare() {
	local name=$1 file=$2 gw gc gm pw pc pm
	shift 2
	read -r gw gc gm < <(rounds "grep-$name" grep -c '"dport"' "$file") || return 1
	read -r pw pc pm < <(rounds "$name" "$@") || return 1
	R[${name}_grep_s]=$gw R[${name}_grep_cpu_s]=$gc
	R[${name}_s]=$pw R[${name}_cpu_s]=$pc R[${name}_rss_kb]=$pm
	R[${name}_ratio]=$(awk -v a="$pw" -v b="$gw" 'BEGIN {printf "%.2f", a / b}')
	R[${name}_cpu_ratio]=$(awk -v a="$pc" -v b="$gc" 'BEGIN {printf "%.2f", a / b}')
}

logreview_bench() {
	local big="$TMP/review-10m.log" one="$TMP/review-1m.log" last
	python3 tests/bench/genlog.py "$one" 1000000 distinct 0.02 || return 1
	cat "$one" >/dev/null	# both read from the page cache
	compare log_summary_1m "$one" "$PW" --config /dev/null --log "$one" log --summary
	compare report_1m "$one" "$PW" --config /dev/null --log "$one" report -o "$TMP/report.html"
	R[log_summary_1m_ms]=$(awk -v s="${R[log_summary_1m_s]}" 'BEGIN {printf "%.0f", s * 1000}')
	rm -f "$one"
	[ "${BENCH_LOG_BIG:-1}" = 1 ] || return 0
	python3 tests/bench/genlog.py "$big" 10000000 distinct 0.002 || return 1
	cat "$big" >/dev/null
	compare log_summary_10m "$big" "$PW" --config /dev/null --log "$big" log --summary
	# the last 1% of the file's time: a binary search, then 100k lines
	last=$(tail -c 300 "$big" | tail -1 | sed 's/.*"ts":"\([^"]*\)".*/\1/')
	R[since_from]=$(python3 -c '
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ") - datetime.timedelta(seconds=200)
print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))' "$last")
	compare log_since_10m "$big" "$PW" --config /dev/null --log "$big" log --summary --since "${R[since_from]}"
	R[log_since_10m_lines]=$("$PW" --config /dev/null --log "$big" --json log --summary --since "${R[since_from]}" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["lines"])')
	rm -f "$big"
}

logreview_row() {	# logreview_row NAME TEXT FLOOR
	printf '  %-34s %6s s %6s s %5s   %6s s %6s s %5s   %7s kB  %s\n' "$2" "${R[$1_s]:-}" \
		"${R[$1_grep_s]:-}" "${R[$1_ratio]:-}" "${R[$1_cpu_s]:-}" "${R[$1_grep_cpu_s]:-}" \
		"${R[$1_cpu_ratio]:-}" "${R[$1_rss_kb]:-}" "$3"
}

logreview_table() {
	echo "7 reviewing logs, median of ${BENCH_LOG_ROUNDS:-3}   wall: portwarden grep -c ratio   CPU: portwarden grep -c ratio   RSS"
	logreview_row log_summary_1m "log --summary, 1M lines, 1M /64s" ""
	logreview_row report_1m "report, 1M lines" "floor < 2 s, < 65536 kB"
	[ -n "${R[log_summary_10m_s]:-}" ] || return 0
	logreview_row log_summary_10m "log --summary, 10M lines, 10M /64s" "floor < 2.0, < 65536 kB"
	logreview_row log_since_10m "--since the last 1% (binary search)" "${R[log_since_10m_lines]} lines"
}
