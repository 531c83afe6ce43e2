#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/threads-suite.sh BUILD HUSK LABEL [BACKEND]: what the threads need
# beyond the guest cases table (tests/guests/cases.txt, threads_*): a
# network device, and a signal from outside.
#   net            tests/guests/threads_net.c over a tap: an acceptor
#                  thread blocked in accept while server threads echo to
#                  client threads, every byte checked
#   sigterm        a guest whose threads all wait for each other, with no
#                  deadline, stopped by SIGTERM (143) within seconds
#   memcached      memcached with libevent, from Debian's source packages
#                  (bench/threads-memcached.sh builds them the first time,
#                  a few minutes), its 4 worker threads serving set and
#                  get from 32 connections at once over a tap
#                  (tests/net/memcache_check.c), every value checked
# BACKEND (kvm, the default, or process) is passed as --backend. Needs
# root for the network part (tests/net/lib.sh); prints "PASS LABEL/name"
# lines and a summary line.
set -u
cd "$(dirname "$0")/.." || exit 1
NET_BUILD=${1:?usage: tests/threads-suite.sh BUILD HUSK LABEL [BACKEND]}
husk=${2:?usage: tests/threads-suite.sh BUILD HUSK LABEL [BACKEND]}
label=${3:?usage: tests/threads-suite.sh BUILD HUSK LABEL [BACKEND]}
backend=${4:-kvm}
. tests/lib.sh
if [ -n "${HUSK_TEST_SKIP:-}" ]; then # tests/run where no guest boots
    for name in net sigterm build_memcached memcached; do
        echo "SKIP $label/threads/$name: $HUSK_TEST_SKIP"
    done
    exit 0
fi
. tests/net/lib.sh
net_init "$label/threads" || exit 0

for f in tests/guests/threads_net.husk tests/guests/threads_bad.husk \
    tests/net/memcache_check; do
    [ -f "$NET_BUILD/$f" ] || {
        net_result built "$NET_BUILD/$f is missing (make check builds it)"
        net_summary
        exit 1
    }
done

# ---- sockets in several threads, over the guest's own address --------
net_topology_tap 10.0.0 || {
    net_result topology "cannot make the namespace and its tap"
    net_summary
    exit 1
}
net_run 120 "$NET_HOST_NS" "$husk" --backend="$backend" --mem=64M \
    --net:service="$NET_TAP,ip=$NET_GUEST_IP/24" \
    "$NET_BUILD/tests/guests/threads_net.husk" -- "$NET_GUEST_IP" \
    >"$NET_TMP/out" 2>"$NET_TMP/err"
net_result net "$(why_failed $? 0 '^threads_net ok$' '' "$NET_TMP/out" \
    "$NET_TMP/err")" "$NET_TMP/out" "$NET_TMP/err"

# ---- SIGTERM stops a guest whose threads wait for each other ---------
net_spawn deadlock 60 "$NET_HOST_NS" "$husk" --backend="$backend" --mem=32M \
    "$NET_BUILD/tests/guests/threads_bad.husk" -- deadlock
pid=$NET_PID
why=
if ! net_wait_line "$NET_TMP/deadlock.out" '^deadlocked$' 30 "$pid"; then
    why="the guest did not reach its deadlock"
fi
sleep 1 # into the wait for the host
t0=$SECONDS
kill -TERM "$pid" 2>/dev/null
net_wait_exit "$pid" 10
status=$?
if [ -z "$why" ]; then
    why=$(why_failed "$status" 143 '^deadlocked$' '^husk: guest stopped: Terminated$' \
        "$NET_TMP/deadlock.out" "$NET_TMP/deadlock.err")
fi
[ -z "$why" ] && [ $((SECONDS - t0)) -gt 5 ] && why="it took $((SECONDS - t0)) s"
net_result sigterm "$why" "$NET_TMP/deadlock.out" "$NET_TMP/deadlock.err"

# ---- memcached: a threaded server from Debian's source ---------------
. bench/threads-memcached.sh
why=
if ! mc_build "$NET_BUILD" >"$NET_TMP/mc_build" 2>&1; then
    why=$(head -1 "$NET_TMP/mc_build")
    why=${why:-the build failed without saying why}
fi
net_result build_memcached "$why" "$NET_TMP/mc_build"
if [ -z "$why" ]; then
    net_spawn memcached 300 "$NET_HOST_NS" "$husk" --backend="$backend" \
        --mem=256M --net:service="$NET_TAP,ip=$NET_GUEST_IP/24" "$mc_image" \
        -- -u root -t 4 -m 64 -U 0
    pid=$NET_PID
    why=
    if ! net_wait_tcp "$NET_HOST_NS" "$NET_GUEST_IP" 11211 60 "$pid"; then
        why="memcached did not listen on port 11211 within 60 s"
    else
        net_run 240 "$NET_HOST_NS" "$NET_BUILD/tests/net/memcache_check" \
            --host "$NET_GUEST_IP" --port 11211 --connections 32 --rounds 200 \
            --timeout 200 >"$NET_TMP/out" 2>"$NET_TMP/err"
        why=$(why_failed $? 0 '^ops 12800 ' '' "$NET_TMP/out" "$NET_TMP/err")
    fi
    net_stop "$pid"
    if [ -z "$why" ] && grep -q 'runtime error\|AddressSanitizer' "$NET_TMP/memcached.err"; then
        why="sanitizer report from the monitor"
    fi
    net_result memcached "$why" "$NET_TMP/out" "$NET_TMP/err" \
        "$NET_TMP/memcached.out" "$NET_TMP/memcached.err"
fi

net_summary
