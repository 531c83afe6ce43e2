#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/net-user-suite.sh BUILD HUSK LABEL [BACKEND]: the user-mode network
# (--net:NAME=user, passt) under the monitor binary HUSK, with no tap and,
# for most checks, no root: husk runs as nobody (setpriv), and again as
# root for the HTTP and client checks.
#
# The layout, all inside namespaces of the suite's own (tests/net/lib.sh):
# HOST, where husk and passt run, with its loopback and an uplink (a veth
# to LAN, HOST 10.0.5.1, LAN 10.0.5.2, which is also HOST's default route:
# passt takes its addresses and routes from the interface that has one);
# LAN, a second machine for clients that do not come over HOST's loopback.
# Checks: examples/http.c forwarded (hostfwd=tcp:18080-:8080) and fetched
# with curl (body, headers, keep-alive, HEAD, 404) and wrk, over HOST's
# loopback and from LAN, and a forward bound to one address; tcp_echo with
# the byte-for-byte checker (from LAN: see the note at the echo); udp_echo
# through a forward; tcp_client fetching from a server on HOST's loopback
# through the gateway (10.0.2.2), and with an address plan of its own;
# name lookups (tests/guests/net_dns.c) through passt's DNS forward to
# HOST's nameserver (a DNS server of the suite's own, tests/net/dns_stub.c,
# on LAN and on HOST's loopback, named in a resolv.conf bound over
# /etc/resolv.conf for that run of husk alone), through dns= given, and
# with no nameserver at all (libhusk's notice).
# Bad input: a host port taken, malformed hostfwd=, passt missing (PATH
# without it, HUSK_PASST naming nothing), no network at all, passt killed
# while the guest runs (125, the documented status), husk killed (passt
# gone with it), a guest flooding passt with UDP and the monitor with ARP.
# BACKEND (process, the default, or
# kvm) is passed as --backend. Needs root (namespaces) and passt. Prints
# "PASS LABEL/net-user/name" lines and a summary line.
set -u
cd "$(dirname "$0")/.."
NET_BUILD=${1:?usage: tests/net-user-suite.sh BUILD HUSK LABEL [BACKEND]}
husk=${2:?usage: tests/net-user-suite.sh BUILD HUSK LABEL [BACKEND]}
label=${3:?usage: tests/net-user-suite.sh BUILD HUSK LABEL [BACKEND]}
backend=${4:-process}
if [ -n "${HUSK_TEST_SKIP:-}" ]; then # tests/run where no guest can boot
    echo "SKIP $label/net-user: $HUSK_TEST_SKIP (the suite's cases are not counted)"
    exit 0
fi
# Under KVM, nobody needs a /dev/kvm to open: the suite runs again in a
# mount namespace of its own where a node anyone may open is bound over
# /dev/kvm (the real one is left alone), as tests/sandbox-suite.sh does.
if [ "$backend" = kvm ] && [ -z "${NET_USER_KVM_NODE:-}" ] && [ "$(id -u)" = 0 ] &&
    [ -c /dev/kvm ]; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    exec unshare -m --propagation private env NET_USER_KVM_NODE="$(stat -c '%t %T' /dev/kvm)" \
        bash -c 'set -e
            d=$(mktemp -d /tmp/husk-kvm.XXXXXX)
            mount -t tmpfs kvmdev "$d"
            set -- $NET_USER_KVM_NODE "$@"
            mknod -m 666 "$d/kvm" c $((0x$1)) $((0x$2))
            mount --bind "$d/kvm" /dev/kvm
            umount -l "$d" && rmdir "$d" # the bound node stays
            shift 2
            exec bash "$0" "$@"' "$0" "$@"
fi
. tests/net/lib.sh
. tests/lib.sh # why_failed
net_init "$label/net-user" || exit 0
husk=$(realpath "$husk")
NET_BUILD=$(realpath "$NET_BUILD")

if ! command -v passt >/dev/null; then
    net_skip all "passt is not installed (the Debian package passt: tests/packages.txt)"
    net_summary
    exit 0
