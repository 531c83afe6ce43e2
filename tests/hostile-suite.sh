#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/hostile-suite.sh BUILD HUSK LABEL [SLACK_KIB]: what hostile guests cost the
# host, measured from outside: console floods (what reaches stdout, with
# the documented notice and tally), a hypercall flood and a memory balloon
# (the monitor's peak memory, by GNU time: the supervisor reaps the jailed
# monitor, so its peak counts). The ABI attacks themselves are in
# tests/hostile/cases.txt (tests/kvm-suite.sh). Needs /dev/kvm. Prints
# "PASS LABEL/hostile/name" lines. SLACK_KIB (default 2048) is how much
# two runs of one guest may differ in peak memory: the ASan monitor needs
# more, as khugepaged turns its shadow memory into huge pages at times.
set -u
build=$1 husk=$2 label=$3 slack=${4:-2048} suite=hostile
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
exhaust=$build/tests/hostile/exhaust.husk
exit_img=$build/tests/guests/exit_status.husk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# peak KIB_VAR husk arguments: run, status in $status, peak memory (KiB)
# of the monitor's processes in $peak, stdout in $tmp/out
peak() {
    /usr/bin/time -f %M -o "$tmp/peak" timeout -k 5 120 "$husk" "$@" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    peak=$(tail -1 "$tmp/peak")
}
if [ ! -x /usr/bin/time ]; then
    for t in hypercall_flood_memory balloon_memory; do
        echo "SKIP $label/hostile/$t: no /usr/bin/time (Debian package time)"
    done
else
    peak --mem=64M "$exit_img" -- 0
    base=$peak
    # 20000 exits: the monitor's memory does not grow with them (against
    # the same guest making 1000).
    peak --mem=64M "$exhaust" -- hypercall_flood 1000
    few=$peak
    peak --mem=64M "$exhaust" -- hypercall_flood 20000
    why=$(why_failed "$status" 0 '^hypercalls: 20000$' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$peak" -gt $((few + slack)) ] &&
        why="peak ${peak} KiB after 20000 hypercalls, ${few} KiB after 1000"
    result hypercall_flood_memory "$why"
    # All the guest's memory touched: the host pays --mem and no more, and
    # the guest gets NULL from malloc, not a crash.
    peak --mem=64M "$exhaust" -- balloon
    why=$(why_failed "$status" 0 '^balloon: [0-9]+ MiB$' '' "$tmp/out" "$tmp/err")
    mib=$(sed -n 's/^balloon: \([0-9]*\) MiB$/\1/p' "$tmp/out")
    [ -z "$why" ] && [ "${mib:-0}" -lt 48 ] && why="the guest got only ${mib} MiB of 64"
    [ -z "$why" ] && [ "$peak" -lt $((base + 40 * 1024)) ] &&
        why="peak ${peak} KiB: the balloon did not reach the host"
    [ -z "$why" ] && [ "$peak" -gt $((base + 64 * 1024 + slack)) ] &&
        why="peak ${peak} KiB, more than --mem=64M over an idle guest's ${base} KiB"
    result balloon_memory "$why"
fi

# flood NAME RATE_BYTES_PER_S BYTES husk options...: the guest writes
# BYTES to its console as fast as it can; what reaches stdout must be at
# most one burst (a second's worth, at least 64 KiB) plus the rate times
# the time taken, and what was dropped must be reported.
flood() {
    local name=$1 rate=$2 bytes=$3
    shift 3
    local t0 t1 got dropped why burst
    t0=$(date +%s%N)
    timeout -k 5 120 "$husk" "$@" "$exhaust" -- console_flood "$bytes" \
        2>"$tmp/err" </dev/null | wc -c >"$tmp/count"
    status=${PIPESTATUS[0]}
    t1=$(date +%s%N)
    got=$(cat "$tmp/count")
    burst=$((rate > 65536 ? rate : 65536))
    why=$(why_failed "$status" 0 '' '' /dev/null "$tmp/err")
    if [ -z "$why" ] && [ "$got" -gt $((burst + rate * (t1 - t0) / 1000000000)) ]; then
        why="$got bytes in $(((t1 - t0) / 1000000)) ms at $rate bytes/s"
    fi
    dropped=$(sed -n 's/^husk: console: \([0-9]*\) bytes of guest output dropped over --console-rate$/\1/p' "$tmp/err")
    if [ -z "$why" ] && [ "$((got + ${dropped:-0}))" != "$bytes" ]; then
        why="$got written + ${dropped:-no} dropped is not the $bytes sent"
    fi
    if [ -z "$why" ] && [ "$(grep -c 'dropping what is over (this notice is printed once)$' "$tmp/err")" != 1 ]; then
        why="not exactly one notice"
    fi
    result "$name" "$why"
}
flood console_flood_default_rate $((1 << 20)) $((64 << 20)) --mem=32M
flood console_flood_64k $((64 << 10)) $((8 << 20)) --mem=32M --console-rate=64K

# --console-rate=0: no limit, nothing dropped, no notice.
timeout -k 5 120 "$husk" --mem=32M --console-rate=0 "$exhaust" -- console_flood \
    $((8 << 20)) 2>"$tmp/err" </dev/null | wc -c >"$tmp/count"
status=${PIPESTATUS[0]}
why=$(why_failed "$status" 0 '' '' /dev/null "$tmp/err")
[ -z "$why" ] && [ "$(cat "$tmp/count")" != $((8 << 20)) ] && why="$(cat "$tmp/count") bytes of $((8 << 20))"
[ -z "$why" ] && [ -s "$tmp/err" ] && why="stderr is not empty"
result console_unlimited "$why"
