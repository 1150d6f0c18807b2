# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "queued" of `make bench` (sourced by run.sh): the queued path's
# CPU per verdict in monitor mode against a minimal NFQUEUE loop, the same
# with TCP answering each accepted SYN, and user-space instructions per
# verdict under callgrind.
#
# Each accepted SYN goes on into the kernel after its verdict, inside the
# verdict's system call: TCP answers it (a reset, sent to the peer and
# processed there too).  That is TCP's work, the same for any queue reader,
# so the main figure ends the accepted SYNs at a drop rule right behind
# portwarden's chain; the figure with TCP answering is printed as well.

QUEUED_N=${BENCH_QUEUED:-200000}
QUEUED_ROUNDS=${BENCH_QUEUED_ROUNDS:-3}

# queued_run PID: "ns-per-verdict user-ns-per-verdict verdicts lost"
queued_run() {
	local q0 q1 c0 c1 u0 u1 full0 full1 sock0 sock1
	q0=$(queue_seq) c0=$(cpu_ticks "$1") u0=$(user_ticks "$1")
	read -r full0 sock0 < <(queue_drops)
	in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$QUEUED_N" >/dev/null
	sleep 0.5
	q1=$(queue_seq) c1=$(cpu_ticks "$1") u1=$(user_ticks "$1")
	read -r full1 sock1 < <(queue_drops)
	awk -v t=$((c1 - c0)) -v u=$((u1 - u0)) -v hz="$hz" -v n=$((q1 - q0 - sock1 + sock0)) \
		-v d=$((full1 - full0 + sock1 - sock0)) \
		'BEGIN {if (n > 0) printf "%.0f %.0f %d %d\n", 1e9 * t / hz / n, 1e9 * u / hz / n, n, d}'
}
# pw_naive_pair: one round of the worker, then the naive loop on the same
# table (kill -9 leaves it, fail closed); both results on one line
pw_naive_pair() {
	local pwres nres npid i
	start_pw "mode = monitor"
	pwres=$(queued_run "$PW_PID")
	kill -9 "$PW_PID"
	wait "$PW_PID" 2>/dev/null
	ip netns exec "$NS_HOST" "$NAIVE" 0 >"$TMP/naive.out" &
	npid=$!
	defer "kill -9 $npid"
	for i in $(seq 50); do grep -q ready "$TMP/naive.out" && break; sleep 0.1; done
	nres=$(queued_run "$npid")
	kill "$npid"
	wait "$npid" 2>/dev/null
	in_host "$PW" flush >/dev/null
	[ -n "$pwres" ] && [ -n "$nres" ] && echo "$pwres $nres"
}
# queued_figures PREFIX: QUEUED_ROUNDS pairs, medians and the median ratio
queued_figures() {
	local r rows=()
	for r in $(seq "$QUEUED_ROUNDS"); do rows+=("$(pw_naive_pair)"); done
	col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" 'NF {print $c}'; }
	col 1 | put_stats "${1}_pw_ns_per_verdict"
	col 2 | put_stats "${1}_pw_user_ns_per_verdict"
	put "${1}_pw_verdicts" "$(col 3 | awk '{s += $1} END {print s + 0}')"
	put "${1}_pw_queue_drops" "$(col 4 | awk '{s += $1} END {print s + 0}')"
	col 5 | put_stats "${1}_naive_ns_per_verdict"
	col 6 | put_stats "${1}_naive_user_ns_per_verdict"
	put "${1}_naive_verdicts" "$(col 7 | awk '{s += $1} END {print s + 0}')"
	put "${1}_naive_queue_drops" "$(col 8 | awk '{s += $1} END {print s + 0}')"
	printf '%s\n' "${rows[@]}" | awk 'NF && $5 {printf "%.4f\n", $1 / $5}' | put_stats "${1}_ratio"
	need "${1}_pw_ns_per_verdict" "${1}_naive_ns_per_verdict" "${1}_ratio"
}

# callgrind_ir OUTFILE: total instructions of a finished run
callgrind_ir() { awk '/^summary:/ {print $2}' "$1"; }