fi
for f in examples/tcp_echo.husk examples/http.husk examples/udp_echo.husk \
    examples/tcp_client.husk examples/native/http examples/native/tcp_client \
    tests/net/echo_check tests/net/udp_check tests/hostile/net_attack.husk \
    tests/guests/net_udp_flood.husk tests/guests/net_dns.husk tests/net/dns_stub; do
    [ -x "$NET_BUILD/$f" ] || {
        net_result built "$NET_BUILD/$f is missing (make check builds it)"
        exit 1
    }
done

scale=${NET_TIME_SCALE:-1}
t() { echo $(($1 * scale)); } # a time limit, scaled
tools=$NET_BUILD/tests/net
ex=$NET_BUILD/examples
body_size=12345
seq 1 $body_size | head -c $body_size >"$NET_TMP/body.want"
curl=(curl -sS --noproxy '*' --max-time "$(t 10)")
req='GET / HTTP/1.1\r\nHost: t\r\n\r\n'
read -r sum3 _ <<<"$(cat "$NET_TMP/body.want" "$NET_TMP/body.want" "$NET_TMP/body.want" | cksum)"

net_ns_new HOST && net_ns_new LAN &&
    net_veth "$HOST" up0 10.0.5.1 "$LAN" up1 10.0.5.2 &&
    ip -n "$HOST" route add default via 10.0.5.2 || {
    net_result topology "cannot make the namespaces and their link"
    exit 1
}

# as USER: the words that run a command as USER, into the array AS.
as() {
    AS=()
    [ "$1" = root ] || AS=(setpriv --reuid="$1" --regid="$(id -gn "$1")" --clear-groups)
}
unprivileged=nobody

# husk_spawn NAME USER NET_SPEC IMAGE ARGS...: the example in HOST.
husk_spawn() {
    local name=$1 who=$2 spec=$3 image=$4
    shift 4
    as "$who"
    net_spawn "$name" "$(t 600)" "$HOST" "${AS[@]}" "$husk" --backend="$backend" --stats \
        --mem=64M --net:service="$spec" "$ex/$image.husk" -- "$@"
}

# The passt that husk PID started (its supervisor's child, or its own).
passt_of() { pgrep -P "$1" '^passt' | head -1; }

