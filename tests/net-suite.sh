#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/net-suite.sh BUILD HUSK LABEL [BACKEND]: the network examples as unikernels,
# under the monitor binary HUSK, through the same checks as the native
# programs (tests/net/checks.sh): ping, a 100 MB TCP echo checked byte for
# byte, 200 concurrent connections, 1,000 connections dropped half-way
# with memory bounded, HTTP with curl and wrk, UDP, the guest as a client,
# garbage frames from the host. Then what only a unikernel has: the
# socket semantics test, name lookups through dns= (a DNS server of the
# suite's own, tests/net/dns_stub.c) and without one (libhusk's notice),
# hostile net_io calls, bad --net arguments.
#
# Each guest is a machine of its own: it gets a tap on a bridge (br0,
# 10.0.0.1) and an address 10.0.0.10 and up, all inside a namespace of
# the suite's own (tests/net/lib.sh). BACKEND (kvm, the default, or
# process) is passed to every run as --backend; kvm needs /dev/kvm. Needs
# root. Prints
# "PASS LABEL/net/name" lines and a summary line.
set -u
cd "$(dirname "$0")/.."
NET_BUILD=${1:?usage: tests/net-suite.sh BUILD HUSK LABEL}
husk=${2:?usage: tests/net-suite.sh BUILD HUSK LABEL}
label=${3:?usage: tests/net-suite.sh BUILD HUSK LABEL}
backend=${4:-kvm}
. tests/net/lib.sh
net_init "$label/net" || exit 0

for f in examples/tcp_echo.husk examples/http.husk examples/udp_echo.husk \
    examples/tcp_client.husk examples/native/http examples/native/tcp_client \
    tests/net/echo_check tests/net/udp_check tests/net/inject_frames \
    tests/guests/net_api.husk tests/guests/net_two_nics.husk \
    tests/guests/net_dns.husk tests/net/dns_stub tests/hostile/net_attack.husk; do
    [ -x "$NET_BUILD/$f" ] || {
        net_result built "$NET_BUILD/$f is missing (make check builds it)"
        exit 1
    }
done
net_topology_bridge 10.0.0 || {
    net_result topology "cannot make the namespace and its bridge"
    exit 1
}

# The next guest: a tap of its own and the next address. The guest's MTU
# is given (1500): the host side's may be raised to inject big frames.
next_host=10
net_guest_argv() { # PROG ARGS...
    local tap
    net_bridge_tap tap
    NET_GUEST_ADDR=10.0.0.$next_host
    next_host=$((next_host + 1))
    NET_ARGV=("$husk" --backend="$backend" --mem=64M
        --net:service="$tap,ip=$NET_GUEST_ADDR/24,gw=$NET_HOST_IP,mtu=1500"
        "$NET_BUILD/examples/$1.husk" -- "${@:2}")
}
net_host_mtu() { # MTU: the bridge can be no larger than its ports
    local i
    for ((i = 0; i < NET_BRIDGE_TAPS; i++)); do
        net_mtu "$NET_HOST_NS" "tap$i" "$1"
    done
    net_mtu "$NET_HOST_NS" br0 "$1"
}
. tests/net/checks.sh

# ---- the sockets layer's own semantics (loopback, its own address) ---
net_bridge_tap api_tap
net_run "$(t 120)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=64M \
    --net:service="$api_tap,ip=10.0.0.249/24" \
    "$NET_BUILD/tests/guests/net_api.husk" -- 10.0.0.249 >"$NET_TMP/out" 2>"$NET_TMP/err"
net_result socket_semantics "$(why_failed $? 0 '^net_api: 0 failed$' '' \
    "$NET_TMP/out" "$NET_TMP/err")" "$NET_TMP/out" "$NET_TMP/err"
net_note "$(grep -c '^ok ' "$NET_TMP/out") checks; $(grep -m1 FAILED "$NET_TMP/out")"

