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
ROUNDS=${BENCH_ROUNDS:-3}
FLOOD=${BENCH_FLOOD:-1000000}
declare -A R

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
user_ticks() { awk '{print $14}' /proc/"$1"/stat; }
hz=$(getconf CLK_TCK)

make_hosts
serve "$NS_HOST" tcp 143
serve "$NS_HOST" tcp 5432
wait_listening "$NS_HOST" tcp 143

# pps the receiver's rule dropped: its counter over the sender's time
flood_pps() {	# flood_pps PORT COUNTER_CMD
	local before after secs out
	before=$($2)
	out=$(in_inet "$TOOLS/flood" "$INET4" "$HOST4" "$1" "$FLOOD")
	after=$($2)
	secs=$(echo "$out" | awk -v n="$FLOOD" '{print n / $2}')
	awk -v d=$((after - before)) -v s="$secs" 'BEGIN {printf "%.0f\n", d / s}'
}

base_counter() { in_host nft -j list chain inet bench input | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if r:
        for e in r["expr"]:
            if "counter" in e: print(e["counter"]["packets"])'; }
pw_counter() { in_host "$PW" --json status | python3 -c '
import json, sys
print(sum(b["packets"] for b in json.load(sys.stdin)["blocked"] if b["port"] == 143))'; }

echo "1. steady state: SYN flood of $FLOOD to a decided port, $ROUNDS rounds each"
base=() pw=() queued=0 cpu=0
for r in $(seq "$ROUNDS"); do
	in_host nft -f - <<'NFT'
table inet bench {
	chain input {
		type filter hook input priority -10; tcp dport 143 counter drop
	}
}
NFT
	base+=("$(flood_pps 143 base_counter)")
	in_host nft delete table inet bench
	start_pw
	expect_probe "$NS_INET" tcp "$HOST4" 143 silent >/dev/null
	q0=$(queue_seq) c0=$(cpu_ticks "$PW_PID")
	pw+=("$(flood_pps 143 pw_counter)")
	q1=$(queue_seq) c1=$(cpu_ticks "$PW_PID")
	queued=$((queued + q1 - q0)) cpu=$((cpu + c1 - c0))
	stop_pw
done
R[steady_base_pps]=$(printf '%s\n' "${base[@]}" | median)
R[steady_pw_pps]=$(printf '%s\n' "${pw[@]}" | median)
R[steady_ratio]=$(awk -v a="${R[steady_pw_pps]}" -v b="${R[steady_base_pps]}" 'BEGIN {printf "%.3f", a / b}')
R[steady_queued]=$queued
R[steady_queued_pct]=$(awk -v q=$queued -v n=$((FLOOD * ROUNDS)) 'BEGIN {printf "%.4f", 100 * q / n}')
R[steady_daemon_cpu_ms]=$(awk -v t=$cpu -v hz="$hz" 'BEGIN {printf "%.0f", 1000 * t / hz}')

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

echo "3. queued path: CPU per verdict, monitor mode against a minimal NFQUEUE loop"
N=${BENCH_QUEUED:-300000}
start_pw "mode = monitor"
q0=$(queue_seq) c0=$(cpu_ticks "$PW_PID") u0=$(user_ticks "$PW_PID")
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$N" >/dev/null
sleep 0.5
q1=$(queue_seq) c1=$(cpu_ticks "$PW_PID") u1=$(user_ticks "$PW_PID")
R[queued_pw_verdicts]=$((q1 - q0))
R[queued_pw_ns_per_verdict]=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v n=$((q1 - q0)) 'BEGIN {printf "%.0f", 1e9 * t / hz / n}')
R[queued_pw_user_ns_per_verdict]=$(awk -v t=$((u1 - u0)) -v hz="$hz" -v n=$((q1 - q0)) 'BEGIN {printf "%.0f", 1e9 * t / hz / n}')
R[queued_pw_rss_kb]=$(awk '/^VmRSS/ {print $2}' /proc/"$PW_PID"/status)
# the naive loop serves the same table: kill -9 leaves it (fail closed)
kill -9 "$PW_PID"
wait "$PW_PID" 2>/dev/null
ip netns exec "$NS_HOST" "$NAIVE" 0 >"$TMP/naive.out" &
NPID=$!
defer "kill -9 $NPID"
sleep 0.3
q0=$(queue_seq) c0=$(cpu_ticks "$NPID") u0=$(user_ticks "$NPID")
in_inet "$TOOLS/flood" "$INET4" "$HOST4" 9200 "$N" >/dev/null
sleep 0.5
q1=$(queue_seq) c1=$(cpu_ticks "$NPID") u1=$(user_ticks "$NPID")
kill "$NPID"
wait "$NPID" 2>/dev/null
R[queued_naive_verdicts]=$((q1 - q0))
R[queued_naive_ns_per_verdict]=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v n=$((q1 - q0)) 'BEGIN {printf "%.0f", 1e9 * t / hz / n}')
R[queued_naive_user_ns_per_verdict]=$(awk -v t=$((u1 - u0)) -v hz="$hz" -v n=$((q1 - q0)) 'BEGIN {printf "%.0f", 1e9 * t / hz / n}')
R[queued_ratio]=$(awk -v a="${R[queued_pw_ns_per_verdict]}" -v b="${R[queued_naive_ns_per_verdict]}" 'BEGIN {printf "%.3f", a / b}')
in_host "$PW" flush >/dev/null

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
	# as text: the queue statement becomes drop (nft cannot write the xt target)
	in_host nft list table inet portwarden | sed -e 's/table inet portwarden/table inet pwtext/' \
		-e 's/counter packets [0-9]* bytes [0-9]* *\(comment "first\)/counter drop \1/' \
		-e '/^# Warning/d' >"$TMP/ruleset.nft"
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
iperf() { in_inet iperf3 -c "$HOST4" -p 5201 -t 4 -J | python3 -c '
import json, sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))'; }
# turn about, and the ratio of each pair: the machine's drift cancels out
without=() with=() ratios=()
for r in $(seq $((ROUNDS + 4))); do
	a=$(iperf)
	start_pw
	b=$(iperf)
	stop_pw
	without+=("$a") with+=("$b")
	ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f", b / a}')")
