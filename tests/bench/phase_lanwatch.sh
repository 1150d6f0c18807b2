# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "lanwatch" of `make bench` (sourced by run.sh; a scale phase:
# BENCH_ONLY=lanwatch or scale): the daemon following 2,000 interfaces,
# tests/bench/lanwatch.sh.

. tests/bench/lanwatch.sh

phase_lanwatch() {
	local key

	lanwatch_bench
	for key in "${!R[@]}"; do
		case $key in lanwatch_*) [ "${R[$key]}" = null ] || put "$key" "${R[$key]}" ;; esac
	done
	need lanwatch_links lanwatch_burst1000_cpu_ms lanwatch_churn_changes lanwatch_events
}

bench_phase lanwatch phase_lanwatch lanwatch_report scale