# ---- initial sequence numbers: not guessable ---------------------------
# lwIP's own start every connection from one counter (6510, 6511, ...):
# an off-path host could guess them. The guest's SYN-ACKs to four
# connections, as the bridge sees them, must spread over more than a
# million (random 32-bit numbers all fall within that about once in
# 10^10 runs).
net_guest_argv tcp_echo --port 7
net_spawn isn "$(t 60)" "$NET_HOST_NS" "${NET_ARGV[@]}"
isn_pid=$NET_PID isn_addr=$NET_GUEST_ADDR
net_wait_tcp "$NET_HOST_NS" "$isn_addr" 7 "$(t 30)" "$isn_pid"
net_spawn isn_dump "$(t 30)" "$NET_HOST_NS" tcpdump -l -nn -i br0 -c 4 \
    "src host $isn_addr and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)"
dump_pid=$NET_PID
net_wait_line "$NET_TMP/isn_dump.err" 'listening on' 10 "$dump_pid"
for i in 1 2 3 4; do
    timeout 5 ip netns exec "$NET_HOST_NS" bash -c "exec 3<>/dev/tcp/$isn_addr/7" 2>/dev/null
done
net_wait_exit "$dump_pid" 10 >/dev/null
net_stop "$isn_pid"
read -r -a isns <<<"$(sed -n 's/.*Flags \[S\.\], seq \([0-9]*\),.*/\1/p' "$NET_TMP/isn_dump.out" | tr '\n' ' ')"
why=
if [ "${#isns[@]}" != 4 ]; then
    why="saw ${#isns[@]} SYN-ACKs from the guest, not 4"
else
    lo=${isns[0]} hi=${isns[0]}
    for v in "${isns[@]}"; do
        [ "$v" -ge "$lo" ] || lo=$v
        [ "$v" -le "$hi" ] || hi=$v
    done
    [ $((hi - lo)) -gt 1000000 ] || why="the initial sequence numbers ${isns[*]} lie within $((hi - lo))"
fi
net_result isn_not_guessable "$why" "$NET_TMP/isn_dump.out" "$NET_TMP/isn_dump.err"
net_note "the guest's initial sequence numbers: ${isns[*]}"

# ---- name lookups: dns= names the suite's DNS server ------------------
# The server answers for one name, on the bridge's address; the guest's
# /etc/resolv.conf is libhusk's (the image packs none) and musl's
# getaddrinfo finds the name, and finds an unknown one missing at once.
dns_name=svc.husk.test dns_answer=192.0.2.77
net_spawn dns "$(t 120)" "$NET_HOST_NS" "$tools/dns_stub" --host "$NET_HOST_IP" \
    --name "$dns_name" --answer "$dns_answer" --seconds "$(t 100)"
dns_pid=$NET_PID
net_wait_line "$NET_TMP/dns.out" '^dns_stub: ready$' 10 "$dns_pid"
net_bridge_tap dns_tap
net_run "$(t 60)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=64M \
    --net:service="$dns_tap,ip=10.0.0.248/24,gw=$NET_HOST_IP,dns=$NET_HOST_IP" \
    "$NET_BUILD/tests/guests/net_dns.husk" -- "$dns_name" '!nosuch.husk.test' \
    >"$NET_TMP/out" 2>"$NET_TMP/err"
net_result dns_lookup "$(why_failed $? 0 "^$dns_name $dns_answer\$" '' \
    "$NET_TMP/out" "$NET_TMP/err")" "$NET_TMP/out" "$NET_TMP/err"
net_result dns_resolv_conf "$(grep -qx "resolv.conf: nameserver $NET_HOST_IP" "$NET_TMP/out" &&
    grep -qx 'resolv.conf: file, read-only' "$NET_TMP/out" ||
    echo "the guest's /etc/resolv.conf is not 'nameserver $NET_HOST_IP', read-only")" "$NET_TMP/out"
net_result dns_unknown_name "$(grep -qx 'nosuch.husk.test: Name does not resolve' "$NET_TMP/out" ||
    echo "no NXDOMAIN for nosuch.husk.test")" "$NET_TMP/out"
