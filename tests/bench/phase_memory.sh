# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "memory" of `make bench` (sourced by run.sh): the daemon's resident
# memory with the full database, after start-up and after a first decision
# (the thread beside the worker has run by then), over three starts.

phase_memory() {
	local r rss=()
	for r in 1 2 3; do
		start_pw
		expect_probe "$NS_INET" tcp "$HOST4" 5432 silent >/dev/null
		sleep 0.3
		rss+=("$(awk '/^VmRSS/ {print $2}' /proc/"$PW_PID"/status)")
		stop_pw
	done
	printf '%s\n' "${rss[@]}" | put_stats rss_kb
	need rss_kb
}

report_memory() {
	printf '%-44s %14s  %-34s %8s  %s\n' "resident memory, full database, kB" "${R[rss_kb]}" \
		"[${R[rss_kb_q1]}-${R[rss_kb_q3]}]" "" "<= 4096"
}

bench_phase memory phase_memory report_memory
