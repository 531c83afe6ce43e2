# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/net/checks.sh: the network tests of the example servers and
# client, whatever runs them. Source it after tests/net/lib.sh, net_init
# and a topology (net_topology_veth or net_topology_tap), with:
#
#   NET_BUILD                 the build directory (the host-side tools in
#                             NET_BUILD/tests/net, native examples in
#                             NET_BUILD/examples/native)
#   net_guest_argv PROG ARGS  sets the array NET_ARGV to the command that
#                             runs example PROG with ARGS in the guest's
#                             role, in NET_GUEST_NS: natively the program
#                             itself, for Husk the monitor and the image
#
# The guest serves (tcp_echo, http, udp_echo) and fetches (tcp_client);
# everything else runs in NET_HOST_NS against NET_GUEST_IP. Sizes can be
# changed from the environment: NET_ECHO_BYTES (100M), NET_CONNS (200),
# NET_DROPS (1000), NET_WRK_SECONDS (2), NET_TIME_SCALE (1: multiplies
# every time limit, for slower servers), and the growth of the servers'
# RSS allowed by the drops: NET_ECHO_RSS_KB (24576), NET_HTTP_RSS_KB
# (12288; for the unikernel, that is the monitor's RSS, guest included).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" # why_failed

tools=$NET_BUILD/tests/net
native=$NET_BUILD/examples/native
gip=$NET_GUEST_IP
scale=${NET_TIME_SCALE:-1}
body_size=12345
url=http://$gip/

t() { echo $(($1 * scale)); } # a time limit, scaled

# The host side's MTU towards the guests (a suite may override it).
if ! declare -F net_host_mtu >/dev/null; then
    net_host_mtu() { net_mtu "$NET_HOST_NS" "$NET_HOST_IF" "$1"; }
fi

# guest_start NAME PROG ARGS...: an example in the guest's role, in the
# background. net_guest_argv may give each guest its own address (a
# unikernel is a machine of its own) in NET_GUEST_ADDR; it is kept in
# ip_NAME. Natively every server shares NET_GUEST_IP.
guest_start() {
    local name=$1
    shift
    NET_GUEST_ADDR=$NET_GUEST_IP
    net_guest_argv "$@"
    printf -v "ip_$name" %s "$NET_GUEST_ADDR"
    net_spawn "$name" "$(t 900)" "$NET_GUEST_NS" "${NET_ARGV[@]}"
}

# check NAME STATUS STDOUT_REGEX SECONDS CMD...: CMD in the host
# namespace must exit with STATUS and print a line matching the regex.
# Its output stays in $NET_TMP/out and err for more checks.
check() {
    local name=$1 want=$2 re=$3 secs=$4
    shift 4
    net_run "$(t "$secs")" "$NET_HOST_NS" "$@" >"$NET_TMP/out" 2>"$NET_TMP/err"
    net_result "$name" "$(why_failed $? "$want" "$re" '' "$NET_TMP/out" "$NET_TMP/err")" \
        "$NET_TMP/out" "$NET_TMP/err"
}

# bounded NAME BEFORE AFTER1 AFTER2 LIMIT_KB: the server's RSS (KiB) before
# and after each of two rounds of drops. After both, it may have grown by
# LIMIT_KB: about what the buffers of 1,000 connections at once take.
# A server that kept every dropped connection's buffer would need twice
# that. (Not "no growth": malloc keeps what it had at the peak.)
bounded() {
    local why=
    if [ -z "$2" ] || [ -z "$3" ] || [ -z "$4" ]; then
        why="the server is gone (no RSS)"
    elif [ $(($4 - $2)) -gt "$5" ]; then
        why="RSS grew from $2 to $4 KiB (limit +$5 KiB)"
    fi
    net_note "RSS $2 KiB before, $3 KiB after ${NET_DROPS:-1000} drops, $4 KiB after as many more"
    net_result "$1" "$why"
}

# ---- TCP echo --------------------------------------------------------
guest_start echo tcp_echo --port 7
gip=$ip_echo
echo_pid=$NET_PID
why=
net_wait_tcp "$NET_HOST_NS" "$gip" 7 "$(t 30)" "$echo_pid" || why="nothing accepts on $gip:7"
net_result tcp_echo_listens "$why" "$NET_TMP/echo.err"

check ping 0 ' 0% packet loss' 20 ping -c 3 -i 0.2 -W 5 "$gip"