# http_ready NS URL SECONDS PID: until URL answers 200. (A connect alone
# proves nothing: passt accepts it before the guest listens.)
http_ready() {
    local ns=$1 url=$2 end=$((SECONDS + $3)) pid=$4 i
    for ((i = 0; i < $3 * 10; i++)); do
        [ "$(timeout 5 ip netns exec "$ns" "${curl[@]}" -o /dev/null \
            -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        [ $SECONDS -lt $end ] || return 1
        sleep 0.1
    done
    return 1
}

# check NAME NS STATUS STDOUT_REGEX SECONDS CMD...: CMD in NS must exit
# with STATUS and print a line matching the regex (output kept in
# $NET_TMP/out and err).
check() {
    local name=$1 ns=$2 want=$3 re=$4 secs=$5
    shift 5
    net_run "$(t "$secs")" "$ns" "$@" >"$NET_TMP/out" 2>"$NET_TMP/err"
    net_result "$name" "$(why_failed $? "$want" "$re" '' "$NET_TMP/out" "$NET_TMP/err")" \
        "$NET_TMP/out" "$NET_TMP/err"
}

# ---- HTTP through a forward, as nobody and as root ---------------------
http_checks() { # USER
    local who=$1 p=http_$1 url=http://127.0.0.1:18080/
    husk_spawn "$p" "$who" user,hostfwd=tcp:18080-:8080,hostfwd=tcp:127.0.0.1:18081-:8080 \
        http --port 8080 --body-size $body_size
    local pid=$NET_PID why=
    http_ready "$HOST" "$url" "$(t 30)" "$pid" || why="no answer on $url"
    net_result "$p/serves" "$why" "$NET_TMP/$p.err" || { net_stop "$pid"; return; }
    # passt runs as husk's user; started by root, as nobody (passt.c).
    local passt want=$who
    [ "$who" = root ] && want=nobody
    passt=$(passt_of "$pid")
    net_result "$p/passt_runs_as_$want" "$(
        u=$(ps -o user= -p "${passt:-0}" 2>/dev/null)
        [ "$u" = "$want" ] || echo "passt (pid ${passt:-none}) runs as '${u:-nothing}', not $want")"

    check "$p/get" "$HOST" 0 "^200 $body_size\$" 20 \
        "${curl[@]}" -D "$NET_TMP/head" -o "$NET_TMP/body" -w '%{http_code} %{size_download}\n' "$url" &&
        net_result "$p/get_body" "$(cmp "$NET_TMP/body" "$NET_TMP/body.want" 2>&1)" &&
        net_result "$p/get_headers" "$(tr -d '\r' <"$NET_TMP/head" | grep -qx "Content-Length: $body_size" ||
            echo "no 'Content-Length: $body_size' header")" "$NET_TMP/head"
    check "$p/keepalive_reuse" "$HOST" 0 '' 20 \
        "${curl[@]}" -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "$url" "$url" &&
        net_result "$p/keepalive_one_connection" "$([ "$(tr '\n' ' ' <"$NET_TMP/out")" = "200 1 200 0 " ] ||
            echo "expected '200 1' then '200 0' (code, new connections), got: $(tr '\n' ' ' <"$NET_TMP/out")")"
    check "$p/head" "$HOST" 0 "^200 0\$" 20 \
        "${curl[@]}" -I -D "$NET_TMP/head" -o /dev/null -w '%{http_code} %{size_download}\n' "$url" &&
        net_result "$p/head_length" "$(tr -d '\r' <"$NET_TMP/head" | grep -qx "Content-Length: $body_size" ||
            echo "HEAD: no 'Content-Length: $body_size' header")" "$NET_TMP/head"
    check "$p/404" "$HOST" 0 '^404$' 20 "${curl[@]}" -o /dev/null -w '%{http_code}\n' "${url}nope"
    check "$p/pipelined" "$HOST" 0 "^total: 3 responses, body $((3 * body_size)) bytes, cksum $sum3," 20 \
        "$ex/native/tcp_client" --host 127.0.0.1 --port 18080 --timeout "$(t 10)" \
        --send "$req$req"'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'
    # From the other machine, to HOST's address: passt's forward listens on
    # every address; the one bound to 127.0.0.1 does not answer there.
    check "$p/from_lan" "$LAN" 0 "^200 $body_size\$" 20 \
        "${curl[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' http://10.0.5.1:18080/
    check "$p/hostaddr_forward" "$HOST" 0 "^200 $body_size\$" 20 \
        "${curl[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' http://127.0.0.1:18081/
    check "$p/hostaddr_forward_only_there" "$LAN" 7 '' 20 \
        "${curl[@]}" -o /dev/null http://10.0.5.1:18081/
    if command -v wrk >/dev/null; then
        local secs=${NET_WRK_SECONDS:-2} n
        check "$p/wrk" "$HOST" 0 ' requests in ' $((secs + 20)) \
            wrk -t1 -c16 -d"${secs}s" --timeout "$(t 5)s" "$url"
        n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$NET_TMP/out")
        net_result "$p/wrk_no_errors" "$(
            if [ "${n:-0}" -le 0 ]; then echo "no request completed"
            elif grep -E -m1 'Socket errors|Non-2xx' "$NET_TMP/out"; then :
            fi)" "$NET_TMP/out"
        net_note "wrk, ${secs} s, 16 connections over HOST's loopback: $n requests, $(grep -o 'Requests/sec: *[0-9.]*' "$NET_TMP/out")"
    else
        net_skip "$p/wrk" "wrk is not installed (tests/packages.txt)"
    fi
    net_stop "$pid"
}
http_checks "$unprivileged"
http_checks root

# ---- a download: the guest's joined TCP segments, whole, through passt ---
big=$((4 << 20))
husk_spawn big "$unprivileged" user,hostfwd=tcp:18085-:8080 http --port 8080 --body-size $big
big_pid=$NET_PID
http_ready "$HOST" http://127.0.0.1:18085/nope "$(t 30)" "$big_pid" ||
    http_ready "$HOST" http://127.0.0.1:18085/ "$(t 30)" "$big_pid"