phase_queued() {
	local mode cg="valgrind --tool=callgrind --callgrind-out-file" cgn=${BENCH_CALLGRIND:-20000} npid i
	in_host nft -f - <<'NFT'
table inet behind {
	chain input {
		type filter hook input priority 0; tcp dport 9200 drop
	}
}
NFT
	queued_figures queued
	in_host nft delete table inet behind
	queued_figures queued_tcp
	start_pw "mode = monitor"
	put queued_pw_rss_kb "$(awk '/^VmRSS/ {print $2}' /proc/"$PW_PID"/status)"
	stop_pw

	# callgrind: Ir of a whole run with N packets minus Ir of a run with
	# none, over the verdicts the run actually gave
	for mode in idle load; do
		PW_WRAP="$cg=$TMP/cg-pw-$mode.out" start_pw "mode = monitor"
		[ $mode = load ] && in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$cgn" >/dev/null
		sleep 1
		stop_pw
		[ $mode = load ] && put cg_pw_verdicts "$(sed -n 's/.*stopped: \([0-9]*\) packets queued.*/\1/p' "$TMP/pw.out")"
	done
	start_pw "mode = monitor"
	kill -9 "$PW_PID"
	wait "$PW_PID" 2>/dev/null
	for mode in idle load; do
		ip netns exec "$NS_HOST" $cg="$TMP/cg-naive-$mode.out" "$NAIVE" 0 >"$TMP/naive-$mode.out" 2>/dev/null &
		npid=$!
		for i in $(seq 100); do grep -q ready "$TMP/naive-$mode.out" && break; sleep 0.1; done
		[ $mode = load ] && in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$cgn" >/dev/null
		sleep 1
		kill "$npid"
		wait "$npid" 2>/dev/null
	done
	in_host "$PW" flush >/dev/null
	local pwv nv
	nv=$(tail -1 "$TMP/naive-load.out")
	pwv=$(awk '$1 == "cg_pw_verdicts" {print $2}' "$TMP/figures")
	put cg_naive_verdicts "$nv"
	put cg_pw_ir_per_verdict "$(awk -v a="$(callgrind_ir "$TMP/cg-pw-load.out")" -v b="$(callgrind_ir "$TMP/cg-pw-idle.out")" \
		-v n="$pwv" 'BEGIN {if (n > 0) printf "%.0f", (a - b) / n}')"
	put cg_naive_ir_per_verdict "$(awk -v a="$(callgrind_ir "$TMP/cg-naive-load.out")" -v b="$(callgrind_ir "$TMP/cg-naive-idle.out")" \
		-v n="$nv" 'BEGIN {if (n > 0) printf "%.0f", (a - b) / n}')"
	need cg_pw_ir_per_verdict cg_naive_ir_per_verdict
}

report_queued() {
	printf '%-44s %14s  %-34s %8s  %s\n' "queued path (monitor), ns CPU per verdict" "${R[queued_pw_ns_per_verdict]}" \
		"${R[queued_naive_ns_per_verdict]} (naive loop)" "${R[queued_ratio]}" "<= 0.5"
	printf '%-44s %14s  %-34s\n' "  of which in user space" "${R[queued_pw_user_ns_per_verdict]}" "${R[queued_naive_user_ns_per_verdict]}"
	printf '%-44s %14s  %-34s\n' "  ratio's middle half over ${R[queued_ratio_rounds]} rounds" "" "[${R[queued_ratio_q1]}-${R[queued_ratio_q3]}]"
	printf '%-44s %14s  %-34s\n' "  verdicts; lost to a full queue" "${R[queued_pw_verdicts]}; ${R[queued_pw_queue_drops]}" \
		"${R[queued_naive_verdicts]}; ${R[queued_naive_queue_drops]}"
	printf '%-44s %14s  %-34s %8s\n' "  the same with TCP answering each SYN" "${R[queued_tcp_pw_ns_per_verdict]}" \
		"${R[queued_tcp_naive_ns_per_verdict]}" "${R[queued_tcp_ratio]}"
	awk -v a="${R[cg_pw_ir_per_verdict]}" -v b="${R[cg_naive_ir_per_verdict]}" 'BEGIN {if (b) printf "%-44s %14s  %-34s %8.3f\n",
		"  callgrind instructions per verdict (user)", a, b, a / b}'
	printf '%-44s %14s\n' "  daemon RSS after, kB" "${R[queued_pw_rss_kb]}"
}

bench_phase queued phase_queued report_queued