check tcp_echo_"${NET_ECHO_BYTES:-100M}" 0 '^echo ok' 120 \
    "$tools/echo_check" --host "$gip" --port 7 --bytes "${NET_ECHO_BYTES:-100M}" \
    --timeout "$(t 110)" && net_note "$(cat "$NET_TMP/out")"

check tcp_echo_"${NET_CONNS:-200}"_concurrent 0 '^echo ok' 60 \
    "$tools/echo_check" --host "$gip" --port 7 --bytes 20M \
    --connections "${NET_CONNS:-200}" --timeout "$(t 50)" &&
    net_note "$(cat "$NET_TMP/out")"

# Clients that send without reading, then reset or leave: the buffers
# they filled must be freed.
drop_round() { # PORT [echo_check options...]
    local port=$1
    shift
    # The time limit leaves room for a connect that meets one of the
    # server's TIME_WAIT connections on its port (net/include/lwipopts.h:
    # up to 63 s).
    net_run "$(t 110)" "$NET_HOST_NS" "$tools/echo_check" --host "$gip" --port "$port" \
        --drop "${NET_DROPS:-1000}" --connections 250 --timeout "$(t 100)" "$@" \
        >"$NET_TMP/out" 2>"$NET_TMP/err"
}
r0=$(net_rss_kb "$echo_pid")
drop_round 7 --drop-bytes 64K
net_result tcp_echo_drop_"${NET_DROPS:-1000}" "$(why_failed $? 0 '^dropped' '' "$NET_TMP/out" "$NET_TMP/err")" \
    "$NET_TMP/out" "$NET_TMP/err"
r1=$(net_rss_kb "$echo_pid")
drop_round 7 --drop-bytes 64K
r2=$(net_rss_kb "$echo_pid")
check tcp_echo_serves_after_drops 0 '^echo ok' 30 \
    "$tools/echo_check" --host "$gip" --port 7 --bytes 1M --connections 4 --timeout "$(t 20)"
bounded tcp_echo_memory_bounded "$r0" "$r1" "$r2" "${NET_ECHO_RSS_KB:-24576}" # 1,000 x 16 KiB + 8 MiB

# ---- HTTP ------------------------------------------------------------
guest_start http http --port 80 --body-size $body_size
gip=$ip_http url=http://$ip_http/
http_pid=$NET_PID
why=
net_wait_tcp "$NET_HOST_NS" "$gip" 80 "$(t 30)" "$http_pid" || why="nothing accepts on $gip:80"
net_result http_listens "$why" "$NET_TMP/http.err"
seq 1 $body_size | head -c $body_size >"$NET_TMP/body.want"

curl=(curl -sS --noproxy '*' --max-time "$(t 10)")

check http_get 0 "^200 $body_size\$" 20 \
    "${curl[@]}" -D "$NET_TMP/head" -o "$NET_TMP/body" -w '%{http_code} %{size_download}\n' "$url" &&
    net_result http_get_body "$(cmp "$NET_TMP/body" "$NET_TMP/body.want" 2>&1)" &&
    net_result http_get_headers "$(tr -d '\r' <"$NET_TMP/head" | grep -qx "Content-Length: $body_size" ||
        echo "no 'Content-Length: $body_size' header")" "$NET_TMP/head"

# Two URLs in one curl: the second must reuse the first's connection.
check http_keepalive_reuse 0 '' 20 \
    "${curl[@]}" -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "$url" "$url" &&
    net_result http_keepalive_one_connection "$([ "$(tr '\n' ' ' <"$NET_TMP/out")" = "200 1 200 0 " ] ||
        echo "expected '200 1' then '200 0' (code, new connections), got: $(tr '\n' ' ' <"$NET_TMP/out")")"

check http_connection_close 0 '' 20 \
    "${curl[@]}" -H 'Connection: close' -D "$NET_TMP/head" -o /dev/null -o /dev/null \
    -w '%{http_code} %{num_connects}\n' "$url" "$url" &&
    net_result http_connection_close_honoured "$(
        if [ "$(tr '\n' ' ' <"$NET_TMP/out")" != "200 1 200 1 " ]; then
            echo "expected a new connection per request, got: $(tr '\n' ' ' <"$NET_TMP/out")"
        elif ! tr -d '\r' <"$NET_TMP/head" | grep -qix 'Connection: close'; then
            echo "no 'Connection: close' in the reply"
        fi)" "$NET_TMP/head"

