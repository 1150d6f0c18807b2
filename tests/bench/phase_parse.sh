# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "parse" of `make bench` (sourced by run.sh): a local.rules of
# 65,535 ranges that all share their upper bound, read with the shipped
# database by `portwarden check`, against as many single ports (the
# duplicate index must not put ranges that share a bound in one slot).

phase_parse() {
	local r t0 t1 kind shared=() single=()
	python3 - "$TMP" <<'PY'
import sys
with open(sys.argv[1] + "/shared.rules", "w") as f:
    for lo in range(1, 65536):
        f.write("%d-65535/tcp r%d open\n" % (lo, lo))
with open(sys.argv[1] + "/single.rules", "w") as f:
    for p in range(1, 65536):
        f.write("%d/tcp s%d open\n" % (p, p))
PY
	for r in 1 2 3; do
		for kind in shared single; do
			t0=$(date +%s%N)
			"$PW" --config /dev/null --db "$DB" --db "$TMP/$kind.rules" check >/dev/null ||
				{ echo "check refused $kind.rules" >&2; return 1; }
			t1=$(date +%s%N)
			if [ $kind = shared ]; then shared+=($(( (t1 - t0) / 1000000 )));
			else single+=($(( (t1 - t0) / 1000000 ))); fi
		done
	done
	printf '%s\n' "${shared[@]}" | put_stats parse_shared_ms
	printf '%s\n' "${single[@]}" | put_stats parse_single_ms
	need parse_shared_ms parse_single_ms
}

report_parse() {
	printf '%-44s %14s  %-34s %8s  %s\n' "check: 65,535 ranges sharing a bound, ms" "${R[parse_shared_ms]}" \
		"${R[parse_single_ms]} (as many single ports)" \
		"$(awk -v a="${R[parse_shared_ms]}" -v b="${R[parse_single_ms]}" 'BEGIN {if (b) printf "%.2f", a / b}')" "< 200 ms"
}

bench_phase parse phase_parse report_parse