read -r want _ <<<"$(seq 1 $big | head -c $big | cksum)"
net_run "$(t 30)" "$HOST" "${curl[@]}" http://127.0.0.1:18085/ 2>"$NET_TMP/err" | cksum >"$NET_TMP/out"
read -r got _ <"$NET_TMP/out"
net_result download_4M "$([ "$got" = "$want" ] || echo "the body's cksum is $got, not $want")" "$NET_TMP/err"
net_stop "$big_pid"
net_result download_4M_joined_frames "$(grep -Eq 'frames out \([1-9][0-9]* of them TSO\)' "$NET_TMP/big.err" ||
    echo "no TSO frame went out: $(grep -m1 'stats: net' "$NET_TMP/big.err")")" "$NET_TMP/big.err"

# ---- TCP echo, byte for byte --------------------------------------------
# From LAN, and from HOST's own loopback (MSS 65,483): passt clamps its
# socket's window to the guest's, which must be larger than that MSS, or
# the client's kernel sends nothing but zero-window probes (an unscaled
# window of 64,240 made a 10 MB echo take 8 to 14 s; docs/architecture.md,
# "The user-mode network").
husk_spawn echo "$unprivileged" user,hostfwd=tcp:17007-:7 tcp_echo --port 7
echo_pid=$NET_PID
why=
net_wait_tcp "$LAN" 10.0.5.1 17007 "$(t 30)" "$echo_pid" || why="nothing accepts on 10.0.5.1:17007"
net_result tcp_echo_listens "$why" "$NET_TMP/echo.err"
check tcp_echo_"${NET_ECHO_BYTES:-100M}" "$LAN" 0 '^echo ok' 120 \
    "$tools/echo_check" --host 10.0.5.1 --port 17007 --bytes "${NET_ECHO_BYTES:-100M}" \
    --timeout "$(t 110)" && net_note "$(cat "$NET_TMP/out")"
check tcp_echo_"${NET_CONNS:-200}"_concurrent "$LAN" 0 '^echo ok' 90 \
    "$tools/echo_check" --host 10.0.5.1 --port 17007 --bytes "${NET_CONCURRENT_BYTES:-20M}" \
    --connections "${NET_CONNS:-200}" --timeout "$(t 80)" && net_note "$(cat "$NET_TMP/out")"
check tcp_echo_from_loopback_small "$HOST" 0 '^echo ok' 30 \
    "$tools/echo_check" --host 127.0.0.1 --port 17007 --bytes 32K --connections 4 --timeout "$(t 20)"
check tcp_echo_from_loopback_20M "$HOST" 0 '^echo ok' 40 \
    "$tools/echo_check" --host 127.0.0.1 --port 17007 --bytes 20M --timeout "$(t 30)" &&
    net_note "$(cat "$NET_TMP/out")"
net_stop "$echo_pid"

# ---- UDP echo through a forward -----------------------------------------
husk_spawn uecho "$unprivileged" user,hostfwd=udp:17008-:7 udp_echo --port 7
uecho_pid=$NET_PID
check udp_echo_from_loopback "$HOST" 0 '^udp ok' 60 \
    "$tools/udp_check" --host 127.0.0.1 --port 17008 --count 300 --first-wait "$(t 10)" &&
    net_note "$(cat "$NET_TMP/out")"
check udp_echo_from_lan "$LAN" 0 '^udp ok' 60 \
    "$tools/udp_check" --host 10.0.5.1 --port 17008 --count 100 --first-wait "$(t 10)"
net_stop "$uecho_pid"