check http_head 0 "^200 0\$" 20 \
    "${curl[@]}" -I -D "$NET_TMP/head" -o /dev/null -w '%{http_code} %{size_download}\n' "$url" &&
    net_result http_head_length "$(tr -d '\r' <"$NET_TMP/head" | grep -qx "Content-Length: $body_size" ||
        echo "HEAD: no 'Content-Length: $body_size' header")" "$NET_TMP/head"

check http_404 0 '^404$' 20 "${curl[@]}" -o /dev/null -w '%{http_code}\n' "${url}nope"

check http_400_for_garbage 1 '^status: HTTP/1.1 400 Bad Request$' 20 \
    "$native/tcp_client" --host "$gip" --port 80 --timeout "$(t 10)" \
    --send 'HELLO THERE\r\n\r\n'

check http_400_for_a_body 1 '^status: HTTP/1.1 400 Bad Request$' 20 \
    "$native/tcp_client" --host "$gip" --port 80 --timeout "$(t 10)" \
    --send 'GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'

# Three requests in one send: three answers, in order, then the close.
req='GET / HTTP/1.1\r\nHost: t\r\n\r\n'
read -r sum3 _ <<<"$(cat "$NET_TMP/body.want" "$NET_TMP/body.want" "$NET_TMP/body.want" | cksum)"
check http_pipelined 0 "^total: 3 responses, body $((3 * body_size)) bytes, cksum $sum3," 20 \
    "$native/tcp_client" --host "$gip" --port 80 --timeout "$(t 10)" \
    --send "$req$req"'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'

# The checker itself must fail against a server that does not echo.
check echo_check_detects_a_wrong_echo 1 '' 20 \
    "$tools/echo_check" --host "$gip" --port 80 --bytes 64K --timeout "$(t 10)" &&
    net_result echo_check_says_why "$(grep -Eq 'came back as|closed after' "$NET_TMP/err" ||
        echo "unexpected message")" "$NET_TMP/err"

if command -v wrk >/dev/null; then
    secs=${NET_WRK_SECONDS:-2}
    check http_wrk 0 ' requests in ' $((secs + 20)) \
        wrk -t1 -c16 -d"${secs}s" --timeout "$(t 5)s" "$url"
    n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$NET_TMP/out")
    net_result http_wrk_no_errors "$(
        if [ "${n:-0}" -le 0 ]; then echo "no request completed"
        elif grep -E -m1 'Socket errors|Non-2xx' "$NET_TMP/out"; then :
        fi)" "$NET_TMP/out"
    net_note "wrk, ${secs} s, 16 connections: $n requests, $(grep -o 'Requests/sec: *[0-9.]*' "$NET_TMP/out")"
else
    net_skip http_wrk "wrk is not installed (make check installs it: tests/packages.txt)"
fi

r0=$(net_rss_kb "$http_pid")
drop_round 80
net_result http_drop_"${NET_DROPS:-1000}" "$(why_failed $? 0 '^dropped' '' "$NET_TMP/out" "$NET_TMP/err")" \
    "$NET_TMP/out" "$NET_TMP/err"
r1=$(net_rss_kb "$http_pid")
drop_round 80
r2=$(net_rss_kb "$http_pid")
check http_serves_after_drops 0 "^200 $body_size\$" 20 \
    "${curl[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' "$url"
bounded http_memory_bounded "$r0" "$r1" "$r2" "${NET_HTTP_RSS_KB:-12288}" # 1,000 x 8 KiB + 4 MiB

# --requests N: the server exits by itself, status 0, after N answers.
guest_start http3 http --port 8081 --body-size 10 --requests 3
net_wait_tcp "$NET_HOST_NS" "$ip_http3" 8081 "$(t 30)" "$NET_PID" # a connect, no request
for _ in 1 2 3; do
    net_run "$(t 10)" "$NET_HOST_NS" "${curl[@]}" -o /dev/null "http://$ip_http3:8081/"
done
net_wait_exit "$NET_PID" "$(t 10)"
net_result http_exits_after_3_requests "$(why_failed $? 0 '^http: served 3 requests$' '' \
    "$NET_TMP/http3.out" "$NET_TMP/http3.err")" "$NET_TMP/http3.out" "$NET_TMP/http3.err"

