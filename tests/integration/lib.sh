# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the integration tests; sourced, not run.
set -u
PW="$PWD/$BUILD/portwarden"
DB="$PWD/rules/ports.db"
TMP=$(mktemp -d /tmp/pw-test.XXXXXX)
CHECKS=0

fail() {
	echo "FAILED: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $*"
}

# expect_contains TEXT NEEDLE DESCRIPTION
expect_contains() {
	case "$1" in
	*"$2"*) ok "$3" ;;
	*) fail "$3: expected to find [$2] in: $1" ;;
	esac
}

expect_not_contains() {
	case "$1" in
	*"$2"*) fail "$3: did not expect [$2] in: $1" ;;
	*) ok "$3" ;;
	esac
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root for network namespaces"
		exit 77
	fi
}

CLEANUPS=()
on_exit() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# defer CMD: run CMD when the test exits, last deferred first
defer() {
	CLEANUPS+=("$1")
}

# nap SECONDS: sleep without starting a process (a read that times out on a
# pipe nobody writes to).  Wait loops nap hundreds of times, and a process
# start costs milliseconds of CPU that scenarios running side by side share.
exec {NAP_FD}<> <(:)
nap() {
	read -rt "$1" -u "$NAP_FD" || :
}

# file_has FILE TEXT: FILE contains TEXT, read without starting a process
file_has() {
	[[ $(<"$1") == *"$2"* ]]
} 2>/dev/null

# ---- test hosts ---------------------------------------------------------
# make_hosts: a protected host, an "internet" peer and a LAN peer, each in
# its own namespace, joined to the host by veth pairs.  Documentation
# prefixes only, and only inside these namespaces:
#   host <-> inet  198.51.100.1/24  .2   2001:db8:100::1/64  ::2
#   host <-> lan   192.0.2.1/24     .2   2001:db8:200::1/64  ::2
HOST4=198.51.100.1 INET4=198.51.100.2 HOST6=2001:db8:100::1 INET6=2001:db8:100::2
HOSTLAN4=192.0.2.1 LAN4=192.0.2.2 HOSTLAN6=2001:db8:200::1 LAN6=2001:db8:200::2
TOOLS="$PWD/$BUILD/tools"

new_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	# whatever still runs inside dies with the namespace
	defer "ip netns pids $1 | xargs -r kill -9; ip netns del $1"
	# No duplicate address detection on the interfaces made in it: while a
	# link-local address is tentative the kernel sends no neighbour
	# solicitation for forwarded packets, and the first probes through a
	# fresh bridge or veth go silent for a second or two.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_dad=0 || fail "sysctl accept_dad in $1"
	ip -n "$1" link set lo up
}

# v6_ready NS IF: waits until IPv6 on IF is up: the kernel configures it
# only once the link reports its carrier (up to a second later, more on a
# loaded machine), and until then drops the neighbour solicitations for
# its addresses, so a first datagram would go unanswered
v6_ready() {
	local i
	for i in $(seq 400); do
		[ -n "$(ip -n "$1" -6 addr show dev "$2" scope link)" ] &&
			[ -z "$(ip -n "$1" -6 addr show dev "$2" tentative)" ] && return 0
		nap 0.05
	done
	fail "IPv6 on $2 in $1 never came up: $(ip -n "$1" -6 addr show dev "$2" 2>&1; ip -n "$1" link show dev "$2" 2>&1)"
}

link_ns() {	# link_ns NS_A IF_A ADDR4_A ADDR6_A NS_B IF_B ADDR4_B ADDR6_B
	ip link add "$2" netns "$1" type veth peer name "$6" netns "$5" || fail "veth $2"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" addr add "$4/64" dev "$2" nodad
	ip -n "$5" addr add "$7/24" dev "$6"
	ip -n "$5" addr add "$8/64" dev "$6" nodad
	ip -n "$1" link set "$2" up
	ip -n "$5" link set "$6" up
	v6_ready "$1" "$2"
	v6_ready "$5" "$6"
}

