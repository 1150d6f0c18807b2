#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `portwarden report` over a day of log lines written by a script: the page
# parses, fetches nothing, draws one series per port in the data, and its
# numbers are those of `log --summary --json` for the same filters; the
# text form has the same sections; `log --since` (a binary search) and
# --local-time answer as a plain filter over the file does.
. tests/integration/lib.sh

LOG="$TMP/blocked.log"
# 3000 lines, one every 30 s (25 hours: an hourly view), eight ports
python3 tests/bench/genlog.py "$LOG" 3000 repeat 30 || fail "genlog"
# a service name from the log that tries to open a tag
printf '%s\n' '{"ts":"2026-11-19T12:00:00.000Z","action":"blocked","proto":"udp","src":"2001:db8:5:6::7","sport":5,"dst":"198.51.100.1","dport":47808,"iif":"eth0","service":"<img src=x onerror=alert(1)>","policy":"lan-only","path":"queue","count":4,"listener":""}' >>"$LOG"
pw() { "$PW" --config /dev/null --db "$DB" --log "$LOG" "$@"; }

pw report -o "$TMP/report.html" || fail "report exited $?"
ok "report wrote $(wc -c <"$TMP/report.html") bytes"
pw --json log --summary >"$TMP/summary.json" || fail "log --summary --json exited $?"

python3 - "$TMP/report.html" "$TMP/summary.json" "$LOG" <<'PY' || fail "the page does not say what the summary says"
import html.parser, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
summary = json.load(open(sys.argv[2]))
ports_in_log = {(json.loads(l)["dport"], json.loads(l)["proto"]) for l in open(sys.argv[3])}

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "wbr", "source"}
SVG_EMPTY = {"line", "path", "rect", "circle"}
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.rows, self.series, self.totals, self.errors = [], [], [], {}, []
        self.tags, self.attrs, self.style = set(), [], ""
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        self.attrs += attrs
        if tag not in VOID: self.stack.append(tag)
        if tag == "tr" and "data-key" in a: self.rows.append((self.where(), a["data-key"], int(a["data-count"])))
        if tag == "path" and a.get("class") == "series": self.series.append(a["data-port"])
        if a.get("id") == "totals": self.totals = a
        if tag == "section": self.section = a.get("id")
    def where(self): return getattr(self, "section", None)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID: self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style": self.style += data
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag, self.stack[-1:] or "nothing"))
            return
        self.stack.pop()
p = Page()
p.feed(page)
p.close()
assert not p.errors, p.errors[:5]
assert p.stack == [], p.stack
# nothing the page would fetch: no element that loads anything, no
# attribute that names an address, no address in the style
assert not p.tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio",
                     "source", "image", "use", "base", "form"}, p.tags
for name, value in p.attrs:
    assert name not in ("src", "href", "xlink:href", "action", "poster", "srcset", "data"), name
    assert "url(" not in (value or "") and "://" not in (value or ""), (name, value)
assert "url(" not in p.style and "@import" not in p.style and "://" not in p.style
# one series per port in the data
assert len(p.series) == len(ports_in_log), (p.series, ports_in_log)
assert {s.split()[0] for s in p.series} == {"%d/%s" % pd for pd in ports_in_log}, p.series
# the page's numbers are the summary's
assert int(p.totals["data-attempts"]) == summary["attempts"], (p.totals, summary["attempts"])
assert int(p.totals["data-lines"]) == summary["lines"]
ports = [(k, n) for s, k, n in p.rows if s == "ports"]
assert ports == [("%d/%s" % (x["port"], x["proto"]), x["count"]) for x in summary["ports"][:10]], ports
sources = [(k, n) for s, k, n in p.rows if s == "sources"]
assert sources == [(x["key"], x["count"]) for x in summary["sources"]], sources
# the hostile service name is text, not a tag
assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
PY
ok "the page parses, fetches nothing, draws one series per port and says what log --summary --json says"

# the SVG on its own is well-formed XML
sed -n '/<svg /,/<\/svg>/p' "$TMP/report.html" >"$TMP/chart.svg"
xmllint --noout "$TMP/chart.svg" || fail "the chart is not well-formed"
ok "the chart is well-formed XML ($(grep -c 'class="series"' "$TMP/chart.svg") series)"

# the same filters, the same numbers
for filter in "--port 6379" "--since 2026-11-19T02:00:00Z" "--source 2001:db8::/32" \
	"--service imap --until 2026-11-19" "--port 47808"; do
	# shellcheck disable=SC2086
	pw --json log --summary $filter >"$TMP/s.json" || fail "log --summary $filter"
	# shellcheck disable=SC2086
	pw report $filter -o "$TMP/r.html" || fail "report $filter"
	python3 - "$TMP/r.html" "$TMP/s.json" <<'PY' || fail "$filter: page and summary differ"
import json, re, sys
page, s = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
assert s["lines"] > 0, "the filter selects nothing"
assert 'data-attempts="%d" data-lines="%d"' % (s["attempts"], s["lines"]) in page
rows = re.findall(r'<tr data-key="([^"]*)" data-count="(\d+)"', page)
want = [("%d/%s" % (p["port"], p["proto"]), str(p["count"])) for p in s["ports"][:10]]
want += [(x["key"], str(x["count"])) for x in s["sources"]]
assert rows == want, (rows, want)
assert page.count('class="series"') == min(len(s["ports"]), 11)
PY
	ok "report $filter says what log --summary $filter says"
