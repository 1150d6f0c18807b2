# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "first" of `make bench` (sourced by run.sh): how soon after the
# first packet to a port the kernel holds the decision, counted from the
# packet's arrival (the queue's timestamp), and how many packets of a
# 100k flood to a new port reach the queue before it does.

phase_first() {
	local p q0
	start_pw
	for p in 25 110 993 995 1080 3128 8080 9050 3306 6379 11211 27017 9200 5984 9222 9229 8888 2375 631 5900 3389; do
		in_inet "$TOOLS/probe" tcp "$HOST4" $p 50 >/dev/null
	done
	sleep 0.2
	sed -n 's/.*kernel rule active \([0-9]*\) us.*/\1/p' "$TMP/pw.out" | put_stats first_packet_us
	q0=$(queue_seq)
	in_inet "$TOOLS/flood" "$INET4" "$HOST4" 5432 100000 >/dev/null
	put first_flood_queued $(( $(queue_seq) - q0 ))
	stop_pw
	need first_packet_us
}

report_first() {
	printf '%-44s %14s  %-34s %8s  %s\n' "first packet -> kernel rule, us [middle half]" \
		"${R[first_packet_us]}" "[${R[first_packet_us_q1]}-${R[first_packet_us_q3]}], ${R[first_packet_us_rounds]} ports" "" "< 1000"
	printf '%-44s %14s\n' "  packets of a 100k flood queued" "${R[first_flood_queued]}"
}

bench_phase first phase_first report_first