# ---- the guest as a client: HOST's loopback through the gateway ---------
net_spawn hosthttp "$(t 300)" "$HOST" "$ex/native/http" --port 8080 --body-size 54321
hosthttp_pid=$NET_PID
net_wait_tcp "$HOST" 127.0.0.1 8080 "$(t 20)" "$hosthttp_pid"
read -r sum _ <<<"$(seq 1 54321 | head -c 54321 | cksum)"
client() { # NAME USER SPEC GATEWAY
    as "$2"
    net_run "$(t 60)" "$HOST" "${AS[@]}" "$husk" --backend="$backend" --mem=64M \
        --net:service="$3" "$ex/tcp_client.husk" -- --host "$4" --port 8080 \
        --timeout "$(t 20)" >"$NET_TMP/out" 2>"$NET_TMP/err"
    net_result "$1" "$(why_failed $? 0 \
        "^total: 1 responses, body 54321 bytes, cksum $sum, " '' "$NET_TMP/out" "$NET_TMP/err")" \
        "$NET_TMP/out" "$NET_TMP/err"
}
client tcp_client_via_gateway "$unprivileged" user 10.0.2.2
client tcp_client_as_root root user 10.0.2.2
# An address plan of its own: the gateway is the subnet's first host.
client tcp_client_own_plan "$unprivileged" user,ip=192.168.100.5/24 192.168.100.1
client tcp_client_own_gateway "$unprivileged" user,ip=172.20.0.9/16,gw=172.20.3.4 172.20.3.4
net_stop "$hosthttp_pid"

