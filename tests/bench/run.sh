#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: portwarden's costs next to baselines measured in the same
# run, in the namespaces of the integration tests.  Prints a table and
# writes build/bench.json.  Never a pass/fail test of the figures: but a
# phase that crashes, a baseline that measures 0 and a figure with no
# sample make it exit non-zero, naming the phase.
#
# Phases live in tests/bench/phase_*.sh, one script each, and register
# themselves with bench_phase NAME FUNCTION REPORT; BENCH_ONLY="NAME ..."
# runs some of them (default: all but the long scale phases, which
# BENCH_ONLY=scale or their names select).  A phase runs in a subshell of
# its own (its cleanups run when it ends, whatever happens), records its
# figures with put KEY VALUE, and declares with need KEY... the figures
# that must be measured and non-zero.
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
. tests/integration/lib.sh
require_root
NAIVE="$PWD/$BUILD/bench/naive_queue"
OUT="$PWD/build/bench.json"
declare -A R
PHASES=() SCALE_PHASES=()
declare -A PHASE_FN PHASE_REPORT

# ---- helpers shared by the phases -------------------------------------------
# stats: "median q1 q3 n" of the numbers on stdin (q1/q3: the middle half);
# empty lines are no samples (printf '%s\n' of an empty array writes one),
# and no sample gives "nan nan nan 0", which need refuses
stats() {
	sort -g | awk 'NF {a[++n]=$1} END {
		if (!n) { print "nan nan nan 0"; exit }
		m = (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		print m, a[int((n + 3) / 4)], a[int((3 * n + 3) / 4)], n }'
}
median() { stats | awk '{print $1}'; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
user_ticks() { awk '{print $14}' /proc/"$1"/stat; }
hz=$(getconf CLK_TCK)
now_ns() { date +%s%N; }

# is_number VALUE: a finite number as JSON writes it (mawk takes "nan" and
# "inf" for numbers equal to themselves; JSON has neither)
is_number() { [[ $1 =~ ^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }
# put KEY VALUE: a figure of this run
put() { echo "$1 $2" >>"$TMP/figures"; }
# put_stats PREFIX: median, quartiles and rounds of the numbers on stdin
put_stats() {
	local m q1 q3 n
	read -r m q1 q3 n < <(stats)
	put "$1" "$m"
	put "${1}_q1" "$q1"
	put "${1}_q3" "$q3"
	put "${1}_rounds" "$n"
}
# need KEY...: figures that must be there and non-zero after this phase
need() { local k; for k in "$@"; do echo "$k" >>"$TMP/needed.$PHASE"; done; }

# bench_phase NAME FUNCTION REPORT [scale]
bench_phase() {
	PHASE_FN[$1]=$2 PHASE_REPORT[$1]=$3
	if [ "${4:-}" = scale ]; then SCALE_PHASES+=("$1"); else PHASES+=("$1"); fi
}

# The installed table as nft text under another name.  The queue statement
# becomes drop: nft cannot write the xt NFQUEUE target it reads back (as
# nothing, or as "queue num N" where iptables is installed); no flood
# packet reaches it.  Without the owner flag, which would take the table
# away with nft.  nft prints the input chain's bare "meta cgroup" (stop when
# no socket of the host is attached) as nothing, which would load back as
# a return for every segment: it becomes "meta cgroup >= 0", which stops
# the same way and costs a compare more.
pw_table_text() {	# pw_table_text NAME
	in_host nft list table inet portwarden | sed -e "s/table inet portwarden/table inet $1/" \
		-e 's/counter packets [0-9]* bytes [0-9]* *\(comment "first\)/counter drop \1/' \
		-e 's/ queue [^"]*\(comment "first\)/ drop \1/' \
		-e 's/\(tcp flags != syn \/ syn,ack\) return \(comment "segments of the host.s own\)/\1 meta cgroup >= 0 return \2/' \
		-e '/^[[:space:]]*flags owner/d' -e '/^# Warning/d'
}
# pw_table_copy: $TMP/pw-table.nft, portwarden's table with 143/tcp decided
# (blocked), as table inet bench; made once
pw_table_copy() {
	[ -s "$TMP/pw-table.nft" ] && return 0
	start_pw
	expect_probe "$NS_INET" tcp "$HOST4" 143 silent >/dev/null
	expect_probe "$NS_INET" tcp "$HOST6" 143 silent >/dev/null
	# without the elements that expire: they would be gone by the time
	# the copy is loaded
	pw_table_text bench | sed -e '/expires/d' >"$TMP/pw-table.nft"
	stop_pw
	in_host "$PW" flush >/dev/null
}
# every packet a table dropped: the sum of its drop rules' counters
table_drops() {	# table_drops TABLE
	in_host nft list table inet "$1" | sed -n 's/.*counter packets \([0-9]*\) bytes [0-9]* drop.*/\1/p' |
		awk '{s += $1} END {print s + 0}'
}
# every packet portwarden's table dropped: a port's own counter sees the
# first of each source each second, the repeats counter the rest
pw_counter() { in_host "$PW" --json status | tr ',{}' '\n\n\n' |
	awk -F: '$1 == "\"packets\"" || $1 == "\"repeats\"" {s += $2} END {print s}'; }
# phase_pps COUNTER_CMD SECONDS: counted packets per second over SECONDS
phase_pps() {
	local c0 c1 t0 t1
	t0=$(now_ns); c0=$($1)
	sleep "$2"
	t1=$(now_ns); c1=$($1)
	awk -v d=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN {printf "%.0f\n", d / (t / 1e9)}'
}
# the daemon's own figure, at its stop: how long after arrival (the queue's
# timestamp) packets were decided; put_decided PREFIX
put_decided() {
	put "${1}_decided_p50_us" "$(sed -n 's/.*median under \([0-9]*\) us.*/\1/p' "$TMP/pw.out" | tail -1)"
	put "${1}_decided_p99_us" "$(sed -n 's/.*99% under \([0-9]*\) us.*/\1/p' "$TMP/pw.out" | tail -1)"
	put "${1}_decided_max_us" "$(sed -n 's/.*the longest \([0-9]*\) us.*/\1/p' "$TMP/pw.out" | tail -1)"
	put "${1}_decided_n" "$(sed -n 's/.* \([0-9]*\) packets decided after arrival.*/\1/p' "$TMP/pw.out" | tail -1)"
}
queue_drops() { in_host awk '$1 == 0 { print $6, $7 }' /proc/net/netfilter/nfnetlink_queue; }
# load: the machine's load average while a phase ran, for the report
load1() { awk '{print $1}' /proc/loadavg; }

# in this order; a phase script not named here (phase_NAME.sh) runs after them
ORDER="floods first 2b queued apply iperf memory review parse kube listeners"
for f in $ORDER; do
	. "tests/bench/phase_$f.sh"
done
for f in tests/bench/phase_*.sh; do
	f=${f#tests/bench/phase_}
	[[ " $ORDER " == *" ${f%.sh} "* ]] || . "tests/bench/phase_$f"
done

# ---- running ------------------------------------------------------------------
selected() {	# selected NAME
	local only=" ${BENCH_ONLY:-default} " s
	case "$only" in
	*" all "*) return 0 ;;
	*" $1 "*) return 0 ;;
	esac
	for s in "${SCALE_PHASES[@]}"; do
		[ "$s" = "$1" ] && { [[ $only == *" scale "* ]]; return; }
	done
	[[ $only == *" default "* ]]
}

# Each phase in a subshell: its deferred cleanups run when it ends, its
# figures come back through $TMP/figures.
phase_exit() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true
	done
}
FAILED=()
RAN=()
run_phase() {	# run_phase NAME
	local rc key val
	PHASE=$1
	: >"$TMP/figures"
	: >"$TMP/needed.$PHASE"
	echo "== $PHASE (load $(load1))"
	( CLEANUPS=(); trap phase_exit EXIT; trap 'exit 130' INT TERM; "${PHASE_FN[$PHASE]}" )
	rc=$?
	RAN+=("$PHASE")
	while read -r key val; do R[$key]=$val; done <"$TMP/figures"
	R[load_${PHASE//[^a-z0-9]/_}]=$(load1)
	[ "$rc" -eq 0 ] || FAILED+=("$PHASE: exited $rc")
	while read -r key; do
		val=${R[$key]:-}
		if ! is_number "$val" || ! awk -v v="$val" 'BEGIN {exit !(v + 0 != 0)}'; then
			FAILED+=("$PHASE: $key is ${val:-missing}")
		fi
	done <"$TMP/needed.$PHASE"
}

make_hosts
serve "$NS_HOST" tcp 143
serve "$NS_HOST" tcp 5432
wait_listening "$NS_HOST" tcp 143
for p in "${PHASES[@]}" "${SCALE_PHASES[@]}"; do
	selected "$p" && run_phase "$p"
done

{
	printf '{"machine":"%s","cores":%s,"kernel":"%s","date":"%s"' "$(uname -m)" "$(nproc)" "$(uname -r)" "$(date -u +%FT%TZ)"
	printf ',"phases":"%s"' "${RAN[*]}"
	for k in $(printf '%s\n' "${!R[@]}" | sort); do
		if is_number "${R[$k]}"; then printf ',"%s":%s' "$k" "${R[$k]}"
		else printf ',"%s":"%s"' "$k" "${R[$k]}"; fi
	done
	printf '}\n'
} >"$OUT"

echo
set +u	# a figure a failed phase did not measure prints empty
printf '%-44s %14s  %-34s %8s  %s\n' "" portwarden baseline ratio floor
for p in "${RAN[@]}"; do "${PHASE_REPORT[$p]}"; done
echo "figures also in $OUT"
if [ ${#FAILED[@]} -gt 0 ]; then
	printf 'bench: FAILED: %s\n' "${FAILED[@]}" >&2
	exit 1
fi
