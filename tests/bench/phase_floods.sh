# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "floods" of `make bench` (sourced by run.sh): SYN and ACK floods to
# a decided port, from one source and from random sources (IPv4 from the
# three documentation /24s, IPv6 from 2001:db8::/32: every packet a new
# source).  First the running daemon: how many flood packets reach its
# queue and what CPU it spends.  Then the kernel's part: one long flood
# per kind while tables take turns for FLOOD_PHASE seconds each (a
# one-rule drop in the input hook, the same rule in the prerouting hook,
# portwarden's table, a one-rule drop in netdev ingress): short turns
# cancel the machine's drift; each figure is the median of the rounds.

FLOOD_ROUNDS=${BENCH_PAIRS:-15}
FLOOD_PHASE=${BENCH_PHASE:-0.3}
FLOOD_KINDS=${BENCH_FLOOD_KINDS:-"syn ack syn_rand4 ack_rand4 syn_rand6 ack_rand6"}

# flood_cmd KIND COUNT: the flooder of KIND, in the internet namespace
flood_cmd() {
	case $1 in
	syn) echo "$TOOLS/flood $INET4 $HOST4 143 $2" ;;
	ack) echo "$TOOLS/flood $INET4 $HOST4 143 $2 ack" ;;
	syn_rand4) echo "$TOOLS/randflood $HOST4 143 $2" ;;
	ack_rand4) echo "$TOOLS/randflood $HOST4 143 $2 ack" ;;
	syn_rand6) echo "$TOOLS/randflood $HOST6 143 $2" ;;
	ack_rand6) echo "$TOOLS/randflood $HOST6 143 $2 ack" ;;
	esac
}

one_rule_table() {	# one_rule_table NAME HOOK PRIORITY
	local family=inet hook="hook $2"
	[ "$2" = ingress ] && family=netdev hook='hook ingress device "h-inet"'
	in_host nft -f - <<NFT
table $family $1 {
	chain c {
		type filter $hook priority $3; tcp dport 143 counter drop
	}
}
NFT
}
netdev_drops() { in_host nft list table netdev ingress1 | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }

flood_kind() {	# flood_kind KIND: rounds of the tables in turn under one flood
	local kind=$1 r b w p g flooder
	local base=() pre=() pw=() ing=() r_in=() r_pre=() r_ing=()
	ip netns exec "$NS_INET" $(flood_cmd "$kind" 4000000000) >/dev/null &
	flooder=$!
	defer "kill $flooder"
	sleep 0.3
	for r in $(seq "$FLOOD_ROUNDS"); do
		one_rule_table input1 input -10
		b=$(phase_pps "table_drops input1" "$FLOOD_PHASE")
		in_host nft delete table inet input1
		one_rule_table pre1 prerouting -300
		w=$(phase_pps "table_drops pre1" "$FLOOD_PHASE")
		in_host nft delete table inet pre1
		in_host nft -f "$TMP/pw-table.nft"
		p=$(phase_pps "table_drops bench" "$FLOOD_PHASE")
		in_host nft delete table inet bench
		one_rule_table ingress1 ingress -500
		g=$(phase_pps netdev_drops "$FLOOD_PHASE")
		in_host nft delete table netdev ingress1
		base+=("$b") pre+=("$w") pw+=("$p") ing+=("$g")
		r_in+=("$(awk -v a="$p" -v b="$b" 'BEGIN {if (b) printf "%.4f", a / b}')")
		r_pre+=("$(awk -v a="$p" -v b="$w" 'BEGIN {if (b) printf "%.4f", a / b}')")
		r_ing+=("$(awk -v a="$g" -v b="$w" 'BEGIN {if (b) printf "%.4f", a / b}')")
	done
	kill "$flooder"
	wait "$flooder" 2>/dev/null
	printf '%s\n' "${base[@]}" | put_stats "flood_${kind}_input_pps"
	printf '%s\n' "${pre[@]}" | put_stats "flood_${kind}_pre_pps"
	printf '%s\n' "${pw[@]}" | put_stats "flood_${kind}_pw_pps"
	printf '%s\n' "${ing[@]}" | put_stats "flood_${kind}_ingress_pps"
	printf '%s\n' "${r_in[@]}" | grep . | put_stats "flood_${kind}_ratio_input"
	printf '%s\n' "${r_pre[@]}" | grep . | put_stats "flood_${kind}_ratio_pre"
	printf '%s\n' "${r_ing[@]}" | grep . | put_stats "flood_${kind}_ratio_ingress_pre"
	need "flood_${kind}_input_pps" "flood_${kind}_pre_pps" "flood_${kind}_pw_pps" \
		"flood_${kind}_ingress_pps" "flood_${kind}_ratio_input"
}