net_result dns_server_asked "$(grep -qx "query 1 $dns_name" "$NET_TMP/dns.out" ||
    echo "the DNS server saw no A query for $dns_name")" "$NET_TMP/dns.out"
# Packed roots (husk-cc --files): one with an /etc of its own gets the
# file in it; one with its own /etc/resolv.conf keeps it (here it names
# the server, and dns= a host where none is).
dns_packed() { # NAME IMAGE_RESOLV_CONF LINE_WANTED [DNS]
    local root=$NET_TMP/root_$1
    mkdir -p "$root/etc"
    echo "127.0.0.1 localhost" >"$root/etc/hosts"
    [ -z "$2" ] || echo "$2" >"$root/etc/resolv.conf"
    "$NET_BUILD/husk-cc" --net=service --files="$root" -O2 \
        -o "$NET_TMP/$1.husk" tests/guests/net_dns.c 2>"$NET_TMP/err" || {
        net_result "$1" "husk-cc failed" "$NET_TMP/err"
        return
    }
    net_run "$(t 60)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=64M \
        --net:service="$dns_tap,ip=10.0.0.248/24,gw=$NET_HOST_IP,dns=${4:-$NET_HOST_IP}" \
        "$NET_TMP/$1.husk" -- "$dns_name" localhost >"$NET_TMP/out" 2>"$NET_TMP/err"
    local why
    why=$(why_failed $? 0 "^$dns_name $dns_answer\$" '' "$NET_TMP/out" "$NET_TMP/err")
    [ -n "$why" ] || grep -qx "resolv.conf: $3" "$NET_TMP/out" || why="no 'resolv.conf: $3'"
    [ -n "$why" ] || grep -qx "localhost 127.0.0.1" "$NET_TMP/out" || why="the image's /etc/hosts was not read"
    net_result "$1" "$why" "$NET_TMP/out" "$NET_TMP/err"
}
dns_packed dns_packed_etc '' "nameserver $NET_HOST_IP"
dns_packed dns_packed_own_resolv_conf "nameserver $NET_HOST_IP" "nameserver $NET_HOST_IP" 10.0.0.254
net_stop "$dns_pid"
# No dns=: musl asks 127.0.0.1, nothing answers; the lookup fails after
# musl's 5 s and libhusk says why, once.
net_run "$(t 60)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=64M \
    --net:service="$dns_tap,ip=10.0.0.248/24,gw=$NET_HOST_IP" \
    "$NET_BUILD/tests/guests/net_dns.husk" -- '!a.husk.test' '!b.husk.test' \
    >"$NET_TMP/out" 2>"$NET_TMP/err"
why=$(why_failed $? 0 '^resolv.conf: none' \
    '^husk: no DNS server: a name lookup asked 127\.0\.0\.1, where none listens; give the network device one \(husk --net:NAME=\.\.\.,dns=A\.B\.C\.D\)$' \
    "$NET_TMP/out" "$NET_TMP/err")
[ -n "$why" ] || [ "$(grep -c 'no DNS server' "$NET_TMP/err")" = 1 ] || why="the notice came more than once"
net_result dns_none_notice "$why" "$NET_TMP/out" "$NET_TMP/err"

