# SPDX-License-Identifier: GPL-2.0-or-later
# Phase "review" of `make bench` (sourced by run.sh): portwarden log
# --summary over 1M lines.

phase_review() {
	local r t0 t1 ms=()
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
	for r in 1 2 3; do
		t0=$(date +%s%N)
		"$PW" --config /dev/null --log "$TMP/big.log" log --summary >/dev/null || return 1
		t1=$(date +%s%N)
		ms+=($(( (t1 - t0) / 1000000 )))
	done
	printf '%s\n' "${ms[@]}" | put_stats log_summary_1m_ms
	rm -f "$TMP/big.log"
	need log_summary_1m_ms
}

report_review() {
	printf '%-44s %14s  %-34s\n' "log --summary over 1M lines, ms" "${R[log_summary_1m_ms]}" \
		"[${R[log_summary_1m_ms_q1]}-${R[log_summary_1m_ms_q3]}]"
}

bench_phase review phase_review report_review