# ---- UDP -------------------------------------------------------------
guest_start uecho udp_echo --port 7
gip=$ip_uecho
uecho_pid=$NET_PID
check udp_echo 0 '^udp ok' 60 \
    "$tools/udp_check" --host "$gip" --port 7 --count 300 --first-wait "$(t 10)" &&
    net_note "$(cat "$NET_TMP/out")"
check udp_check_detects_no_server 1 '' 20 \
    "$tools/udp_check" --host "$gip" --port 9 --count 1 --tries 2 --wait-ms 200 --first-wait 0

# ---- the guest as a client, of a server on the host side -------------
net_spawn hosthttp "$(t 300)" "$NET_HOST_NS" "$native/http" --port 8080 --body-size 54321
net_wait_tcp "$NET_HOST_NS" "$NET_HOST_IP" 8080 "$(t 20)" "$NET_PID"
read -r sum _ <<<"$(seq 1 54321 | head -c 54321 | cksum)"
net_guest_argv tcp_client --host "$NET_HOST_IP" --port 8080 --timeout "$(t 20)"
net_run "$(t 30)" "$NET_GUEST_NS" "${NET_ARGV[@]}" >"$NET_TMP/out" 2>"$NET_TMP/err"
net_result tcp_client_fetches "$(why_failed $? 0 \
    "^total: 1 responses, body 54321 bytes, cksum $sum, " '' "$NET_TMP/out" "$NET_TMP/err")" \
    "$NET_TMP/out" "$NET_TMP/err"
net_result tcp_client_status_line "$(grep -qx 'status: HTTP/1.1 200 OK' "$NET_TMP/out" ||
    echo "no 'status: HTTP/1.1 200 OK' line")" "$NET_TMP/out"

# ---- malformed frames, then everything still works -------------------
# Oversized frames need a host side that lets them out: MTU 9000 there,
# while the guest stays at 1500.
gip=$ip_http url=http://$ip_http/
mac=$(net_neigh_mac "$NET_HOST_NS" "$gip")
net_host_mtu 9000
tx0=$(net_counter "$NET_HOST_NS" "$NET_HOST_IF" tx_packets)
check inject_frames 0 '^sent [0-9]+ of 1000 frames' 30 \
    "$tools/inject_frames" --ifname "$NET_HOST_IF" --count 1000 --dst-mac "${mac:-ff:ff:ff:ff:ff:ff}" \
    --dst-ip "$gip" --src-ip "$NET_HOST_IP" --big 4000
read -r sent big <<<"$(sed -n 's/^sent \([0-9]*\) of .* (\([0-9]*\) oversized).*/\1 \2/p' "$NET_TMP/out")"
sent=${sent:-0} big=${big:-0}
tx1=$(net_counter "$NET_HOST_NS" "$NET_HOST_IF" tx_packets)
net_note "$(cat "$NET_TMP/out"), to ${mac:-broadcast}; $((tx1 - tx0)) left $NET_HOST_IF"
# 8 kinds in 10 are ordinary frames: all of them must have gone out (a
# veth drops the oversized ones itself, a tap passes them on).
net_result inject_frames_went_out "$(
    if [ $((sent - big)) -lt 800 ]; then echo "only $((sent - big)) ordinary frames of 800 were sent"
    elif [ $((tx1 - tx0)) -lt $((sent - big)) ]; then
        echo "$NET_HOST_IF sent $((tx1 - tx0)) frames, expected at least $((sent - big))"
    fi)"
net_host_mtu 1500
check after_frames_ping 0 ' 0% packet loss' 20 ping -c 2 -i 0.2 -W 5 "$gip"
check after_frames_http 0 "^200 $body_size\$" 20 \
    "${curl[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' "$url"
check after_frames_tcp_echo 0 '^echo ok' 30 \
    "$tools/echo_check" --host "$ip_echo" --port 7 --bytes 1M --timeout "$(t 20)"
check after_frames_udp_echo 0 '^udp ok' 30 \
    "$tools/udp_check" --host "$ip_uecho" --port 7 --count 50
for s in tcp_echo:$echo_pid http:$http_pid udp_echo:$uecho_pid; do
    net_result "after_frames_${s%:*}_alive" "$(kill -0 "${s#*:}" 2>/dev/null ||
        echo "the server has died")"
done