make_hosts() {
	local id="pw$$"
	NS_HOST="$id-host" NS_INET="$id-inet" NS_LAN="$id-lan"
	new_ns "$NS_HOST"
	new_ns "$NS_INET"
	new_ns "$NS_LAN"
	link_ns "$NS_HOST" h-inet "$HOST4" "$HOST6" "$NS_INET" i-host "$INET4" "$INET6"
	link_ns "$NS_HOST" h-lan "$HOSTLAN4" "$HOSTLAN6" "$NS_LAN" l-host "$LAN4" "$LAN6"
	ip -n "$NS_INET" route add default via "$HOST4"
	ip -n "$NS_INET" -6 route add default via "$HOST6"
	ip -n "$NS_LAN" route add default via "$HOSTLAN4"
	ip -n "$NS_LAN" -6 route add default via "$HOSTLAN6"
}

# make_container NAME ADDR4 ADDR6: a namespace behind bridge pwbr0 of the
# host namespace, as a container runtime makes one; the bridge is
# 203.0.113.1/24, 2001:db8:113::1/64 and the gateway of the namespace.
BRIDGE4=203.0.113.1 BRIDGE6=2001:db8:113::1
make_container() {
	local ns="pw$$-$1" n=$((${#CONTAINERS[@]} + 1))
	if ! in_host ip link show pwbr0 >/dev/null 2>&1; then
		in_host ip link add pwbr0 type bridge || fail "bridge pwbr0"
		in_host ip addr add "$BRIDGE4/24" dev pwbr0
		in_host ip addr add "$BRIDGE6/64" dev pwbr0 nodad
		in_host ip link set pwbr0 up
	fi
	new_ns "$ns"
	ip link add "h-ct$n" netns "$NS_HOST" type veth peer name eth0 netns "$ns" || fail "veth $ns"
	in_host ip link set "h-ct$n" master pwbr0 up
	ip -n "$ns" addr add "$2/24" dev eth0
	ip -n "$ns" addr add "$3/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
	v6_ready "$ns" eth0
	ip -n "$ns" route add default via "$BRIDGE4"
	ip -n "$ns" -6 route add default via "$BRIDGE6"
	CONTAINERS+=("$ns")
}
CONTAINERS=()

in_host() { ip netns exec "$NS_HOST" "$@"; }
in_inet() { ip netns exec "$NS_INET" "$@"; }
in_lan() { ip netns exec "$NS_LAN" "$@"; }

# serve NS tcp|udp PORT: a server on every address of NS answering "pong"
# (socat for TCP, serve_udp for UDP)
serve() {
	if [ "$2" = udp ]; then
		serve_udp "$1" "$3"
		return
	fi
	ip netns exec "$1" socat "TCP6-LISTEN:$3,ipv6only=0,fork,reuseaddr" SYSTEM:'echo pong' \
		>/dev/null 2>&1 &
	defer "kill $!"
}

wait_listening() {	# wait_listening NS tcp|udp PORT
	local i flag=-lnt
	[ "$2" = udp ] && flag=-lnu
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$1" ss -H "$flag" "sport = :$3")" ] && return 0
		nap 0.1
	done
	fail "nothing listens on $2/$3 in $1"
}

# probe_silent NS PROTO ADDR PORT: the prober's answer, without waiting out
# its whole timeout once the kernel shows the attempt dropped: when the
# host's table has counted it in a dropping or queueing rule and no packet
# is left waiting for a verdict (tools/settled.c), any answer (the kernel's
# SYN-ACK or reset after an accept, a UDP server's reply) is already on its
# way, and a short grace catches it.
probe_silent() {
	local before out="$TMP/probe.out" pid grace=0.2
	[ "$2" = udp ] && grace=0.5	# a UDP answer comes from a server process
	before=$("$TOOLS/settled" "$NS_HOST") || before=
	ip netns exec "$1" "$TOOLS/probe" "$2" "$3" "$4" 1500 >"$out" &
	pid=$!
	if [ -n "$before" ] && "$TOOLS/settled" "$NS_HOST" "$before" 1500; then
		nap "$grace"
		kill -USR1 "$pid" 2>/dev/null
	fi
	wait "$pid"
	cat "$out"
}

# expect_probe NS PROTO ADDR PORT WANT: WANT is open, refused or silent.
# An answer ends the prober's wait, so waiting long for one that is
# expected costs nothing when it comes; on a loaded machine a UDP server's
# forked reply can take over a second.
expect_probe() {
	local got
	if [ "$5" = silent ]; then
		got=$(probe_silent "$1" "$2" "$3" "$4")
	else
		got=$(ip netns exec "$1" "$TOOLS/probe" "$2" "$3" "$4" 5000)
	fi
	[ "$got" = "$5" ] || fail "$2 $3 port $4 from $1: got $got, want $5"
	ok "$2 [$3]:$4 from ${1##*-} is $5"
}

# start_pw [CONFIG LINES...]: runs the daemon in the host namespace, with
# the shipped database and PW_LOCAL_RULES (when set) after it
start_pw() {
	local line i
	: >"$TMP/pw.conf"
	for line in "$@"; do echo "$line" >>"$TMP/pw.conf"; done
	# the adoption window's state is the test's, never the machine's: an
	# installed package's window would turn lan-only blocks into would-block
	grep -q '^adopt_state' "$TMP/pw.conf" || echo "adopt_state = $TMP/adopt.state" >>"$TMP/pw.conf"
	PW_LOG="${PW_LOG:-$TMP/blocked.log}"
	# emptied here, not by the redirection below: that one happens in the
	# child, and the wait below could read the previous run's "installed"
	: >"$TMP/pw.out"
	# PW_WRAP: a command to run the daemon under, e.g. valgrind
	# PW_LOCAL_RULES: a second rules file, as local.rules
	ip netns exec "$NS_HOST" ${PW_WRAP:-} "$PW" --config "$TMP/pw.conf" --db "$DB" \
		${PW_LOCAL_RULES:+--db "$PW_LOCAL_RULES"} --log "$PW_LOG" run >"$TMP/pw.out" 2>&1 &
	PW_PID=$!
	defer "kill -9 $PW_PID"
	for i in $(seq 600); do
		file_has "$TMP/pw.out" "installed" && return 0
		kill -0 "$PW_PID" 2>/dev/null || { cat "$TMP/pw.out"; fail "portwarden exited at start"; }
		nap 0.05
	done
	cat "$TMP/pw.out"
	fail "portwarden did not report the table installed"
}

stop_pw() {
	kill -TERM "$PW_PID"
	wait "$PW_PID"
	PW_STATUS=$?
}

# The installed ruleset, as the real nft CLI reads it back.
nft_json() {
	in_host nft -j list table inet portwarden
}

# set_has SET PROTO PORT: the set holds the element (read from the kernel
# by tools/nftset: nft -j and a JSON parser cost a tenth of a second of CPU
# a call, and some tests poll this)
set_has() {
	"$TOOLS/nftset" "$NS_HOST" "$1" "$2" "$3" 2>/dev/null
}

# set_elems SET: the elements of a set as nft reads them back
set_elems() {
	in_host nft -j list set inet portwarden "$1" | python3 -c '
import json, sys
def show(v):
    if isinstance(v, dict) and "prefix" in v:
        return "%s/%d" % (v["prefix"]["addr"], v["prefix"]["len"])
    if isinstance(v, dict) and "concat" in v:
        return " . ".join(show(x) for x in v["concat"])
    return str(v)
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(show(e["elem"]["val"] if isinstance(e, dict) and "elem" in e else e))'
}

# wait_log TEXT...: waits for a blocked-connection log line holding every TEXT
wait_log() {
	local i t line
	for i in $(seq 100); do
		while read -r line; do
			for t in "$@"; do
				case "$line" in *"$t"*) ;; *) continue 2 ;; esac
			done
			return 0
		done <"$PW_LOG"
		nap 0.05
	done
	cat "$PW_LOG"
	fail "no log line with [$*]"
}

