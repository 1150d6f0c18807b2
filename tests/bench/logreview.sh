#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Figure 7 of `make bench`, sourced by tests/bench/run.sh: reviewing big
# logs, written by genlog.py for the run (never kept), against `grep -c` on
# the same file in the same run: `log --summary` and `report` over 1M
# lines, `log --summary` over 10M lines with 10M distinct sources (each a
# /64 of its own), and `log --since` near the end of the 10M-line file.
# Time is the median of BENCH_LOG_ROUNDS rounds (wall clock), memory the
# largest resident set (/usr/bin/time).
# Alone: BENCH_ONLY=7 make bench (BENCH_LOG_BIG=0 leaves out the 10M file)

# timed LABEL CMD...: one round's "seconds maxrss_kB" into R_TIMED
timed() {
	local out="$TMP/timed.$1"
	shift
	/usr/bin/time -f '%e %M' -o "$out.t" "$@" >"$out" 2>/dev/null || { echo "bench 7: $* failed" >&2; return 1; }
	cat "$out.t"
}

# rounds FILE LABEL CMD...: median seconds and largest RSS over the rounds
rounds() {
	local name=$1 r secs=() rss=0 line
	shift
	for r in $(seq "${BENCH_LOG_ROUNDS:-3}"); do
		line=$(timed "$name" "$@") || return 1
		secs+=("${line% *}")
		[ "${line#* }" -gt "$rss" ] && rss=${line#* }
	done
	echo "$(printf '%s\n' "${secs[@]}" | median) $rss"
}

# compare NAME FILE CMD...: grep -c and CMD in turn, each rounds times;
# sets R[NAME_s], R[NAME_rss_kb], R[NAME_grep_s], R[NAME_ratio]
compare() {
	local name=$1 file=$2 g p
	shift 2
	g=$(rounds "grep-$name" grep -c '"dport"' "$file") || return 1
	p=$(rounds "$name" "$@") || return 1
	R[${name}_grep_s]=${g% *}
	R[${name}_s]=${p% *}
	R[${name}_rss_kb]=${p#* }
	R[${name}_ratio]=$(awk -v a="${p% *}" -v b="${g% *}" 'BEGIN {printf "%.2f", a / b}')
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

logreview_table() {
	cat <<TABLE
7 reviewing logs (median of ${BENCH_LOG_ROUNDS:-3}, wall s)  portwarden   grep -c   ratio   floor
  log --summary, 1M lines             ${R[log_summary_1m_s]} s  ${R[log_summary_1m_grep_s]} s  ${R[log_summary_1m_ratio]}   RSS ${R[log_summary_1m_rss_kb]} kB
  report, 1M lines                    ${R[report_1m_s]} s  ${R[report_1m_grep_s]} s  ${R[report_1m_ratio]}   < 2 s, RSS ${R[report_1m_rss_kb]} kB (< 65536)
  log --summary, 10M lines, 10M /64s  ${R[log_summary_10m_s]:-} s  ${R[log_summary_10m_grep_s]:-} s  ${R[log_summary_10m_ratio]:-}   < 2.0, RSS ${R[log_summary_10m_rss_kb]:-} kB (< 65536)
  log --summary --since, last 1%      ${R[log_since_10m_s]:-} s  ${R[log_since_10m_grep_s]:-} s  ${R[log_since_10m_ratio]:-}   (${R[log_since_10m_lines]:-} lines after a binary search)
TABLE
}