# ---- a hostile guest on the net calls: stopped, nothing sent --------
attack() { # NAME STDERR_REGEX [STATUS]
    local name=$1 re=$2 want=${3:-159} tap
    net_bridge_tap tap
    local tx0 tx1
    tx0=$(net_counter "$NET_HOST_NS" "$tap" rx_packets) # the guest's tx
    net_run "$(t 60)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=32M \
        --net:service="$tap,ip=10.0.0.250/24" \
        "$NET_BUILD/tests/hostile/net_attack.husk" -- "$name" \
        >"$NET_TMP/out" 2>"$NET_TMP/err"
    local got=$?
    tx1=$(net_counter "$NET_HOST_NS" "$tap" rx_packets)
    local why
    why=$(why_failed "$got" "$want" "^attack $name" "$re" "$NET_TMP/out" "$NET_TMP/err")
    if [ -z "$why" ] && [ "$want" = 159 ] && [ "$tx1" != "$tx0" ]; then
        why="$((tx1 - tx0)) frames left the guest before it was stopped"
    fi
    net_result "hostile_$name" "$why" "$NET_TMP/out" "$NET_TMP/err"
}
attack frame_too_long 'net_io: tx frame 0: length 1515 is not from 14 to 1514'
attack frame_huge 'net_io: tx frame 0: length 4294967295 is not from 14'
attack frame_runt 'net_io: tx frame 0: length 13 is not from 14'
attack frame_outside 'net_io: tx frame 0: buffer 0x[0-9a-f]+\+60 lies outside guest memory'
attack frame_wraps 'net_io: tx frame 0: buffer 0xffffffffffffffeb\+60 lies outside'
attack frame_in_page_tables 'net_io: tx frame 0: buffer 0x3000\+60 lies outside'
attack tso_not_tcp 'net_io: tx frame 0: mss 1 given, but the frame is no IPv4 TCP segment without IP options'
attack tso_mss_huge 'net_io: tx frame 0: mss 4294967295 is not from 1 to 1460 \(MTU 1500 - 40\)'
attack tso_too_long "net_io: tx frame 0: a TSO frame's length 65550 is not from 54 to 65549"
attack tso_outside 'net_io: tx frame 0: buffer 0x[0-9a-f]+\+60 lies outside guest memory'
attack second_bad 'net_io: tx frame 1: length 1515'
attack tx_count_huge 'net_io: tx count 65 exceeds 64'
attack tx_array_outside 'net_io: 2 tx frames at 0x[0-9a-f]+ lie outside guest memory'
attack rx_small 'net_io: rx buffer 1: cap 1513 is less than a whole frame \(1514\)'
attack rx_outside 'net_io: rx buffer 1: 0x[0-9a-f]+\+1514 lies outside guest memory'
attack rx_count_huge 'net_io: rx count 2147483648 exceeds 64'
attack timeout_huge 'net_io: timeout 18446744073709551615 ns exceeds one hour'
attack padding 'net_io: padding is not zero'
attack bad_handle 'net_io: 5 is not a network device'
attack info_bad_handle 'net_info: 1 is not a network device'
attack ok '' 0
# A guest that sends as fast as it can: the monitor keeps up, stays
# within its memory, and stops it at --timeout.
net_bridge_tap flood_tap
net_spawn flood "$(t 60)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=32M --timeout="$(t 10)" \
    --net:service="$flood_tap,ip=10.0.0.251/24" \
    "$NET_BUILD/tests/hostile/net_attack.husk" -- flood 600
flood_pid=$NET_PID
sleep 2
rss1=$(net_rss_kb "$flood_pid")
net_wait_exit "$flood_pid" "$(t 30)"
net_result hostile_tx_flood_stopped_by_timeout "$(why_failed $? 124 '^attack flood' \
    'guest stopped: --timeout=' "$NET_TMP/flood.out" "$NET_TMP/flood.err")" \
    "$NET_TMP/flood.out" "$NET_TMP/flood.err"
net_result hostile_tx_flood_monitor_small "$([ "${rss1:-0}" -gt 0 ] && [ "${rss1:-0}" -lt 16384 ] ||
    echo "the monitor's RSS was ${rss1:-unknown} KiB during the flood")"

# ---- two devices in one guest, a given MAC, jumbo frames -------------
# Not on the bridge: two taps, two subnets; the second with MTU 9000 on
# both sides, so that a 8000-byte ping crosses unfragmented.
net_tap "$NET_HOST_NS" nicA 10.0.2.1 && net_tap "$NET_HOST_NS" nicB 10.0.3.1 &&
    net_mtu "$NET_HOST_NS" nicB 9000
