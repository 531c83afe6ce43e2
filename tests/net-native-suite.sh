#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/net-native-suite.sh BUILD: the network examples as native Linux
# programs, in a namespace of their own (the guest's role) reached over a
# veth pair from a second one (the host's role): the baseline the
# unikernel runs of the same checks (tests/net/checks.sh) compare with.
# Then the harness's tap and the frame injector on their own, with a
# tap-attached receiver. Needs root and network namespaces, no KVM.
# Prints "PASS net/native/name" lines and a summary line.
set -u
cd "$(dirname "$0")/.." || exit 1
NET_BUILD=${1:?usage: tests/net-native-suite.sh BUILD}
. tests/net/lib.sh
net_init net/native || exit 0

for f in examples/native/tcp_echo examples/native/http examples/native/udp_echo \
    examples/native/tcp_client tests/net/echo_check tests/net/udp_check \
    tests/net/inject_frames tests/net/tap_sink; do
    [ -x "$NET_BUILD/$f" ] || {
        net_result built "$NET_BUILD/$f is missing (make check builds it)"
        exit 1
    }
done
if ! net_topology_veth 10.0.0; then
    net_result topology "cannot make the two namespaces and their veth pair"
    exit 1
fi

net_guest_argv() { # PROG ARGS...: the native example itself
    NET_ARGV=("$NET_BUILD/examples/native/$1" "${@:2}")
}
. tests/net/checks.sh

# ---- the tap harness: a receiver attached to it gets what the injector
# sends, oversized frames included once the host side's MTU allows them.
tools=$NET_BUILD/tests/net
tap_ns=
net_ns_new tap_ns && net_tap "$tap_ns" tap0 10.0.1.1
net_result tap_made "$(ip -n "$tap_ns" -o addr show dev tap0 | grep -q 'inet 10.0.1.1/24' ||
    echo "tap0 has no address 10.0.1.1/24")"
net_spawn sink 30 "$tap_ns" "$tools/tap_sink" --ifname tap0 --seconds 20 --idle-ms 1000
sink=$NET_PID
why=
net_wait_line "$NET_TMP/sink.out" '^attached to tap0$' 10 "$sink" || why="tap_sink did not attach"
net_result tap_attached "$why" "$NET_TMP/sink.err"
net_mtu "$tap_ns" tap0 9000
net_run 30 "$tap_ns" "$tools/inject_frames" --ifname tap0 --count 300 --big 4000 \
    --dst-ip 10.0.1.2 --src-ip 10.0.1.1 >"$NET_TMP/out" 2>"$NET_TMP/err"
net_result tap_inject "$(why_failed $? 0 '^sent [0-9]+ of 300 frames \(30 oversized\)' '' \
    "$NET_TMP/out" "$NET_TMP/err")" "$NET_TMP/out" "$NET_TMP/err"
read -r sent <<<"$(sed -n 's/^sent \([0-9]*\) of .*/\1/p' "$NET_TMP/out")"
net_wait_exit "$sink" 30
read -r got largest <<<"$(sed -n \
    's/^frames \([0-9]*\), bytes [0-9]*, largest \([0-9]*\)$/\1 \2/p' "$NET_TMP/sink.out")"
net_note "tap: $(cat "$NET_TMP/out"); the receiver: $(tail -1 "$NET_TMP/sink.out")"
net_result tap_receiver_got_every_frame "$(
    if [ "${got:-0}" -lt "${sent:-1}" ]; then echo "sent ${sent:-?} frames, ${got:-0} arrived"
    elif [ "${largest:-0}" != 4000 ]; then echo "the largest frame was ${largest:-none}, not 4000 bytes"
    fi)" "$NET_TMP/sink.out" "$NET_TMP/sink.err"

net_summary
