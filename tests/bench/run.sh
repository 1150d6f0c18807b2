#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: portwarden's costs next to baselines measured in the same
# run, in the namespaces of the integration tests.  Prints a table and
# writes build/bench.json.  Never a pass/fail test: figures only.
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
. tests/integration/lib.sh
require_root
NAIVE="$PWD/$BUILD/bench/naive_queue"
OUT="$PWD/build/bench.json"
declare -A R

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
user_ticks() { awk '{print $14}' /proc/"$1"/stat; }
hz=$(getconf CLK_TCK)

. tests/bench/first_syn.sh
. tests/bench/logreview.sh
if [ "${BENCH_ONLY:-}" = 7 ]; then
	logreview_bench
	logreview_table
	exit 0
fi
make_hosts
serve "$NS_HOST" tcp 143
serve "$NS_HOST" tcp 5432
wait_listening "$NS_HOST" tcp 143
if [ "${BENCH_ONLY:-}" = 2b ]; then
	first_syn_bench
	echo "2b first SYN to a new port, monitor: ${R[first_syn_monitor_us_median]} us," \
		"${R[first_syn_open_us_median]} us to a port never queued (floor < 500 us;" \
		"${R[first_syn_procs]} processes)"
	exit 0
fi
. tests/bench/lanwatch.sh
if [ "${BENCH_ONLY:-}" = lanwatch ]; then
	lanwatch_bench
	lanwatch_report
	exit 0
fi

# The installed table as nft text under another name.  The queue statement
# becomes drop: nft cannot write the xt NFQUEUE target it reads back (as
# nothing, or as "queue num N" where iptables is installed); no flood
# packet reaches it.  Without the owner flag, which would take the table
# away with nft.
pw_table_text() {	# pw_table_text NAME
	in_host nft list table inet portwarden | sed -e "s/table inet portwarden/table inet $1/" \
		-e 's/counter packets [0-9]* bytes [0-9]* *\(comment "first\)/counter drop \1/' \
		-e 's/ queue [^"]*\(comment "first\)/ drop \1/' \
		-e '/^[[:space:]]*flags owner/d' -e '/^# Warning/d'
}

# Each counter reading is timed: the pps of a phase is the counters'
# difference over the time between the readings.
now_ns() { date +%s%N; }
# every packet portwarden's table dropped: a port's own counter sees the
# first of each source each second, the repeats counter the rest
pw_counter() { in_host "$PW" --json status | tr ',{}' '\n\n\n' |
	awk -F: '$1 == "\"packets\"" || $1 == "\"repeats\"" {s += $2} END {print s}'; }
phase_pps() {	# phase_pps COUNTER_CMD: pps over PHASE seconds
	local c0 c1 t0 t1
	t0=$(now_ns); c0=$($1)
	sleep "$PHASE"
	t1=$(now_ns); c1=$($1)
	awk -v d=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN {printf "%.0f\n", d / (t / 1e9)}'
}

# The daemon's part first: a flood against the running daemon, with the
# packets that reached its queue and the CPU it used meanwhile.
STEADY_FLOOD=${BENCH_STEADY_FLOOD:-1000000}
echo "1. steady state: SYN floods to a decided port"
start_pw
expect_probe "$NS_INET" tcp "$HOST4" 143 silent >/dev/null
q0=$(queue_seq) c0=$(cpu_ticks "$PW_PID") f0=$(pw_counter)
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 143 "$STEADY_FLOOD" >/dev/null
q1=$(queue_seq) c1=$(cpu_ticks "$PW_PID") f1=$(pw_counter)
flooded=$((f1 - f0))
# the kernel's part: the installed table as nft reads it back, loaded under
# another name (without the owner flag, which would take it away with nft,
# and without the flood source's logged_v4 element, which has timed out by
# the time the copy is loaded)
pw_table_text bench | sed -e '/expires/d' >"$TMP/pw-table.nft"
stop_pw
# One long flood, and in turn for PHASE seconds each: a one-rule drop in
# the input hook (the floor's baseline: the rule an admin would write), the
# same rule in the prerouting hook, and portwarden's table, which drops a
# flood's repeats in prerouting, before the routing decision.  Short phases
# in turn cancel the machine's drift; the median of the ratios is the figure.
PAIRS=${BENCH_PAIRS:-15}
PHASE=${BENCH_PHASE:-0.3}
base_table() {	# base_table HOOK PRIORITY
	in_host nft -f - <<NFT
table inet bench {
	chain input {
		type filter hook $1 priority $2; tcp dport 143 counter drop
	}
}
NFT
	sleep 0.05
}
# the largest counter of the table: the flood's (for portwarden's, the
# prerouting repeats: all but the first packet of each second)
table_counter() { in_host nft list table inet bench | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | sort -n | tail -1; }
base=() raw=() pw=() ratios=() raw_ratios=()
ip netns exec "$NS_INET" "$TOOLS/flood" "$INET4" "$HOST4" 143 4000000000 >/dev/null &
FLOODER=$!
defer "kill $FLOODER"
sleep 0.3
for r in $(seq "$PAIRS"); do
	base_table input -10
	b=$(phase_pps table_counter)
	in_host nft delete table inet bench
	base_table prerouting -300
	w=$(phase_pps table_counter)
	in_host nft delete table inet bench
	in_host nft -f "$TMP/pw-table.nft"
	sleep 0.05
	p=$(phase_pps table_counter)
	in_host nft delete table inet bench
	base+=("$b") raw+=("$w") pw+=("$p")
	ratios+=("$(awk -v a="$p" -v b="$b" 'BEGIN {printf "%.4f", a / b}')")
	raw_ratios+=("$(awk -v a="$p" -v b="$w" 'BEGIN {printf "%.4f", a / b}')")
