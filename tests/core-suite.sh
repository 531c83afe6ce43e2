#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/core-suite.sh BUILD HUSK LABEL [BACKEND]: --dump-core. A guest
# that crashes in a named function (tests/guests/crash.c, "named") leaves
# a core that gdb opens with the image: its backtrace shows crash_here and
# main, and its registers the faulting ones. The file is sparse (the room
# of the pages the guest used, not --mem); a run that does not crash
# leaves it empty. Prints "PASS LABEL/core/name" or "FAIL ...: why".
set -u
build=$(cd "$1" && pwd) husk=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") label=$3
backend=${4:-kvm}
here=$(cd "$(dirname "$0")" && pwd)
suite=core
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

crash=$build/tests/guests/crash.husk
exit0=$build/tests/guests/exit_status.husk

run() { # run HUSK-ARGS...: the monitor, status in $got
    if [ -n "${HUSK_TEST_SKIP:-}" ]; then got=skip; return; fi
    timeout --foreground -k 5 120 "$husk" --backend="$backend" "$@" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
}

# A crash in crash_here: the report names it, the core opens in gdb.
run --mem=256M --dump-core="$tmp/core" "$crash" -- named
why=$(why_failed "$got" 139 "" \
    "^husk: core dumped to $tmp/core \(open it with: gdb .*crash\.husk $tmp/core\)$" \
    "$tmp/out" "$tmp/err")
result crash_writes_core "$why"

why=""
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    gdb -nx -batch -ex 'bt' -ex 'info registers rip' \
        "$crash" "$tmp/core" >"$tmp/out" 2>"$tmp/err"
    if ! grep -Eq '^#0 .*crash_here' "$tmp/out"; then
        why="gdb's backtrace does not start in crash_here"
    elif ! grep -Eq '^#[1-9] .* main \(' "$tmp/out"; then
        why="gdb's backtrace has no main"
    elif ! grep -q 'Program terminated with signal SIGSEGV' "$tmp/out"; then
        why="gdb does not say SIGSEGV"
    elif ! grep -Eq '^rip .*<crash_here(\+[0-9]+)?>' "$tmp/out"; then
        why="gdb's rip is not in crash_here"
    fi
fi
result gdb_backtrace "$why"

# Sparse: 256M of guest memory (all but the first 256K, the monitor's),
# a few hundred KiB of it used.
why=""
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    size=$(stat -c %s "$tmp/core") blocks=$(stat -c %b "$tmp/core")
    if [ "$size" -lt $(((256 << 20) - (256 << 10))) ]; then
        why="the core is $size bytes, less than guest memory"
    elif [ $((blocks * 512)) -gt $((16 << 20)) ]; then
        why="the core takes $((blocks * 512)) bytes on disk: not sparse"
    fi
fi
result core_is_sparse "$why"

# No crash: the file is left empty, and the guest's status passes.
echo stale >"$tmp/clean"
run --dump-core="$tmp/clean" "$exit0" -- 7
why=$(why_failed "$got" 7 "" "" "$tmp/out" "$tmp/err")
[ -z "$why" ] && [ -s "$tmp/clean" ] && why="the file is not empty after a clean run"
[ -z "$why" ] && grep -q 'core dumped' "$tmp/err" && why="it said core dumped"
result no_crash_empty_file "$why"

# An ABI violation (159) is not a crash: no core either.
run --dump-core="$tmp/violation" "$build/tests/hostile/attack.husk" -- arg_outside
why=$(why_failed "$got" 159 "" "" "$tmp/out" "$tmp/err")
[ -z "$why" ] && [ -s "$tmp/violation" ] && why="a violation left a core"
result violation_no_core "$why"
