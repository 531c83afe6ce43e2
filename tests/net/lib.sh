# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/net/lib.sh: the network test harness. Source it, call net_init,
# build a topology, run things in it. Everything it makes lives inside
# network namespaces of its own (husk-t-<pid>-<n>): devices, addresses,
# routes and traffic never touch the root namespace. On any exit (also a
# failure, Ctrl-C or TERM) the trap kills every process it started (by
# PID), deletes every device it made and every namespace.
#
#   net_init PREFIX            results are "PASS PREFIX/name"; returns 1
#                              after a loud SKIP line if namespaces cannot
#                              be made here (not root, no ip, no netns)
#   net_ns_new VAR             a new namespace, loopback up, IPv6 off (the
#                              links stay quiet); its name into VAR
#   net_veth NS_A IF_A IP_A NS_B IF_B IP_B
#                              a veth pair between two namespaces, each
#                              end up with its address (/24)
#   net_tap NS IF IP           a tap device in NS, IP/24, up (a unikernel
#                              attaches to it and takes another address)
#   net_mtu NS IF MTU
#   net_topology_veth [SUBNET] the native layout: a guest namespace (the
#                              server, SUBNET.2 on veth-g) and a host
#                              namespace (the clients, SUBNET.1 on veth-h)
#   net_topology_tap [SUBNET]  the unikernel layout: one namespace with
#                              tap0 at SUBNET.1; the guest will be SUBNET.2
#       Both set NET_GUEST_NS NET_HOST_NS NET_GUEST_IP NET_HOST_IP
#       NET_HOST_IF (the host side's interface towards the guest) and
#       NET_GUEST_IF (veth) or NET_TAP (tap). SUBNET defaults to 10.0.0.
#   net_topology_bridge [SUBNET]
#                              the layout for several unikernels: one
#                              namespace with a bridge br0 at SUBNET.1, to
#                              which net_bridge_tap adds one tap per guest
#                              (NET_TAP is empty, NET_HOST_IF is br0)
#   net_bridge_tap VAR         a new tap on br0 (tap0, tap1, ...), up, no
#                              address; its name into VAR
#   net_run SECONDS NS CMD...  CMD in NS, killed after SECONDS (status 124)
#   net_spawn NAME SECONDS NS CMD...
#                              CMD in NS in the background, killed after
#                              SECONDS at the latest; NET_PID is its PID,
#                              its output goes to $NET_TMP/NAME.out, .err
#   net_stop PID               TERM, then KILL after 3 s; waits for it
#   net_wait_exit PID SECONDS  waits for a spawned PID to end by itself;
#                              returns its status (124 if it did not)
#   net_wait_tcp NS IP PORT SECONDS [PID]
#                              until IP:PORT accepts a connection from NS;
#                              returns 1 at the deadline or if PID has died
#   net_wait_line FILE REGEX SECONDS [PID]
#                              until a line of FILE matches REGEX
#   net_rss_kb PID             resident memory of PID, in KiB
#   net_counter NS IF NAME     an interface statistic (tx_packets, ...)
#   net_mac NS IF, net_neigh_mac NS IP
#                              an interface's MAC; a neighbour's, from ARP
#   net_result NAME WHY [FILE...]
#                              PASS if WHY is empty, else FAIL with WHY and
#                              the first lines of each FILE
#   net_skip NAME WHY, net_note TEXT (an indented line, counted nowhere)
#   net_summary                "PREFIX: N passed, N failed, N skipped in S s";
#                              returns 1 if anything failed
# NET_TMP is a private directory, removed at exit.

NET_PREFIX=net
NET_TMP=
NET_NSES=()       # namespaces made, in order
NET_DEVS=()       # "NS IF" of every device made
NET_PIDS=()       # timeout(1) wrappers of spawned commands (our children)
declare -A NET_JOB=() # a spawned command's PID -> its wrapper's PID
NET_NS_COUNT=0
NET_PASS=0 NET_FAIL=0 NET_SKIP=0 NET_START=$SECONDS

net_cleanup() {
    local p ns d
    # A caller under set -e (bench/net) would otherwise stop here at the
    # first kill of a process that has already ended, leaving it all behind.
    set +e
    for p in ${NET_PIDS[@]+"${NET_PIDS[@]}"}; do kill -TERM "$p" 2>/dev/null; done
    for ns in ${NET_NSES[@]+"${NET_NSES[@]}"}; do
        # Anything still running inside is ours: only we use these names.
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    for p in ${NET_PIDS[@]+"${NET_PIDS[@]}"}; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    for d in ${NET_DEVS[@]+"${NET_DEVS[@]}"}; do
        ip -n "${d% *}" link del "${d#* }" 2>/dev/null
    done
    for ns in ${NET_NSES[@]+"${NET_NSES[@]}"}; do
        ip netns del "$ns" 2>/dev/null ||
            echo "net: could not delete namespace $ns" >&2
    done
    [ -z "$NET_TMP" ] || rm -rf "$NET_TMP"
}

