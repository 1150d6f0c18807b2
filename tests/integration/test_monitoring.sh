#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/monitoring against what the daemon writes: the alerting rules
# pass promtool's check and their unit tests; every metric and label that
# the rules and the Grafana dashboard use is one that the daemon and
# `audit` write in this run (a renamed metric fails here); the metrics
# files pass `promtool check metrics`; the audit metrics name host, port,
# service and process; the log pipeline's configurations parse with the
# tools that read them.
. tests/integration/lib.sh
require_root
MON="$PWD/packaging/monitoring"
for tool in promtool rsyslogd; do
	command -v "$tool" >/dev/null || { echo "$tool is not installed (packages prometheus, rsyslog)"; exit 77; }
done

(cd "$MON" && promtool check rules portwarden.rules.yml) >"$TMP/promtool.out" 2>&1 ||
	{ cat "$TMP/promtool.out"; fail "promtool check rules"; }
ok "promtool check rules: $(grep -o '[0-9]* rules found' "$TMP/promtool.out")"
(cd "$MON" && promtool test rules portwarden.rules.test.yml) >"$TMP/promtool.out" 2>&1 ||
	{ cat "$TMP/promtool.out"; fail "promtool test rules"; }
ok "promtool test rules: the alerts fire where they should and nowhere else"

# what the daemon writes: a block on the queue path, the kernel's counters,
# and the audit of two listeners before the table is there (exposed) ...
make_hosts
mkdir -p "$TMP/node"
in_host socat TCP6-LISTEN:5432,ipv6only=0,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
in_host socat TCP6-LISTEN:6379,ipv6only=0,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
defer "kill $!"
wait_listening "$NS_HOST" tcp 5432
wait_listening "$NS_HOST" tcp 6379
printf 'metrics_file = %s/node/portwarden.prom\n' "$TMP" >"$TMP/audit.conf"
in_host "$PW" --config "$TMP/audit.conf" --db "$DB" audit >/dev/null
audit=$(cat "$TMP/node/portwarden_audit.prom")
host=$(uname -n)
expect_contains "$audit" "portwarden_audit_listener{host=\"$host\",status=\"exposed\",proto=\"tcp\",port=\"5432\",service=\"postgresql\",process=\"socat\"} 1" \
	"the audit names host, port, service and process of an exposed port"
cp "$TMP/node/portwarden_audit.prom" "$TMP/audit-before.prom"
# ... then with portwarden running
start_pw "metrics_file = $TMP/node/portwarden.prom"
expect_probe "$NS_INET" tcp "$HOST4" 143 silent
prom="$TMP/node/portwarden.prom"
wait_until "the block in the metrics file" grep -q 'port="143".*path="queue"' "$prom"
in_host "$PW" --config "$TMP/pw.conf" --db "$DB" audit >/dev/null
expect_contains "$(cat "$TMP/node/portwarden_audit.prom")" 'status="lan",proto="tcp",port="5432",service="postgresql",process="socat"} 1' \
	"with portwarden running the same port is lan-only"
for f in "$prom" "$TMP/node/portwarden_audit.prom" "$TMP/audit-before.prom"; do
	promtool check metrics <"$f" >"$TMP/check.out" 2>&1 || { cat "$TMP/check.out"; fail "promtool check metrics $(basename "$f")"; }
done
ok "promtool check metrics: the daemon's and the audit's files are clean"

# every metric and label the rules and the dashboard use, in what was written
python3 - "$MON" "$prom" "$TMP/node/portwarden_audit.prom" "$TMP/audit-before.prom" <<'PY' || fail "the rules or the dashboard use what the daemon does not write"
import json, re, sys
mon, files = sys.argv[1], sys.argv[2:]
written = {}
for f in files:
    for line in open(f):
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? ", line)
        if m and not line.startswith("#"):
            labels = set(re.findall(r'([a-zA-Z_]+)="', m.group(3) or ""))
            written.setdefault(m.group(1), set()).update(labels)
# node_exporter's own, about the file; and the labels every scrape adds
written["node_textfile_mtime_seconds"] = {"file"}
scrape = {"instance", "job"}
exprs = []
dash = json.load(open(mon + "/grafana-dashboard.json"))
for p in dash["panels"]:
    exprs += [t["expr"] for t in p.get("targets", [])]
exprs.append(dash["templating"]["list"][1]["definition"])
rules = open(mon + "/portwarden.rules.yml").read()
exprs += re.findall(r"expr: (.*(?:\n {10}.*)*)", rules)
used = set()
for e in exprs:
    for name, sel in re.findall(r"\b((?:portwarden|node)_[a-z_]+)(\{[^}]*\})?", e):
        assert name in written, "%s is not written: %s" % (name, e)
        used.add(name)
        for label in re.findall(r"([a-z_]+)\s*[=!]~?", sel):
            assert label in written[name] | scrape, "%s has no label %s" % (name, label)
    for group in re.findall(r"by \(([^)]*)\)", e):
        for label in re.split(r",\s*", group):
            assert any(label in l for l in written.values()) or label in scrape, label
for label in re.findall(r"\$labels\.([a-z_]+)", rules):
    assert any(label in l for l in written.values()) or label in scrape, label
missing = {n for n in written if n.startswith("portwarden_")} - used
print("used", len(used), "of", len(written), "; not shown:", sorted(missing))
PY
ok "the rules and the dashboard use only metrics and labels the daemon and audit write"

# the log: every line against the schema; the pipeline's configurations
stop_pw
ok "the daemon's lines follow the log schema ($(check_log_schema "$PW_LOG") lines)"
mkdir -p "$TMP/rsyslog"
printf 'global(workDirectory="%s/rsyslog")\ninclude(file="%s/log-pipeline/rsyslog.conf")\n' "$TMP" "$MON" >"$TMP/rsyslog/main.conf"
rsyslogd -N1 -f "$TMP/rsyslog/main.conf" >"$TMP/rsyslog.out" 2>&1 || { cat "$TMP/rsyslog.out"; fail "rsyslogd -N1"; }
ok "rsyslogd -N1 accepts log-pipeline/rsyslog.conf"
python3 - "$MON" <<'PY' || fail "log-pipeline/vector.toml"
import json, re, sys, tomllib
mon = sys.argv[1]
cfg = tomllib.load(open(mon + "/log-pipeline/vector.toml", "rb"))
fields = set(json.load(open(mon + "/blocked-log.schema.json"))["properties"])
names = set(cfg["sources"]) | set(cfg["transforms"])
for kind in ("transforms", "sinks"):
    for name, c in cfg[kind].items():
        for i in c["inputs"]:
            assert i in names, "%s %s reads %s, which is not defined" % (kind, name, i)
sink = cfg["sinks"]["loki"]
for v in sink["labels"].values():
    for f in re.findall(r"\{\{ *([a-z_]+) *\}\}", v):
        assert f in fields or f == "host", "label from %s, not a log field" % f
for f in re.findall(r"\.([a-z_]+)", cfg["transforms"]["portwarden_parse"]["source"]):
    assert f in fields or f in ("message", "host", "timestamp"), f
PY
ok "log-pipeline/vector.toml parses, its components connect, and it uses the schema's field names"
if command -v vector >/dev/null; then
	vector validate --no-environment "$MON/log-pipeline/vector.toml" || fail "vector validate"
	ok "vector validate"
fi