done
kill "$FLOODER"
wait "$FLOODER" 2>/dev/null
R[steady_base_pps]=$(printf '%s\n' "${base[@]}" | median)
R[steady_raw_pps]=$(printf '%s\n' "${raw[@]}" | median)
R[steady_pw_pps]=$(printf '%s\n' "${pw[@]}" | median)
R[steady_ratio]=$(printf '%s\n' "${ratios[@]}" | median)
R[steady_ratio_q1]=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 3) / 4)]}')
R[steady_ratio_q3]=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((3 * NR + 3) / 4)]}')
R[steady_raw_ratio]=$(printf '%s\n' "${raw_ratios[@]}" | median)
R[steady_flood_packets]=$flooded
R[steady_queued]=$((q1 - q0))
R[steady_queued_pct]=$(awk -v q=$((q1 - q0)) -v n="$flooded" 'BEGIN {printf "%.4f", 100 * q / n}')
R[steady_daemon_cpu_ms]=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')

# Segments without SYN to a blocked port (an ACK scan, guessed SYN
# cookies): portwarden's table, whose input chain drops them unless the
# host owns the connection, against the plain drop rule in the input hook.
ack_base=() ack_pw=() ack_ratios=()
ip netns exec "$NS_INET" "$TOOLS/flood" "$INET4" "$HOST4" 143 4000000000 ack >/dev/null &
FLOODER=$!
defer "kill $FLOODER"
sleep 0.3
for r in $(seq "$PAIRS"); do
	base_table input -10
	b=$(phase_pps table_counter)
	in_host nft delete table inet bench
	in_host nft -f "$TMP/pw-table.nft"
	sleep 0.05
	p=$(phase_pps table_counter)
	in_host nft delete table inet bench
	ack_base+=("$b") ack_pw+=("$p")
	ack_ratios+=("$(awk -v a="$p" -v b="$b" 'BEGIN {printf "%.4f", a / b}')")
done
kill "$FLOODER"
wait "$FLOODER" 2>/dev/null
R[nonsyn_base_pps]=$(printf '%s\n' "${ack_base[@]}" | median)
R[nonsyn_pw_pps]=$(printf '%s\n' "${ack_pw[@]}" | median)
R[nonsyn_ratio]=$(printf '%s\n' "${ack_ratios[@]}" | median)

echo "2. first packet to kernel rule"
start_pw
for p in 25 110 993 995 1080 3128 8080 9050 3306 6379 11211 27017 9200 5984 9222 9229 8888 2375 631 5900 3389; do
	in_inet "$TOOLS/probe" tcp "$HOST4" $p 50 >/dev/null
done
sleep 0.2
R[first_packet_us_median]=$(sed -n 's/.*kernel rule active \([0-9]*\) us.*/\1/p' "$TMP/pw.out" | median)
q0=$(queue_seq)
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 5432 100000 >/dev/null
R[first_flood_queued]=$(( $(queue_seq) - q0 ))
stop_pw

echo "2b. first SYN to a new port, monitor mode, 100+ processes running"
first_syn_bench