done
R[iperf_without_bps]=$(printf '%s\n' "${without[@]}" | median)
R[iperf_with_bps]=$(printf '%s\n' "${with[@]}" | median)
R[iperf_ratio]=$(printf '%s\n' "${ratios[@]}" | median)

echo "6. memory"
start_pw
R[rss_kb]=$(awk '/^VmRSS/ {print $2}' /proc/"$PW_PID"/status)
stop_pw

echo "7. review: portwarden log --summary over 1M lines"
python3 - "$TMP/big.log" <<'PY'
import random, sys, time
random.seed(7)
ports = [143, 110, 3306, 6379, 9200, 11211, 5432, 3389]
with open(sys.argv[1], "w") as f:
    for i in range(1000000):
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1795000000 + i // 10))
        p = random.choice(ports)
        src = "198.51.100.%d" % random.randint(1, 250) if i % 3 else "2001:db8::%x" % random.randint(1, 5000)
        f.write('{"ts":"%s.%03dZ","action":"blocked","proto":"tcp","src":"%s","sport":%d,'
                '"dst":"198.51.100.1","dport":%d,"iif":"eth0","service":"svc","policy":"loopback-only",'
                '"path":"%s","count":1,"listener":""}\n'
                % (ts, i % 1000, src, random.randint(1024, 65535), p, "kernel" if i % 2 else "queue"))
PY
sum=()
for r in 1 2 3; do
	t0=$(date +%s%N)
	"$PW" --config /dev/null --log "$TMP/big.log" log --summary >/dev/null
	t1=$(date +%s%N)
	sum+=($(( (t1 - t0) / 1000000 )))
done
R[log_summary_1m_ms]=$(printf '%s\n' "${sum[@]}" | median)

{
	printf '{"machine":"%s","cores":%s,"kernel":"%s","date":"%s"' "$(uname -m)" "$(nproc)" "$(uname -r)" "$(date -u +%FT%TZ)"
	for k in $(printf '%s\n' "${!R[@]}" | sort); do printf ',"%s":%s' "$k" "${R[$k]}"; done
	printf '}\n'
} >"$OUT"

cat <<TABLE

                                         portwarden      baseline       ratio   floor
1 steady state, pps dropped           ${R[steady_pw_pps]}  ${R[steady_base_pps]} (plain nft drop)  ${R[steady_ratio]}   >= 0.95
  flood packets that reached the queue  ${R[steady_queued]} (${R[steady_queued_pct]}%)                          < 0.1%
  daemon CPU during the floods          ${R[steady_daemon_cpu_ms]} ms
2 first packet -> kernel rule, median ${R[first_packet_us_median]} us                                     < 1000 us
  packets of a 100k flood queued        ${R[first_flood_queued]}
3 queued path, ns CPU per verdict     ${R[queued_pw_ns_per_verdict]}  ${R[queued_naive_ns_per_verdict]} (naive loop)  ${R[queued_ratio]}   <= 0.5
  of which in user space              ${R[queued_pw_user_ns_per_verdict]}  ${R[queued_naive_user_ns_per_verdict]}
  (verdicts measured: ${R[queued_pw_verdicts]} and ${R[queued_naive_verdicts]}; daemon RSS after: ${R[queued_pw_rss_kb]} kB)
  callgrind instructions per verdict  ${R[cg_pw_ir_per_verdict]}  ${R[cg_naive_ir_per_verdict]}  ${R[cg_ratio]}
  (user space only; verdicts under valgrind: ${R[cg_pw_verdicts]} and ${R[cg_naive_verdicts]})
4 start-up to ready                   ${R[apply_ready_us]} us
  ruleset transaction                 ${R[apply_tx_us]} us  ${R[apply_nft_f_us]} us (nft -f of the same, as text)
5 iperf3 to an open port, bit/s       ${R[iperf_with_bps]}  ${R[iperf_without_bps]} (no table)  ${R[iperf_ratio]}   >= 0.97
6 resident memory, full database      ${R[rss_kb]} kB                                         <= 4096 kB
7 log --summary over 1M lines         ${R[log_summary_1m_ms]} ms
TABLE
echo "figures also in $OUT"