# queue_seq: packets handed to queue 0 in the host namespace so far
queue_seq() {
	in_host awk '$1 == 0 { print $8 }' /proc/net/netfilter/nfnetlink_queue
}

# wait_until DESCRIPTION CMD...: polls CMD (every 0.1 s, at most 10 s)
# until it succeeds; a fact, not a delay
wait_until() {
	local what=$1 i
	shift
	for i in $(seq 100); do
		"$@" && return 0
		nap 0.1
	done
	fail "timed out waiting for: $what"
}

# start_dovecot NS PROTOCOLS: a real Dovecot in NS on every address, user
# alice/wonderland, TLS with a throw-away certificate; sets DOVECOT_PID
start_dovecot() {
	local d="$TMP/dovecot"
	mkdir -p "$d/run" "$d/home/alice"
	chmod 755 "$TMP" "$d"
	chown -R nobody:nogroup "$d/home"
	[ -e "$d/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 1 \
		-subj /CN=mail.example.test -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null ||
		fail "openssl cannot make a certificate"
	echo 'alice:{PLAIN}wonderland::::::' >"$d/passwd"
	cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/run
protocols = $2
listen = *, ::
ssl = yes
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = $d/dovecot.log
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = $d/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%u
}
CONF
	ip netns exec "$1" dovecot -F -c "$d/dovecot.conf" &
	DOVECOT_PID=$!
	defer "kill $DOVECOT_PID"
}