echo "3. queued path: CPU per verdict, monitor mode against a minimal NFQUEUE loop"
# Each accepted SYN goes on into the kernel after its verdict, inside the
# verdict's system call: TCP answers it (a reset, sent to the peer and
# processed there too).  That is TCP's work, the same for any queue reader,
# so the main figure ends the accepted SYNs at a drop rule right behind
# portwarden's chain; the figure with TCP answering is printed as well.
N=${BENCH_QUEUED:-200000}
QROUNDS=${BENCH_QUEUED_ROUNDS:-3}
# packets lost to a full queue (no id given) and to a full socket (id given)
queue_drops() { in_host awk '$1 == 0 { print $6, $7 }' /proc/net/netfilter/nfnetlink_queue; }
# queued_run PID: "ns-per-verdict user-ns-per-verdict verdicts lost"
queued_run() {
	local q0 q1 c0 c1 u0 u1 full0 full1 sock0 sock1
	q0=$(queue_seq) c0=$(cpu_ticks "$1") u0=$(user_ticks "$1")
	read -r full0 sock0 < <(queue_drops)
	in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$N" >/dev/null
	sleep 0.5
	q1=$(queue_seq) c1=$(cpu_ticks "$1") u1=$(user_ticks "$1")
	read -r full1 sock1 < <(queue_drops)
	awk -v t=$((c1 - c0)) -v u=$((u1 - u0)) -v hz="$hz" -v n=$((q1 - q0 - sock1 + sock0)) \
		-v d=$((full1 - full0 + sock1 - sock0)) \
		'BEGIN {printf "%.0f %.0f %d %d\n", 1e9 * t / hz / n, 1e9 * u / hz / n, n, d}'
}
# pw_naive_pair: one round of the worker, then the naive loop on the same
# table (kill -9 leaves it, fail closed); prints both results on one line
pw_naive_pair() {
	local pwres nres npid
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
	echo "$pwres $nres"
}
# queued_figures PREFIX: QROUNDS pairs, medians and the median ratio
queued_figures() {
	local line rows=()
	for r in $(seq "$QROUNDS"); do rows+=("$(pw_naive_pair)"); done
	col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{print $c}' | median; }
	R[${1}_pw_ns_per_verdict]=$(col 1)
	R[${1}_pw_user_ns_per_verdict]=$(col 2)
	R[${1}_pw_verdicts]=$(printf '%s\n' "${rows[@]}" | awk '{s += $3} END {print s}')
	R[${1}_pw_queue_drops]=$(printf '%s\n' "${rows[@]}" | awk '{s += $4} END {print s}')
	R[${1}_naive_ns_per_verdict]=$(col 5)
	R[${1}_naive_user_ns_per_verdict]=$(col 6)
	R[${1}_naive_verdicts]=$(printf '%s\n' "${rows[@]}" | awk '{s += $7} END {print s}')
	R[${1}_naive_queue_drops]=$(printf '%s\n' "${rows[@]}" | awk '{s += $8} END {print s}')
	R[${1}_ratio]=$(printf '%s\n' "${rows[@]}" | awk '{printf "%.4f\n", $1 / $5}' | median)
}
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
R[queued_pw_rss_kb]=$(awk '/^VmRSS/ {print $2}' /proc/"$PW_PID"/status)
stop_pw

echo "3b. the same under callgrind: instructions per verdict, user space, stable"
# Ir of a whole run with N packets minus Ir of a run with none, over the
# verdicts the run actually gave
callgrind_ir() {	# callgrind_ir OUTFILE: total instructions of a finished run
	awk '/^summary:/ {print $2}' "$1"
}
CG="valgrind --tool=callgrind --callgrind-out-file"
CGN=${BENCH_CALLGRIND:-20000}
for mode in idle load; do
	PW_WRAP="$CG=$TMP/cg-pw-$mode.out" start_pw "mode = monitor"
	[ $mode = load ] && in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$CGN" >/dev/null
	sleep 1
	stop_pw
	[ $mode = load ] && R[cg_pw_verdicts]=$(sed -n 's/.*stopped: \([0-9]*\) packets queued.*/\1/p' "$TMP/pw.out")
done
kill -9 "$PW_PID" 2>/dev/null
start_pw "mode = monitor"
kill -9 "$PW_PID"
wait "$PW_PID" 2>/dev/null
for mode in idle load; do
	ip netns exec "$NS_HOST" $CG="$TMP/cg-naive-$mode.out" "$NAIVE" 0 >"$TMP/naive-$mode.out" 2>/dev/null &
	NPID=$!
	for i in $(seq 100); do grep -q ready "$TMP/naive-$mode.out" && break; sleep 0.1; done
	[ $mode = load ] && in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$CGN" >/dev/null
	sleep 1
	kill "$NPID"
	wait "$NPID" 2>/dev/null
