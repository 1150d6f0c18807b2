#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A report opened in a real browser (headless Chromium, Debian's package)
# with no network: it renders, and the screenshot is kept in the build
# directory for a person to look at (build/integration/report.png).
# Where Chromium is not installed the test is skipped, loudly.
. tests/integration/lib.sh

BROWSER=$(command -v chromium || command -v chromium-browser) || {
	echo "chromium is not installed (Debian package chromium): the report's screenshot test cannot run"
	exit 77
}
LOG="$TMP/blocked.log"
python3 tests/bench/genlog.py "$LOG" 3000 repeat 30 || fail "genlog"
"$PW" --config /dev/null --db "$DB" --log "$LOG" report -o "$TMP/report.html" || fail "report exited $?"
shot="$PWD/$BUILD/integration/report.png"
mkdir -p "$(dirname "$shot")"
rm -f "$shot"
# its own profile, no background requests; the network namespace has no
# interface but loopback, down: nothing the page asked for could load
ip netns add "pw$$-nonet" 2>/dev/null && defer "ip netns del pw$$-nonet" && NONET="ip netns exec pw$$-nonet"
${NONET:-} timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/profile" \
	--window-size=1200,1700 --screenshot="$shot" "file://$TMP/report.html" >"$TMP/chromium.out" 2>&1 ||
	{ cat "$TMP/chromium.out"; fail "chromium exited $?"; }
[ -s "$shot" ] || { cat "$TMP/chromium.out"; fail "no screenshot"; }
python3 - "$shot" <<'PY' || fail "the screenshot is not a drawn page"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1200, 1700), (w, h)
# the picture's pixels: decode the IDAT stream (8-bit RGB or RGBA) and
# count colours; a blank or error page has a handful, a chart many
chunks, i = b"", 8
depth, ctype = data[24], data[25]
while i < len(data):
    n, kind = struct.unpack(">I4s", data[i:i + 8])
    if kind == b"IDAT":
        chunks += data[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(chunks)
bpp = {2: 3, 6: 4}[ctype]
stride = w * bpp + 1
colours = set()
for row in range(0, h, 7):
    line = raw[row * stride + 1:(row + 1) * stride]
    for x in range(0, len(line) - bpp, bpp * 5):
        colours.add(line[x:x + 3])
assert depth == 8 and len(colours) > 50, len(colours)
print("colours", len(colours))
PY
ok "chromium drew the report ($(wc -c <"$shot") bytes, $shot)"