done

text=$(pw report --text)
for section in "Attempts per hour (UTC)" "Top ports:" "Top sources (IPv6 by /64):" "Listening ports now:"; do
	expect_contains "$text" "$section" "report --text has \"$section\""
done
expect_contains "$text" "143/tcp imap" "report --text draws 143/tcp"
echo "$text" | grep -q '143/tcp imap .*[▁▂▃▄▅▆▇█]' || fail "no sparkline for 143/tcp: $text"
ok "report --text draws sparklines"

# log --since finds its lines by a binary search: the same lines as a
# filter over the whole file
since="2026-11-19T02:00:00Z"
n=$(pw --json log --since "$since" | grep -c .)
want=$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["ts"] >= sys.argv[2]))' "$LOG" "2026-11-19T02:00:00.000Z")
[ "$n" -eq "$want" ] || fail "--since $since: $n lines, want $want"
ok "--since gives the $want lines at or after it"

# --local-time: the same attempts, on another clock
utc=$(pw log --summary | grep -c '^  2026-11-18 1[0-9]:00')
tz=$(TZ=EST5 pw log --summary --local-time)
expect_contains "$tz" "by hour (local time):" "--local-time labels the hours"
expect_contains "$tz" "2026-11-18 06:00" "--local-time moves the hours five hours back"
[ "$utc" -gt 0 ] || fail "no UTC hours counted"
first=$(TZ=EST5 pw log --local-time | sed -n 2p)
expect_contains "$first" "2026-11-18 06:06:40" "--local-time rows in local time"

# more distinct sources than the summary keeps apart: it says so, the heavy
# sources' counts are still exact, and every count bounds the truth
python3 tests/bench/genlog.py "$TMP/many.log" 90000 distinct 0.5 || fail "genlog"
"$PW" --config /dev/null --log "$TMP/many.log" --json log --summary >"$TMP/many.json"
python3 - "$TMP/many.json" "$TMP/many.log" <<'PY' || fail "the summary of 90000 sources"
import collections, ipaddress, json, sys
s = json.load(open(sys.argv[1]))
truth = collections.Counter()
for line in open(sys.argv[2]):
    o = json.loads(line)
    a = ipaddress.ip_address(o["src"])
    key = str(a) if a.version == 4 else "%s/64" % ipaddress.ip_network(o["src"] + "/64", strict=False).network_address
    truth[key] += o["count"]
assert len(truth) > 65536 and s["sources_approximate"] is True, (len(truth), s["sources_approximate"])
for x in s["sources"]:
    t = truth[x["key"]]
    assert x["count"] - x["error"] <= t <= x["count"], (x, t)
top = [k for k, _ in truth.most_common(4)]
assert [x["key"] for x in s["sources"][:4]] == sorted(top, key=lambda k: (-truth[k], k)) or \
       {x["key"] for x in s["sources"][:4]} == set(top), (s["sources"][:4], top)
assert all(x["error"] == 0 and x["count"] == truth[x["key"]] for x in s["sources"][:4])
PY
ok "past 65536 sources the summary says it is approximate, bounds every count and keeps the heaviest exact"
text=$("$PW" --config /dev/null --log "$TMP/many.log" log --summary)
expect_contains "$text" "of 65536+ distinct" "the text says there were more sources than counted"
expect_contains "$text" "a range A-B" "the text explains its ranges"

# the audit's second part, in a namespace of its own: a port published by
# DNAT that leads to a guarded one is in the report, first, as exposed
require_root
ns="pwr$$-nat"
new_ns "$ns"
ip netns exec "$ns" nft -f - <<'NFT' || fail "nft: the DNAT rule"
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		tcp dport 15432 dnat to 192.0.2.2:5432
	}
}
NFT
text=$(ip netns exec "$ns" "$PW" --config /dev/null --db "$DB" --log "$LOG" report --text) ||
	fail "report --text in the namespace exited $?"
row=$(echo "$text" | sed -n '/^Published ports now (DNAT):/,$p' | sed -n 3p)
for word in exposed 15432/tcp 192.0.2.2:5432 dnat postgresql lan-only; do
	expect_contains "$row" "$word" "report --text: the published port's row says $word"
done
ip netns exec "$ns" "$PW" --config /dev/null --db "$DB" --log "$LOG" report -o "$TMP/ns.html" ||
	fail "report in the namespace exited $?"
python3 - "$TMP/ns.html" <<'PY' || fail "the page's published ports"
import html.parser, sys
class Rows(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.section = None; self.rows = []; self.cell = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
        elif tag == "tr" and self.section == "published":
            self.rows.append([])
        elif tag == "td" and self.section == "published":
            self.cell = ""
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell); self.cell = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
p = Rows()
p.feed(open(sys.argv[1]).read())
rows = [r for r in p.rows if r]
assert len(rows) == 1, rows
assert rows[0][:6] == ["exposed", "15432/tcp", "*", "192.0.2.2:5432", "dnat", "postgresql"], rows
assert rows[0][6].startswith("lan-only"), rows
PY
ok "the page has the published port, exposed, with its target, kind and service"
