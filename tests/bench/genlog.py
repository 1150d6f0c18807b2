#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes a blocked-connection log of LINES lines in time order, as the
# daemon writes them, for the review benchmarks (never committed data):
#   genlog.py FILE LINES [distinct|repeat] [SECONDS_PER_LINE]
# distinct: every line but the heavy hitters' comes from a /64 of its own
# (2001:db8::/32 holds 2^32 of them), so the number of sources grows with
# the file; repeat: a few thousand sources.  A tenth of the lines come from
# twenty heavy hitters in 198.51.100.0/24 and 203.0.113.0/24.
import random
import sys
import time

path, lines = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "distinct"
step = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
random.seed(7)
ports = [(22, "ssh", "open"), (143, "imap", "loopback-only"), (3306, "mysql", "loopback-only"),
         (5432, "postgresql", "lan-only"), (6379, "redis", "loopback-only"),
         (9200, "elasticsearch", "loopback-only"), (11211, "memcached", "loopback-only"),
         (27017, "mongodb", "loopback-only")]
weights = [1, 30, 12, 8, 20, 6, 4, 10]
heavy = ["198.51.100.%d" % i for i in range(2, 12)] + ["203.0.113.%d" % i for i in range(2, 12)]
start = 1795000000.0
fmt = ('{"ts":"%s.%03dZ","action":"blocked","proto":"tcp","src":"%s","sport":%d,'
       '"dst":"198.51.100.1","dport":%d,"iif":"eth0","service":"%s","policy":"%s",'
       '"path":"%s","count":%d,"listener":""}\n')
picks = random.choices(range(len(ports)), weights, k=4096)
sports = [random.randint(1024, 65535) for _ in range(4096)]
with open(path, "w") as f:
    chunk = []
    second, stamp = -1, ""
    for i in range(lines):
        t = start + i * step
        s = int(t)
        if s != second:
            second, stamp = s, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
        if i % 10 == 0:
            src = heavy[(i // 10) % len(heavy)]
        elif mode == "distinct":
            src = "2001:db8:%x:%x::1" % (i >> 16, i & 0xffff)
        else:
            src = "2001:db8:%x::%x" % (i % 4000, i % 7 + 1)
        p = ports[picks[i & 4095]]
        chunk.append(fmt % (stamp, int((t - s) * 1000), src, sports[i & 4095], p[0], p[1], p[2],
                            "kernel" if i & 1 else "queue", 1 + (i % 50 == 0) * 9))
        if len(chunk) == 65536:
            f.write("".join(chunk))
            chunk = []
    f.write("".join(chunk))