net_init() { # PREFIX
    NET_PREFIX=$1
    NET_TMP=$(mktemp -d /tmp/husk-net.XXXXXX)
    trap net_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    local why=
    if [ "$(id -u)" != 0 ]; then
        why="not root (network namespaces need root)"
    elif ! command -v ip >/dev/null; then
        why="no ip command (Debian package iproute2)"
    else
        local probe=husk-t-$$-probe
        if ! ip netns add "$probe" 2>"$NET_TMP/probe.err"; then
            why="ip netns add fails here: $(head -1 "$NET_TMP/probe.err")"
        else
            ip netns del "$probe"
        fi
    fi
    if [ -n "$why" ]; then
        echo "!!! SKIPPING the network tests: $why !!!"
        net_skip all "$why"
        return 1
    fi
}

net_ns_new() { # VAR
    local ns=husk-t-$$-$NET_NS_COUNT
    NET_NS_COUNT=$((NET_NS_COUNT + 1))
    ip netns add "$ns" || return 1
    NET_NSES+=("$ns")
    ip -n "$ns" link set lo up
    # No IPv6: no router solicitations or DAD on the links, so a
    # receiver sees only what a test sends. (Absent IPv6 is fine too.)
    # shellcheck disable=SC2016 # expanded by that sh
    ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do
        echo 1 >"$f"; done' 2>/dev/null
    printf -v "$1" %s "$ns"
}

net_veth() { # NS_A IF_A IP_A NS_B IF_B IP_B
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || return 1
    NET_DEVS+=("$1 $2")
    ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set "$2" up &&
        ip -n "$4" addr add "$6/24" dev "$5" && ip -n "$4" link set "$5" up
}

# A tap's queue towards the guest, in frames. The kernel's default (500)
# is less than what the drop tests alone have in flight (250 connections,
# each a SYN, an ACK, data and a FIN or RST): a guest slowed down (the
# ASan monitor, a loaded machine) left frames dropped there: a dropped
# SYN is only sent again 1, 3, 7... s later (the rounds slowed tenfold),
# and a dropped RST is never sent again (the server keeps a connection
# nobody will close). The clients wait for their answers, so what can
# queue is bounded: with room for it, nothing is lost.
NET_TAP_QUEUE=4096

net_tap() { # NS IF IP
    ip -n "$1" tuntap add dev "$2" mode tap || return 1
    NET_DEVS+=("$1 $2")
    ip -n "$1" link set "$2" txqueuelen "$NET_TAP_QUEUE" &&
        ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set "$2" up
}

net_mtu() { ip -n "$1" link set dev "$2" mtu "$3"; } # NS IF MTU

net_topology_veth() { # [SUBNET]
    local net=${1:-10.0.0}
    net_ns_new NET_GUEST_NS && net_ns_new NET_HOST_NS || return 1
    NET_GUEST_IF=veth-g NET_HOST_IF=veth-h NET_TAP=
    NET_GUEST_IP=$net.2 NET_HOST_IP=$net.1
    net_veth "$NET_HOST_NS" "$NET_HOST_IF" "$NET_HOST_IP" \
        "$NET_GUEST_NS" "$NET_GUEST_IF" "$NET_GUEST_IP"
}

net_topology_tap() { # [SUBNET]
    local net=${1:-10.0.0}
    net_ns_new NET_HOST_NS || return 1
    NET_GUEST_NS=$NET_HOST_NS NET_TAP=tap0 NET_HOST_IF=tap0 NET_GUEST_IF=
    NET_GUEST_IP=$net.2 NET_HOST_IP=$net.1
    net_tap "$NET_HOST_NS" "$NET_TAP" "$NET_HOST_IP"
}

net_topology_bridge() { # [SUBNET]
    local net=${1:-10.0.0}
    net_ns_new NET_HOST_NS || return 1
    NET_GUEST_NS=$NET_HOST_NS NET_TAP= NET_HOST_IF=br0 NET_GUEST_IF=
    NET_GUEST_IP=$net.2 NET_HOST_IP=$net.1 NET_BRIDGE_TAPS=0
    ip -n "$NET_HOST_NS" link add br0 type bridge || return 1
    NET_DEVS+=("$NET_HOST_NS br0")
    ip -n "$NET_HOST_NS" addr add "$NET_HOST_IP/24" dev br0 &&
        ip -n "$NET_HOST_NS" link set br0 up
}