# ---- name lookups: passt's DNS forward, dns=, none -----------------------
# HOST's resolv.conf is the suite's: each run of husk (and so of passt,
# which forwards the guest's queries to its first nameserver) gets a
# mount namespace of its own with $NET_TMP/resolv.conf bound over
# /etc/resolv.conf. The host's /etc is never written (in the test VM it
# is read-only); on a host with no /etc/resolv.conf to bind over, these
# checks fail with mount's message.
resolv=$NET_TMP/resolv.conf
with_resolv=(unshare --mount sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$resolv")
dns_name=svc.husk.test
# dns_lookup NAME SPEC ANSWER SERVER_OUT: the guest looks dns_name up
# (and an unknown name, which must be missing) as nobody, and gets ANSWER
# from the server whose output is SERVER_OUT.
dns_lookup() {
    local name=$1 spec=$2 answer=$3 server_out=$4 resolv=${5:-10.0.2.2}
    as "$unprivileged"
    net_run "$(t 60)" "$HOST" "${with_resolv[@]}" "${AS[@]}" "$husk" --backend="$backend" --mem=64M \
        --net:service="$spec" "$NET_BUILD/tests/guests/net_dns.husk" -- \
        "$dns_name" '!nosuch.husk.test' >"$NET_TMP/out" 2>"$NET_TMP/err"
    local why
    why=$(why_failed $? 0 "^$dns_name $answer\$" '' "$NET_TMP/out" "$NET_TMP/err")
    [ -n "$why" ] || grep -qx "resolv.conf: nameserver $resolv" "$NET_TMP/out" ||
        why="the guest's /etc/resolv.conf does not name $resolv"
    [ -n "$why" ] || grep -qx "query 1 $dns_name" "$server_out" ||
        why="the DNS server saw no A query for $dns_name"
    net_result "$name" "$why" "$NET_TMP/out" "$NET_TMP/err" "$server_out"
}
# A nameserver on another machine (LAN), and one on HOST's loopback, as
# systemd-resolved's is: the guest asks the gateway either way.
echo "nameserver 10.0.5.2" >"$resolv"
net_spawn dns_lan "$(t 120)" "$LAN" "$tools/dns_stub" --host 10.0.5.2 \
    --name "$dns_name" --answer 192.0.2.77 --seconds "$(t 100)"
dns_lan_pid=$NET_PID
net_wait_line "$NET_TMP/dns_lan.out" '^dns_stub: ready$' 10 "$dns_lan_pid"
dns_lookup dns_forward_to_lan user 192.0.2.77 "$NET_TMP/dns_lan.out"
# dns= given: the guest asks that server, through passt like any UDP.
dns_lookup dns_given user,dns=10.0.5.2 192.0.2.77 "$NET_TMP/dns_lan.out" 10.0.5.2
net_stop "$dns_lan_pid"
echo "nameserver 127.0.0.53" >"$resolv"
net_spawn dns_lo "$(t 120)" "$HOST" "$tools/dns_stub" --host 127.0.0.53 \
    --name "$dns_name" --answer 192.0.2.78 --seconds "$(t 100)"
dns_lo_pid=$NET_PID
net_wait_line "$NET_TMP/dns_lo.out" '^dns_stub: ready$' 10 "$dns_lo_pid"
dns_lookup dns_forward_to_loopback user,ip=192.168.100.5/24 192.0.2.78 \
    "$NET_TMP/dns_lo.out" 192.168.100.1
net_stop "$dns_lo_pid"
# No nameserver on HOST: the guest is given none (passt would have
# nowhere to send its queries), and says so when it looks a name up.
echo "search example.com" >"$resolv"
as "$unprivileged"
net_run "$(t 60)" "$HOST" "${with_resolv[@]}" "${AS[@]}" "$husk" --backend="$backend" --mem=64M \
    --net:service=user "$NET_BUILD/tests/guests/net_dns.husk" -- '!a.husk.test' \
    >"$NET_TMP/out" 2>"$NET_TMP/err"
why=$(why_failed $? 0 '^resolv.conf: none' '^husk: no DNS server: a name lookup asked 127\.0\.0\.1' \
    "$NET_TMP/out" "$NET_TMP/err")
net_result dns_none_notice "$why" "$NET_TMP/out" "$NET_TMP/err"

# ---- bad input: one line, status 125 ------------------------------------
bad() { # NAME STDERR_REGEX ENV_ASSIGNMENTS... -- HUSK_ARGS...
    local name=$1 re=$2 env=()
    shift 2
    while [ "$1" != -- ]; do
        env+=("$1")
        shift
    done
    shift
    as "$unprivileged"
    net_run "$(t 40)" "$HOST" "${AS[@]}" env "${env[@]}" "$husk" --backend="$backend" \
        "$@" >"$NET_TMP/out" 2>"$NET_TMP/err"
    local got=$? why
    why=$(why_failed "$got" 125 '' "$re" "$NET_TMP/out" "$NET_TMP/err")
    [ -n "$why" ] || [ "$(wc -l <"$NET_TMP/err")" = 1 ] || why="more than one line on stderr"
    net_result "bad_$name" "$why" "$NET_TMP/err"
}
image=$ex/udp_echo.husk
net_spawn taken "$(t 120)" "$HOST" "$ex/native/http" --port 17009
net_wait_tcp "$HOST" 127.0.0.1 17009 "$(t 20)" "$NET_PID"
bad port_taken "^husk: --net:service: passt could not start: Failed to bind any port for '-t 17009:7', exiting$" \
    -- --net:service=user,hostfwd=tcp:17009-:7 "$image"
net_stop "$NET_PID"
bad hostfwd_no_guest_port "^husk: --net:service=user,hostfwd=tcp:17010: hostfwd=tcp:17010: expected tcp:\[HOSTADDR:\]HOSTPORT-:GUESTPORT" \
    -- --net:service=user,hostfwd=tcp:17010 "$image"
bad hostfwd_protocol "hostfwd=sctp:1-:2: the protocol is tcp or udp, not 'sctp'$" \
    -- --net:service=user,hostfwd=sctp:1-:2 "$image"
bad hostfwd_port_zero "hostfwd=tcp:0-:7: the host port '0' is not a number from 1 to 65535$" \
    -- --net:service=user,hostfwd=tcp:0-:7 "$image"
bad hostfwd_guest_address "hostfwd=udp:1000-10.0.2.15:7: leave the guest's address out" \
    -- --net:service=user,hostfwd=udp:1000-10.0.2.15:7 "$image"
bad hostfwd_twice "hostfwd=tcp:9000-:8: host port 9000 \(tcp\) is forwarded twice$" \
    -- --net:service=user,hostfwd=tcp:9000-:7,hostfwd=tcp:9000-:8 "$image"
bad hostfwd_on_a_tap "hostfwd=tcp:80-:80: forwarding is for the user-mode network" \
    -- --net:service=tap0,ip=10.0.0.2/24,hostfwd=tcp:80-:80 "$image"
bad passt_not_in_path "^husk: --net:service: the user-mode network needs passt, which is not installed here \(no passt in PATH\): install the passt package \(apt-get install passt\)" \
    PATH=/nonexistent -- --net:service=user "$image"
bad husk_passt_nowhere "^husk: --net:service: HUSK_PASST=/nonexistent/passt names no passt to run" \
    HUSK_PASST=/nonexistent/passt -- --net:service=user "$image"
# A namespace with a loopback and nothing else: passt finds no network.
net_ns_new BARE
as "$unprivileged"
net_run "$(t 40)" "$BARE" "${AS[@]}" "$husk" --backend="$backend" \
    --net:service=user "$image" >"$NET_TMP/out" 2>"$NET_TMP/err"
got=$?
why=$(why_failed "$got" 125 '' '^husk: --net:service: passt could not start: External interface not usable$' \
    "$NET_TMP/out" "$NET_TMP/err")
[ -n "$why" ] || [ "$(wc -l <"$NET_TMP/err")" = 1 ] || why="more than one line on stderr"
net_result bad_no_network "$why" "$NET_TMP/err"

# ---- passt killed while the guest runs: 125, and its line ---------------
husk_spawn killed "$unprivileged" user,hostfwd=tcp:18082-:8080 http --port 8080
killed_pid=$NET_PID
http_ready "$HOST" http://127.0.0.1:18082/ "$(t 30)" "$killed_pid"
passt=$(passt_of "$killed_pid")
kill -KILL "${passt:-0}" 2>/dev/null
net_wait_exit "$killed_pid" "$(t 10)"
net_result passt_killed_stops_the_guest "$(why_failed $? 125 '' \
    "^husk: --net:service: the user-mode network's passt has ended; the guest is stopped$" \
    "$NET_TMP/killed.out" "$NET_TMP/killed.err")" "$NET_TMP/killed.err"

# ---- passt never outlives husk ------------------------------------------
# husk ends by itself: passt is gone when husk's status is known.
husk_spawn three "$unprivileged" user,hostfwd=tcp:18083-:8080 http --port 8080 --requests 3
three_pid=$NET_PID
http_ready "$HOST" http://127.0.0.1:18083/ "$(t 30)" "$three_pid" # request 1
passt=$(passt_of "$three_pid")
for _ in 1 2; do
    net_run "$(t 10)" "$HOST" "${curl[@]}" -o /dev/null http://127.0.0.1:18083/
done
net_wait_exit "$three_pid" "$(t 10)"
got=$?
net_result passt_ends_with_husk "$(
    if [ "$got" != 0 ]; then echo "husk exited with $got, expected 0"
    elif [ -z "$passt" ]; then echo "found no passt under husk"
    elif kill -0 "$passt" 2>/dev/null; then echo "passt (pid $passt) is still there after husk exited"
    fi)" "$NET_TMP/three.err"