net_spawn two "$(t 300)" "$NET_HOST_NS" "$husk" --backend="$backend" --mem=64M \
    --net:service=nicA,ip=10.0.2.2/24,mac=02:00:00:00:00:42 \
    --net:other=nicB,ip=10.0.3.2/24 \
    "$NET_BUILD/tests/guests/net_two_nics.husk" -- --port 7
two_pid=$NET_PID
for ip in 10.0.2.2 10.0.3.2; do
    check "two_nics_udp_$ip" 0 '^udp ok' 60 \
        "$tools/udp_check" --host "$ip" --port 7 --count 50 --first-wait "$(t 10)"
done
net_result two_nics_given_mac "$([ "$(net_neigh_mac "$NET_HOST_NS" 10.0.2.2)" = 02:00:00:00:00:42 ] ||
    echo "10.0.2.2 is at $(net_neigh_mac "$NET_HOST_NS" 10.0.2.2), not 02:00:00:00:00:42")"
check two_nics_jumbo_ping 0 ' 0% packet loss' 20 ping -c 2 -i 0.2 -W 5 -M do -s 8000 10.0.3.2
net_stop "$two_pid"

# ---- bad --net arguments: one line, status 125 -----------------------
net_bridge_tap spare_tap
image=$NET_BUILD/examples/udp_echo.husk
bad() { # NAME STDERR_REGEX ARGS...
    local name=$1 re=$2
    shift 2
    net_run 20 "$NET_HOST_NS" "$husk" --backend="$backend" "$@" >"$NET_TMP/out" 2>"$NET_TMP/err"
    local got=$? why
    why=$(why_failed "$got" 125 '' "$re" "$NET_TMP/out" "$NET_TMP/err")
    [ -n "$why" ] || [ "$(wc -l <"$NET_TMP/err")" = 1 ] || why="more than one line on stderr"
    net_result "arg_$name" "$why" "$NET_TMP/err"
}
bad missing_tap "^husk: --net:service: no network interface 'nosuch0' here \(create it first: ip tuntap add nosuch0 mode tap\)$" \
    --net:service=nosuch0,ip=10.0.0.9/24 "$image"
bad not_a_tap "^husk: --net:service: 'br0' is not a tap device" \
    --net:service=br0,ip=10.0.0.9/24 "$image"
# tap0 belongs to the echo server, still running.
bad tap_busy "^husk: --net:service: tap 'tap0' is in use by another process$" \
    --net:service="tap0,ip=10.0.0.9/24" "$image"
bad no_address "^husk: --net:service=$spare_tap: no address for the guest: add ip=A.B.C.D/N" \
    --net:service="$spare_tap" "$image"
bad bad_address "^husk: --net:service=$spare_tap,ip=10.0.0.300/24: ip=10.0.0.300/24: '10.0.0.300' is not an IPv4 address$" \
    --net:service="$spare_tap,ip=10.0.0.300/24" "$image"
bad bad_gateway "^husk: --net:service=$spare_tap,ip=10.0.0.9/24,gw=10.1.0.1: gw=10.1.0.1: not another host on the guest's subnet 10.0.0.0/24$" \
    --net:service="$spare_tap,ip=10.0.0.9/24,gw=10.1.0.1" "$image"
bad bad_dns "^husk: --net:service=$spare_tap,ip=10.0.0.9/24,dns=127.0.0.1: dns=127.0.0.1: that is the guest's own loopback, not the host's" \
    --net:service="$spare_tap,ip=10.0.0.9/24,dns=127.0.0.1" "$image"
bad bad_option "unknown option 'speed'" \
    --net:service="$spare_tap,ip=10.0.0.9/24,speed=10" "$image"
bad not_declared "^husk: --net:other: the image declares no device 'other' \(build it with husk-cc --net=other\)$" \
    --net:service="$spare_tap,ip=10.0.0.9/24" --net:other="$spare_tap,ip=10.0.0.8/24" "$image"
bad not_given "^husk: the image needs net device 'service'; attach it with --net:service=TAP$" "$image"

net_summary