net_bridge_tap() { # VAR
    local net_new_tap=tap$NET_BRIDGE_TAPS # a name no caller's VAR has
    NET_BRIDGE_TAPS=$((NET_BRIDGE_TAPS + 1))
    ip -n "$NET_HOST_NS" tuntap add dev "$net_new_tap" mode tap || return 1
    NET_DEVS+=("$NET_HOST_NS $net_new_tap")
    ip -n "$NET_HOST_NS" link set "$net_new_tap" txqueuelen "$NET_TAP_QUEUE" &&
        ip -n "$NET_HOST_NS" link set "$net_new_tap" master br0 &&
        ip -n "$NET_HOST_NS" link set "$net_new_tap" up || return 1
    printf -v "$1" %s "$net_new_tap"
}

net_run() { # SECONDS NS CMD...
    local secs=$1 ns=$2
    shift 2
    timeout -k 2 "$secs" ip netns exec "$ns" "$@" </dev/null
}

net_spawn() { # NAME SECONDS NS CMD...
    local name=$1 secs=$2 ns=$3 i job
    shift 3
    timeout -k 2 "$secs" ip netns exec "$ns" "$@" \
        >"$NET_TMP/$name.out" 2>"$NET_TMP/$name.err" </dev/null &
    job=$!
    NET_PIDS+=("$job")
    # timeout forks the command (ip netns exec then execs it in place):
    # its PID is the wrapper's child.
    NET_PID=
    for ((i = 0; i < 100; i++)); do
        NET_PID=$(pgrep -P "$job" | head -1)
        [ -z "$NET_PID" ] || break
        kill -0 "$job" 2>/dev/null || break
        sleep 0.02
    done
    NET_PID=${NET_PID:-$job}
    NET_JOB[$NET_PID]=$job
}

net_stop() { # PID
    local pid=$1 job=${NET_JOB[$1]:-$1} i
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 30; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$job" 2>/dev/null
}

net_wait_exit() { # PID SECONDS
    local job=${NET_JOB[$1]:-$1} end=$((SECONDS + $2)) i
    for ((i = 0; i < $2 * 20; i++)); do
        kill -0 "$job" 2>/dev/null || break
        [ $SECONDS -lt $end ] || return 124
        sleep 0.05
    done
    kill -0 "$job" 2>/dev/null && return 124
    wait "$job"
}

net_wait_tcp() { # NS IP PORT SECONDS [PID]
    local ns=$1 ip=$2 port=$3 end=$((SECONDS + $4)) pid=${5:-} i
    for ((i = 0; i < $4 * 10; i++)); do
        # bash's /dev/tcp: a connect and nothing else.
        timeout 2 ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$ip/$port" \
            2>/dev/null && return 0
        [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
    return 1
}

net_wait_line() { # FILE REGEX SECONDS [PID]
    local end=$((SECONDS + $3)) pid=${4:-} i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || break
        [ $SECONDS -lt $end ] || break
        sleep 0.05
    done
    grep -Eq -- "$2" "$1" 2>/dev/null
}

net_rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status" 2>/dev/null; }

net_counter() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

net_mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }

net_neigh_mac() { ip -n "$1" neigh show "$2" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p' | head -1; }

net_note() { echo "    | $*"; }

net_result() { # NAME WHY [FILE...]
    local name=$1 why=$2 f
    shift 2
    if [ -z "$why" ]; then
        echo "PASS $NET_PREFIX/$name"
        NET_PASS=$((NET_PASS + 1))
        return 0
    fi
    echo "FAIL $NET_PREFIX/$name: $why"
    NET_FAIL=$((NET_FAIL + 1))
    for f in "$@"; do
        [ -s "$f" ] && head -8 "$f" | sed "s#^#    | ${f##*/}: #"
    done
    return 1
}

net_skip() { # NAME WHY
    echo "SKIP $NET_PREFIX/$1: $2"
    NET_SKIP=$((NET_SKIP + 1))
}

net_summary() {
    echo "$NET_PREFIX: $NET_PASS passed, $NET_FAIL failed, $NET_SKIP skipped in $((SECONDS - NET_START)) s"
    [ "$NET_FAIL" = 0 ]
}