# start_postfix NS: Postfix's real master and smtpd on 25 of every address
# of NS, configured under TMP; sets POSTFIX_PID
start_postfix() {
	local p="$TMP/postfix"
	mkdir -p "$p/conf" "$p/queue/pid" "$p/queue/public" "$p/queue/private" "$p/data"
	chmod 755 "$TMP" "$p" "$p/queue"
	chown postfix "$p/queue/public" "$p/queue/private" "$p/data"
	cat >"$p/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $p/queue
data_directory = $p/data
mail_owner = postfix
inet_interfaces = all
inet_protocols = all
myhostname = mail.example.test
mydestination =
CONF
	cat >"$p/conf/master.cf" <<CONF
smtp      inet  n  -  n  -  -  smtpd
proxymap  unix  -  -  n  -  -  proxymap
anvil     unix  -  -  n  -  1  anvil
CONF
	ip netns exec "$1" /usr/lib/postfix/sbin/master -d -c "$p/conf" &
	POSTFIX_PID=$!
	defer "kill $POSTFIX_PID"
}

# check_log_schema FILE...: every line the daemon wrote is valid against
# packaging/monitoring/blocked-log.schema.json (python3-jsonschema)
check_log_schema() {
	python3 - "$PWD/packaging/monitoring/blocked-log.schema.json" "$@" <<'PY' || fail "log lines do not follow the schema"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
check = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
n = 0
for path in sys.argv[2:]:
    for i, line in enumerate(open(path, encoding="utf-8"), 1):
        for e in check.iter_errors(json.loads(line)):
            sys.exit("%s:%d: %s: %s" % (path, i, "/".join(map(str, e.path)), e.message))
        n += 1
assert n, "no lines"
print(n)
PY
}

# serve_udp NS PORT: a UDP server on every address of NS answering each
# datagram with "pong", one process, no fork: socat's UDP-RECVFROM,fork
# left about one datagram in seven unanswered here (a probe then reads
# "silent" for an open port)
serve_udp() {
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(b"pong\n", a)' "$2" &
	defer "kill $!"
}