# husk killed outright (SIGKILL to the supervisor): passt goes too.
husk_spawn sigkill "$unprivileged" user,hostfwd=tcp:18084-:8080 http --port 8080
sk_pid=$NET_PID
http_ready "$HOST" http://127.0.0.1:18084/ "$(t 30)" "$sk_pid"
passt=$(passt_of "$sk_pid")
# (waited for at once, quietly: bash would announce the kill)
{
    kill -KILL "$sk_pid"
    wait "${NET_JOB[$sk_pid]}"
} 2>/dev/null
for ((i = 0; i < 50; i++)); do
    [ -n "$passt" ] && kill -0 "$passt" 2>/dev/null || break
    sleep 0.1
done
net_result passt_ends_with_husk_killed "$(
    if [ -z "$passt" ]; then echo "found no passt under husk"
    elif kill -0 "$passt" 2>/dev/null; then echo "passt (pid $passt) outlived husk by 5 s"
    fi)"
# A passt that hangs (stopped here: Debian 12's can loop for good, deaf to
# its socket), husk run by root, which runs passt as nobody: stopping husk
# still ends it, and husk exits. The supervisor once had no right to
# signal nobody's passt and waited for it for good.
husk_spawn hung root user,hostfwd=tcp:18086-:8080 http --port 8080
hung_pid=$NET_PID
http_ready "$HOST" http://127.0.0.1:18086/ "$(t 30)" "$hung_pid"
passt=$(passt_of "$hung_pid")
[ -n "$passt" ] && kill -STOP "$passt"
kill -TERM "$hung_pid"
net_wait_exit "$hung_pid" 5
got=$?
net_result hung_passt_ends_with_husk "$(
    if [ -z "$passt" ]; then echo "found no passt under husk"
    elif [ "$got" = 124 ]; then echo "husk did not exit within 5 s of SIGTERM"
    elif kill -0 "$passt" 2>/dev/null; then echo "passt (pid $passt) outlived husk"
    fi)" "$NET_TMP/hung.err"