phase_floods() {
	local q0 q1 c0 c1 f0 f1 kind
	start_pw
	expect_probe "$NS_INET" tcp "$HOST4" 143 silent >/dev/null
	expect_probe "$NS_INET" tcp "$HOST6" 143 silent >/dev/null
	q0=$(queue_seq) c0=$(cpu_ticks "$PW_PID") f0=$(pw_counter)
	in_inet $(flood_cmd syn "${BENCH_STEADY_FLOOD:-1000000}") >/dev/null
	c1=$(cpu_ticks "$PW_PID")
	put steady_daemon_cpu_ms "$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')"
	# random sources: each new source's first attempt is logged, and
	# IPv6 sources each of a /64 of their own are all new
	in_inet $(flood_cmd syn_rand4 200000) >/dev/null
	c0=$(cpu_ticks "$PW_PID")
	put steady_rand4_daemon_cpu_ms "$(awk -v t=$((c0 - c1)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')"
	in_inet $(flood_cmd syn_rand6 200000) >/dev/null
	c1=$(cpu_ticks "$PW_PID")
	put steady_rand6_daemon_cpu_ms "$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')"
	q1=$(queue_seq) f1=$(pw_counter)
	put steady_flood_packets $((f1 - f0))
	put steady_queued $((q1 - q0))
	need steady_flood_packets
	pw_table_text bench | sed -e '/expires/d' >"$TMP/pw-table.nft"
	stop_pw
	in_host "$PW" flush >/dev/null
	for kind in $FLOOD_KINDS; do
		echo "   $kind"
		flood_kind "$kind"
	done
}

report_floods() {
	local kind hook key
	echo "floods to a decided port, packets/s dropped (median of ${R[flood_syn_ratio_input_rounds]:-?} rounds; [middle half])"
	for kind in $FLOOD_KINDS; do
		[ -n "${R[flood_${kind}_pw_pps]:-}" ] || continue
		# SYNs are dropped in prerouting, other segments in input
		hook=pre
		case $kind in ack*) hook=input ;; esac
		key=flood_${kind}_ratio_${hook}
		printf '  %-42s %14s  %-34s %8s  %s\n' "$kind, same hook ($hook) [${R[${key}_q1]}-${R[${key}_q3]}]" \
			"${R[flood_${kind}_pw_pps]}" "${R[flood_${kind}_${hook}_pps]} (one-rule drop)" "${R[$key]}" ">= 1.0"
		[ "$hook" = pre ] && printf '  %-42s %14s  %-34s %8s\n' "  against the drop in input" \
			"" "${R[flood_${kind}_input_pps]}" "${R[flood_${kind}_ratio_input]}"
		printf '  %-42s %14s  %-34s %8s\n' "  one-rule netdev ingress drop vs prerouting" \
			"${R[flood_${kind}_ingress_pps]}" "${R[flood_${kind}_pre_pps]}" "${R[flood_${kind}_ratio_ingress_pre]}"
	done
	printf '  %-42s %14s  %-34s %8s  %s\n' "flood packets that reached the queue" \
		"${R[steady_queued]}" "of ${R[steady_flood_packets]}" "" "0"
	printf '  %-42s %14s  %-34s\n' "daemon CPU during a 1M SYN flood, ms" "${R[steady_daemon_cpu_ms]}" \
		"random sources, 200k: v4 ${R[steady_rand4_daemon_cpu_ms]}, v6 ${R[steady_rand6_daemon_cpu_ms]}"
}

bench_phase floods phase_floods report_floods
