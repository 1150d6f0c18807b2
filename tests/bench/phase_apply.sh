# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "apply" of `make bench` (sourced by run.sh): start-up to ready, and
# the ruleset transaction against nft -f of the same ruleset as text.

phase_apply() {
	local r t0 t1 ready=() tx=() text=()
	for r in $(seq "${BENCH_APPLY_ROUNDS:-5}"); do
		t0=$(date +%s%N)
		start_pw
		t1=$(date +%s%N)
		ready+=($(( (t1 - t0) / 1000 )))
		tx+=("$(sed -n 's/.*installed in \([0-9]*\) us.*/\1/p' "$TMP/pw.out")")
		pw_table_text pwtext >"$TMP/ruleset.nft"
		stop_pw
		t0=$(date +%s%N)
		in_host nft -f "$TMP/ruleset.nft" || { echo "nft -f failed" >&2; continue; }
		t1=$(date +%s%N)
		text+=($(( (t1 - t0) / 1000 )))
		in_host nft delete table inet pwtext
	done
	printf '%s\n' "${ready[@]}" | put_stats apply_ready_us
	printf '%s\n' "${tx[@]}" | grep . | put_stats apply_tx_us
	printf '%s\n' "${text[@]}" | grep . | put_stats apply_nft_f_us
	need apply_ready_us apply_tx_us
}

report_apply() {
	printf '%-44s %14s  %-34s\n' "start-up to ready, us [middle half]" "${R[apply_ready_us]}" \
		"[${R[apply_ready_us_q1]}-${R[apply_ready_us_q3]}]"
	printf '%-44s %14s  %-34s\n' "  ruleset transaction, us" "${R[apply_tx_us]}" "${R[apply_nft_f_us]:-?} (nft -f of the same, as text)"
}

bench_phase apply phase_apply report_apply
