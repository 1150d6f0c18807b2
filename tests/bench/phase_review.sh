# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "review" of `make bench` (sourced by run.sh): `log --summary` and
# `report` over big logs written by genlog.py for the run, each beside
# `grep -c` on the same file (tests/bench/logreview.sh).
# BENCH_ONLY=review runs it alone; BENCH_LOG_BIG=0 leaves out the 10M file.

. tests/bench/logreview.sh

phase_review() {
	local k
	R=()	# this subshell's figures only
	logreview_bench || return 1
	for k in "${!R[@]}"; do put "$k" "${R[$k]}"; done
	need log_summary_1m_s log_summary_1m_grep_s log_summary_1m_ratio \
		report_1m_s report_1m_grep_s report_1m_ratio
	[ "${BENCH_LOG_BIG:-1}" = 1 ] || return 0
	need log_summary_10m_s log_summary_10m_grep_s log_summary_10m_ratio \
		log_since_10m_s log_since_10m_lines
}

report_review() { logreview_table; }

bench_phase review phase_review report_review