done
R[cg_naive_verdicts]=$(tail -1 "$TMP/naive-load.out")
in_host "$PW" flush >/dev/null
R[cg_pw_ir_per_verdict]=$(awk -v a="$(callgrind_ir "$TMP/cg-pw-load.out")" -v b="$(callgrind_ir "$TMP/cg-pw-idle.out")" \
	-v n="${R[cg_pw_verdicts]}" 'BEGIN {printf "%.0f", (a - b) / n}')
R[cg_naive_ir_per_verdict]=$(awk -v a="$(callgrind_ir "$TMP/cg-naive-load.out")" -v b="$(callgrind_ir "$TMP/cg-naive-idle.out")" \
	-v n="${R[cg_naive_verdicts]}" 'BEGIN {printf "%.0f", (a - b) / n}')
R[cg_ratio]=$(awk -v a="${R[cg_pw_ir_per_verdict]}" -v b="${R[cg_naive_ir_per_verdict]}" 'BEGIN {printf "%.3f", a / b}')

echo "4. apply: start-up to ready, and the transaction against nft -f of the same ruleset"
ready=() tx=() text=()
for r in $(seq 5); do
	t0=$(date +%s%N)
	start_pw
	t1=$(date +%s%N)
	ready+=($(( (t1 - t0) / 1000 )))
	tx+=("$(sed -n 's/.*installed in \([0-9]*\) us.*/\1/p' "$TMP/pw.out")")
	pw_table_text pwtext >"$TMP/ruleset.nft"
	stop_pw
	t0=$(date +%s%N)
	in_host nft -f "$TMP/ruleset.nft" || echo "nft -f failed" >&2
	t1=$(date +%s%N)
	text+=($(( (t1 - t0) / 1000 )))
	in_host nft delete table inet pwtext
done
R[apply_ready_us]=$(printf '%s\n' "${ready[@]}" | median)
R[apply_tx_us]=$(printf '%s\n' "${tx[@]}" | median)
R[apply_nft_f_us]=$(printf '%s\n' "${text[@]}" | median)

echo "5. allowed traffic: iperf3 to an open port, with and without the table"
ip netns exec "$NS_HOST" iperf3 -s -D -p 5201 --logfile "$TMP/iperf.log"
defer "pkill -f 'iperf3 -s -D -p 5201'"
sleep 0.3
# One long iperf3 run in half-second intervals while portwarden's table (as
# section 1 read it back) is loaded and removed every 2 s.  Each phase with
# the table is compared with the phases without it on either side; intervals
# near a switch are left out.  The median of those ratios is the figure: a
# single stream on this shared machine swings between runs by 10-20%, and
# taking turns cancels that.
IPERF_SECS=${BENCH_IPERF_SECS:-80}
t0=$(now_ns)
in_inet iperf3 -c "$HOST4" -p 5201 -t "$IPERF_SECS" -i 0.5 -J >"$TMP/iperf.json" &
IPERF=$!
: >"$TMP/switches"
for k in $(seq $((IPERF_SECS / 2 - 1))); do
	sleep 2
	if [ $((k % 2)) = 1 ]; then in_host nft -f "$TMP/pw-table.nft"; echo "$(now_ns) 1" >>"$TMP/switches"
	else in_host nft delete table inet bench; echo "$(now_ns) 0" >>"$TMP/switches"; fi
done
wait "$IPERF"
in_host nft delete table inet bench 2>/dev/null || true
read -r 'R[iperf_without_bps]' 'R[iperf_with_bps]' 'R[iperf_ratio]' 'R[iperf_ratio_q1]' \
	'R[iperf_ratio_q3]' 'R[iperf_pairs]' < <(python3 - "$TMP/iperf.json" "$TMP/switches" "$t0" <<'PY'
import json, statistics, sys
t0 = int(sys.argv[3]) / 1e9
switches = [(int(t) / 1e9 - t0, int(s)) for t, s in (l.split() for l in open(sys.argv[2]))]
edges = [(0.0, 0)] + switches + [(1e12, None)]
phases = [(edges[i][0], edges[i + 1][0], edges[i][1], []) for i in range(len(edges) - 1)]
for iv in json.load(open(sys.argv[1]))["intervals"]:
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
q = lambda f: ratios[min(len(ratios) - 1, int(f * len(ratios)))]
print(int(statistics.median(off)), int(statistics.median(on)), "%.4f" % statistics.median(ratios),
      "%.4f" % q(0.25), "%.4f" % q(0.75), len(ratios))
PY
)

