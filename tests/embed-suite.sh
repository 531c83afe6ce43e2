#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/embed-suite.sh BUILD HUSK LABEL [BACKEND] [CALLS]: libhusk-host.
# tests/embed/host.c calls tests/embed/guest.c's exported functions
# through the library: CALLS calls with every result checked, 1 MiB each
# way, every refusal (too large, no such function, the guest's own error),
# host calls from the guest, the console callback, a restore that resets
# the guest's state, and a crash and a hung call each followed by a
# restore. Then no monitor of the test's may be left running. Prints
# "PASS LABEL/embed/name" or "FAIL ...: why".
set -u
build=$(cd "$1" && pwd) husk=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") label=$3
backend=${4:-kvm} calls=${5:-10000}
here=$(cd "$(dirname "$0")" && pwd)
suite=embed
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${HUSK_TEST_SKIP:-}" ]; then
    for name in started calls_checked echo_1mib input_too_large \
        output_over_out_cap no_such_function guest_error_code host_call \
        console_callback calls_spaced state_kept restore_resets_state rewind_in_place \
        calls_after_rewind restore_with_device_respawns crash_reported \
        stopped_after_crash calls_after_crash_and_restore timeout \
        calls_after_timeout_and_restore restore_needs_snapshot bad_image \
        nothing_left; do
        result "$name" ""
    done
    exit 0
fi

# Its own process group's worth: every monitor it starts is its child.
timeout -k 5 600 "$build/tests/embed/host" "$husk" \
    "$build/tests/embed/guest.husk" "$backend" "$calls" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait "$pid"
status=$?
while read -r verdict name rest; do
    case $verdict in
    PASS) result "$name" "" ;;
    FAIL) result "$name" "${rest:-failed}" ;;
    esac
done <"$tmp/out"
why=""
if [ "$status" != 0 ] && ! grep -q '^FAIL' "$tmp/out"; then
    why="the host program exited with status $status: $(head -c 300 "$tmp/err")"
elif grep -q 'runtime error\|AddressSanitizer' "$tmp/err"; then
    why="sanitizer report: $(grep -m1 'runtime error\|AddressSanitizer' "$tmp/err")"
elif pgrep -f "$build/tests/embed/guest.husk" >/dev/null; then
    why="a monitor of the test's is still running: $(pgrep -af "$build/tests/embed/guest.husk" | head -3)"
fi
result nothing_left "$why"
