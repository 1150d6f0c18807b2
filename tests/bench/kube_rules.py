#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""kube-proxy-shaped nat rules for iptables-nft-restore, as kube-proxy's
iptables mode writes them: KUBE-SERVICES (one rule per ClusterIP port),
KUBE-SVC-* (one -m statistic rule per endpoint), KUBE-SEP-* (mark, DNAT),
KUBE-NODEPORTS and KUBE-EXT-* for every tenth service.  Documentation
prefixes only, apart from the test hosts' own addresses: ClusterIPs in
203.0.113.128/25, pods in 203.0.113.0/25.

  kube_rules.py RULES              the whole nat table, about RULES rules
  kube_rules.py RULES churn ROUND  the same services, 1% of them with new
                                   endpoints (--noflush: only their chains)
The first NodePort service is 30432 -> pods :5432 with 3 endpoints."""
import hashlib
import sys

RULES_PER_SERVICE = 11          # 1 in KUBE-SERVICES, 1 masq, 3 SVC, 6 SEP


def chain_id(*parts):
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:16].upper()


def service(i, rnd=0):
    """(svc chain, ext chain or None, rules, chains) of service i in round rnd"""
    cip = "203.0.113.%d" % (130 + i % 120)
    port = 5432 if i == 0 else 1024 + i // 120
    svc = "KUBE-SVC-" + chain_id("svc", i)
    ext = "KUBE-EXT-" + chain_id("ext", i) if i % 10 == 0 else None
    name = "bench/svc%d:p" % i
    chains, rules = [svc], []
    rules.append('-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment "%s cluster IP" '
                 '-m tcp --dport %d -j %s' % (cip, name, port, svc))
    rules.append('-A %s ! -s 203.0.113.0/25 -d %s/32 -p tcp -m comment --comment "%s cluster IP" '
                 '-m tcp --dport %d -j KUBE-MARK-MASQ' % (svc, cip, name, port))
    n = 3
    for k in range(n):
        pod = "203.0.113.%d" % (2 + (i * 3 + k + rnd) % 120)
        sep = "KUBE-SEP-" + chain_id("sep", i, k, rnd)
        chains.append(sep)
        left = n - k
        stat = " -m statistic --mode random --probability %.11f" % (1 / left) if left > 1 else ""
        rules.append('-A %s -m comment --comment "%s -> %s:%d"%s -j %s' % (svc, name, pod, port, stat, sep))
        rules.append('-A %s -s %s/32 -m comment --comment "%s" -j KUBE-MARK-MASQ' % (sep, pod, name))
        rules.append('-A %s -p tcp -m comment --comment "%s" -m tcp -j DNAT --to-destination %s:%d'
                     % (sep, name, pod, port))
    if ext:
        chains.append(ext)
        node_port = 30432 if i == 0 else 30000 + (i // 10) % 2768
        rules.append('-A KUBE-NODEPORTS -p tcp -m comment --comment "%s" -m tcp --dport %d -j %s'
                     % (name, node_port, ext))
        rules.append('-A %s -m comment --comment "masquerade traffic for %s external destinations" '
                     '-j KUBE-MARK-MASQ' % (ext, name))
        rules.append('-A %s -j %s' % (ext, svc))
    return rules, chains


def full(nrules):
    nsvc = max(1, nrules // RULES_PER_SERVICE)
    out = ["*nat", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
           ":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-POSTROUTING - [0:0]",
           ":KUBE-MARK-MASQ - [0:0]"]
    body = []
    for i in range(nsvc):
        rules, chains = service(i)
        out += [":%s - [0:0]" % c for c in chains]
        body += rules
    out += ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
            '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
            '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
            '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
            '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
            '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
            '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" '
            '-j MASQUERADE --random-fully']
    out += body
    out.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must '
               'be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
    out.append("COMMIT")
    return out


def version(i, rnd, nsvc):
    """how often service i had new endpoints by round rnd: round r rewrites
    block (r - 1) % nblocks of 1% of the services"""
    count = max(1, nsvc // 100)
    nblocks = nsvc // count
    blk = i // count
    if blk >= nblocks or rnd - 1 < blk:
        return 0
    return (rnd - 1 - blk) // nblocks + 1


def churn(nrules, rnd):
    """1% of the services get new endpoints: their SVC chain is rewritten,
    new SEP chains added, the old ones flushed and deleted, as kube-proxy's
    partial sync does"""
    nsvc = max(1, nrules // RULES_PER_SERVICE)
    count = max(1, nsvc // 100)
    blk = (rnd - 1) % (nsvc // count)
    out = ["*nat"]
    body, gone = [], []
    for i in range(blk * count, blk * count + count):
        rules, chains = service(i, version(i, rnd, nsvc))
        old_rules, old_chains = service(i, version(i, rnd - 1, nsvc))
        svc = chains[0]
        out.append(":%s - [0:0]" % svc)     # flushes it
        out += [":%s - [0:0]" % c for c in chains[1:] if c.startswith("KUBE-SEP")]
        body += [r for r in rules if r.startswith("-A " + svc) or r.startswith("-A KUBE-SEP")]
        gone += [c for c in old_chains if c.startswith("KUBE-SEP")]
    out += [":%s - [0:0]" % c for c in gone]
    out += body
    out += ["-X %s" % c for c in gone]
    out.append("COMMIT")
    return out


if __name__ == "__main__":
    n = int(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "churn":
        lines = churn(n, int(sys.argv[3]))
    else:
        lines = full(n)
    print("\n".join(lines))