echo "6. memory"
start_pw
R[rss_kb]=$(awk '/^VmRSS/ {print $2}' /proc/"$PW_PID"/status)
stop_pw

echo "7. review: log --summary and report over big logs, against grep -c"
logreview_bench

{
	printf '{"machine":"%s","cores":%s,"kernel":"%s","date":"%s"' "$(uname -m)" "$(nproc)" "$(uname -r)" "$(date -u +%FT%TZ)"
	for k in $(printf '%s\n' "${!R[@]}" | sort); do printf ',"%s":%s' "$k" "${R[$k]}"; done
	printf '}\n'
} >"$OUT"

cat <<TABLE

                                         portwarden      baseline       ratio   floor
1 steady state, pps dropped           ${R[steady_pw_pps]}  ${R[steady_base_pps]} (plain nft drop, input)  ${R[steady_ratio]}   >= 0.95
  (median of $PAIRS rounds of ${PHASE}s phases; middle half of the ratios ${R[steady_ratio_q1]} - ${R[steady_ratio_q3]})
  against the same drop in prerouting  ${R[steady_pw_pps]}  ${R[steady_raw_pps]}  ${R[steady_raw_ratio]}
  (portwarden drops a flood's repeats in prerouting, before routing)
  flood packets that reached the queue  ${R[steady_queued]} of ${R[steady_flood_packets]} (${R[steady_queued_pct]}%)     < 0.1%
  daemon CPU during the floods          ${R[steady_daemon_cpu_ms]} ms
  ACK flood to a blocked port, pps      ${R[nonsyn_pw_pps]}  ${R[nonsyn_base_pps]} (plain nft drop, input)  ${R[nonsyn_ratio]}
  (segments without SYN that belong to no connection of this host, dropped in the input hook)
2 first packet -> kernel rule, median ${R[first_packet_us_median]} us                                     < 1000 us
  packets of a 100k flood queued        ${R[first_flood_queued]}
2b first SYN to a new port, monitor   ${R[first_syn_monitor_us_median]} us  ${R[first_syn_open_us_median]} us (port never queued)       < 500 us
  (connect time, SYN to SYN-ACK, median over 20 ports; ${R[first_syn_procs]} processes running)
3 queued path, ns CPU per verdict     ${R[queued_pw_ns_per_verdict]}  ${R[queued_naive_ns_per_verdict]} (naive loop)  ${R[queued_ratio]}   <= 0.5
  of which in user space              ${R[queued_pw_user_ns_per_verdict]}  ${R[queued_naive_user_ns_per_verdict]}
  (accepted SYNs end at a drop rule behind the queue; verdicts ${R[queued_pw_verdicts]} and ${R[queued_naive_verdicts]},
   lost to a full queue ${R[queued_pw_queue_drops]} and ${R[queued_naive_queue_drops]}; daemon RSS after: ${R[queued_pw_rss_kb]} kB)
  the same with TCP answering each SYN ${R[queued_tcp_pw_ns_per_verdict]}  ${R[queued_tcp_naive_ns_per_verdict]}  ${R[queued_tcp_ratio]}
  (verdicts ${R[queued_tcp_pw_verdicts]} and ${R[queued_tcp_naive_verdicts]}, lost to a full queue ${R[queued_tcp_pw_queue_drops]} and ${R[queued_tcp_naive_queue_drops]})
  callgrind instructions per verdict  ${R[cg_pw_ir_per_verdict]}  ${R[cg_naive_ir_per_verdict]}  ${R[cg_ratio]}
  (user space only; verdicts under valgrind: ${R[cg_pw_verdicts]} and ${R[cg_naive_verdicts]})
4 start-up to ready                   ${R[apply_ready_us]} us
  ruleset transaction                 ${R[apply_tx_us]} us  ${R[apply_nft_f_us]} us (nft -f of the same, as text)
5 iperf3 to an open port, bit/s       ${R[iperf_with_bps]}  ${R[iperf_without_bps]} (no table)  ${R[iperf_ratio]}   >= 0.97
  (table loaded and removed every 2 s: median of ${R[iperf_pairs]} phases against their neighbours,
   middle half ${R[iperf_ratio_q1]} - ${R[iperf_ratio_q3]})
6 resident memory, full database      ${R[rss_kb]} kB                                         <= 4096 kB
7 log --summary over 1M lines         ${R[log_summary_1m_ms]} ms
TABLE
logreview_table
echo "figures also in $OUT"
