#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Connect times, SYN out to SYN-ACK back, for `make bench`.

  connect_lat.py DST SECONDS RATE PORTS OPEN_PORTS SOURCES

Every 1/RATE s one connection to the next of PORTS (comma-separated; ports
portwarden queues) from the next of SOURCES (comma-separated local
addresses), and every tenth one to the next of OPEN_PORTS (never queued),
for SECONDS.  Prints "q US" or "o US" per connection, "lost PORT" for one
not answered within a second."""
import socket
import sys
import time

dst, secs, rate = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ports = [int(p) for p in sys.argv[4].split(",")]
open_ports = [int(p) for p in sys.argv[5].split(",")]
sources = sys.argv[6].split(",")
end = time.monotonic() + secs
i = 0
out = []
while time.monotonic() < end:
    kind, port = ("o", open_ports[i // 10 % len(open_ports)]) if i % 10 == 9 else ("q", ports[i % len(ports)])
    s = socket.socket()
    s.settimeout(1.0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.bind((sources[i % len(sources)], 0))
    t0 = time.perf_counter_ns()
    try:
        s.connect((dst, port))
        out.append("%s %.0f" % (kind, (time.perf_counter_ns() - t0) / 1000))
    except OSError:
        out.append("lost %d" % port)
    s.close()
    i += 1
    time.sleep(max(0.0, 1 / rate - (time.perf_counter_ns() - t0) / 1e9))
print("\n".join(out))