[ -n "$passt" ] && kill -KILL "$passt" 2>/dev/null

# ---- a guest that floods -----------------------------------------------
# UDP as fast as it can (tests/guests/net_udp_flood.c), to LAN through
# passt: the rate and the stream hold it back, the monitor and passt stay
# small, and passt is still there when it is done (status 0, not 125).
as "$unprivileged"
net_spawn flood "$(t 60)" "$HOST" "${AS[@]}" "$husk" --backend="$backend" --mem=32M \
    --net:service=user "$NET_BUILD/tests/guests/net_udp_flood.husk" -- 10.0.5.2 9 "$(t 6)"
flood_pid=$NET_PID
sleep 3
passt=$(passt_of "$flood_pid")
monitor=$(pgrep -P "$flood_pid" -x husk | head -1) # jailed: the supervisor's child
rss_monitor=$(net_rss_kb "${monitor:-$flood_pid}")
rss_passt=$(net_rss_kb "${passt:-0}")
net_wait_exit "$flood_pid" "$(t 30)"
net_result udp_flood_through_passt "$(why_failed $? 0 '^flood: [1-9][0-9]* datagrams sent' \
    '' "$NET_TMP/flood.out" "$NET_TMP/flood.err")" "$NET_TMP/flood.out" "$NET_TMP/flood.err"
net_result udp_flood_monitor_small "$([ "${rss_monitor:-0}" -gt 0 ] && [ "${rss_monitor:-0}" -lt 16384 ] ||
    echo "the monitor's RSS was ${rss_monitor:-unknown} KiB during the flood")"
net_result udp_flood_passt_small "$([ "${rss_passt:-0}" -gt 0 ] && [ "${rss_passt:-0}" -lt 65536 ] ||
    echo "passt's RSS was ${rss_passt:-unknown} KiB during the flood")"
net_note "during the flood: monitor ${rss_monitor:-?} KiB, passt ${rss_passt:-?} KiB; $(cat "$NET_TMP/flood.out")"
# ARP requests as fast as it can for longer than --timeout (the hostile
# net_attack flood): the monitor answers them itself (arp.h) and is
# stopped at the timeout, small.
net_spawn arpflood "$(t 60)" "$HOST" "${AS[@]}" "$husk" --backend="$backend" --mem=32M \
    --timeout="$(t 6)" --net:service=user "$NET_BUILD/tests/hostile/net_attack.husk" -- flood 600
arp_pid=$NET_PID
sleep 3
monitor=$(pgrep -P "$arp_pid" -x husk | head -1)
rss_monitor=$(net_rss_kb "${monitor:-$arp_pid}")
net_wait_exit "$arp_pid" "$(t 30)"
net_result arp_flood_stopped_by_timeout "$(why_failed $? 124 '^attack flood' \
    'guest stopped: --timeout=' "$NET_TMP/arpflood.out" "$NET_TMP/arpflood.err")" \
    "$NET_TMP/arpflood.out" "$NET_TMP/arpflood.err"
net_result arp_flood_monitor_small "$([ "${rss_monitor:-0}" -gt 0 ] && [ "${rss_monitor:-0}" -lt 16384 ] ||
    echo "the monitor's RSS was ${rss_monitor:-unknown} KiB during the flood")"

net_summary
