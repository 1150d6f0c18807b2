# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "iperf" of `make bench` (sourced by run.sh): allowed traffic, iperf3
# to an open port, with and without portwarden's table.  One long iperf3
# run in half-second intervals while the table (as pw_table_copy reads it
# back) is loaded and removed every 2 s.  Each phase with the table is
# compared with the phases without it on either side; intervals near a
# switch are left out.  The median of those ratios is the figure: a single
# stream on this shared machine swings between runs by 10-20%, and taking
# turns cancels that.

phase_iperf() {
	local secs=${BENCH_IPERF_SECS:-80} t0 k iperf
	pw_table_copy
	ip netns exec "$NS_HOST" iperf3 -s -p 5201 >"$TMP/iperf-server.log" 2>&1 &
	defer "kill $!"
	wait_listening "$NS_HOST" tcp 5201
	t0=$(now_ns)
	in_inet iperf3 -c "$HOST4" -p 5201 -t "$secs" -i 0.5 -J >"$TMP/iperf.json" &
	iperf=$!
	: >"$TMP/switches"
	for k in $(seq $((secs / 2 - 1))); do
		sleep 2
		if [ $((k % 2)) = 1 ]; then in_host nft -f "$TMP/pw-table.nft"; echo "$(now_ns) 1" >>"$TMP/switches"
		else in_host nft delete table inet bench; echo "$(now_ns) 0" >>"$TMP/switches"; fi
	done
	wait "$iperf" || { echo "iperf3 failed: $(head -c 300 "$TMP/iperf.json")" >&2; return 1; }
	in_host nft delete table inet bench 2>/dev/null || true
	python3 - "$TMP/iperf.json" "$TMP/switches" "$t0" >>"$TMP/figures" <<'PY'
import json, statistics, sys
t0 = int(sys.argv[3]) / 1e9
switches = [(int(t) / 1e9 - t0, int(s)) for t, s in (l.split() for l in open(sys.argv[2]))]
edges = [(0.0, 0)] + switches + [(1e12, None)]
phases = [(edges[i][0], edges[i + 1][0], edges[i][1], []) for i in range(len(edges) - 1)]
for iv in json.load(open(sys.argv[1])).get("intervals", []):
    a, b = iv["sum"]["start"], iv["sum"]["end"]
    for start, end, state, rates in phases:
        if start + 0.15 < a and b < end - 0.15:
            rates.append(iv["sum"]["bits_per_second"])
ratios = []
for i in range(1, len(phases) - 1):
    on, before, after = phases[i][3], phases[i - 1][3], phases[i + 1][3]
    if phases[i][2] == 1 and on and before and after:
        ratios.append(statistics.mean(on) / statistics.mean(before + after))
ratios.sort()
off = [v for p in phases if p[2] == 0 for v in p[3]]
on = [v for p in phases if p[2] == 1 for v in p[3]]
if ratios and off and on:
    q = lambda f: ratios[min(len(ratios) - 1, int(f * len(ratios)))]
    print("iperf_without_bps", int(statistics.median(off)))
    print("iperf_with_bps", int(statistics.median(on)))
    print("iperf_ratio %.4f" % statistics.median(ratios))
    print("iperf_ratio_q1 %.4f" % q(0.25))
    print("iperf_ratio_q3 %.4f" % q(0.75))
    print("iperf_ratio_rounds", len(ratios))
PY
	grep -q '^iperf_ratio ' "$TMP/figures" ||
		echo "iperf: no ratio: $(grep -c '"bits_per_second"' "$TMP/iperf.json") samples," \
			"$(wc -l <"$TMP/switches") switches, $(grep -m1 '"error"' "$TMP/iperf.json")" >&2
	need iperf_without_bps iperf_with_bps iperf_ratio
}

report_iperf() {
	printf '%-44s %14s  %-34s %8s  %s\n' "iperf3 to an open port, bit/s" "${R[iperf_with_bps]}" \
		"${R[iperf_without_bps]} (no table)" "${R[iperf_ratio]}" ">= 0.97"
	printf '%-44s %14s  %-34s\n' "  (table on and off every 2 s; middle half)" "" \
		"[${R[iperf_ratio_q1]}-${R[iperf_ratio_q3]}], ${R[iperf_ratio_rounds]} phases"
}

bench_phase iperf phase_iperf report_iperf
