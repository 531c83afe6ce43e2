#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/process-suite.sh BUILD HUSK LABEL: what is the process backend's
# own (docs/architecture.md, "The process backend"), from outside: the
# backend chosen by --backend and auto, what --stats and --version say,
# guest memory that cannot be mapped where it must go, and the same image
# under both backends giving the same output and status (where /dev/kvm
# opens). Every guest case, hostile case and suite also runs under this
# backend (tests/run). Prints "PASS LABEL/process/name" lines.
set -u
build=$(cd "$1" && pwd) husk=$2 label=$3 suite=process
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
hello=$build/tests/guests/hello_argv.husk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # husk arguments: status in $status, output in $tmp/out, $tmp/err
    timeout -k 5 60 "$husk" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

# --backend=process runs anywhere, and --stats says which backend ran.
run --backend=process --stats --mem=32M "$hello" -- a b
result runs "$(why_failed "$status" 0 '^argc=3 a b$' \
    '^husk: stats: [0-9]+ hypercalls, no VM exits \(backend process\)$' "$tmp/out" "$tmp/err")"

# auto: KVM where /dev/kvm opens, else the process backend, silently.
run --stats --mem=32M "$hello" -- a
if [ -c /dev/kvm ]; then
    want='^husk: stats: [0-9]+ VM exits, [0-9]+ of them hypercalls \(backend kvm\)$'
else
    want='^husk: stats: [0-9]+ hypercalls, no VM exits \(backend process\)$'
fi
why=$(why_failed "$status" 0 '^argc=2 a$' "$want" "$tmp/out" "$tmp/err")
[ -z "$why" ] && [ "$(grep -c '^husk:' "$tmp/err")" != 1 ] && why="the monitor said more than the stats line"
result auto_picks_a_backend "$why"

# --backend=kvm where there is no KVM: one line that says what to do.
if [ -c /dev/kvm ]; then
    echo "SKIP $label/$suite/kvm_missing: this host has /dev/kvm"
else
    run --backend=kvm --mem=32M "$hello"
    why=$(why_failed "$status" 125 '' \
        '^husk: /dev/kvm: not found: load the kvm_intel or kvm_amd module \(.*\), or run with --backend=process, which needs no KVM$' \
        "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$(wc -l <"$tmp/err")" != 1 ] && why="not one line"
    result kvm_missing "$why"
fi

# Guest memory's range taken by something else in the process (a library
# of the host's, here occupy.so at 16 MiB): refused, never mapped over.
# Under ASan the preload must come after the sanitizer's runtime.
# The release monitor is static (no loader to take a preload): the test
# build of the same code, dynamically linked, stands in for it.
preload=$build/tests/process/occupy.so
target=$husk
readelf -lW "$husk" | grep -q INTERP || target=$build/test/husk-probe
asan_rt=$(ldd "$target" 2>/dev/null | awk '/libasan/ { print $3 }')
HUSK_OCCUPY=1000000 LD_PRELOAD="${asan_rt:+$asan_rt:}$preload" \
    timeout -k 5 60 "$target" --backend=process --no-jail --mem=32M "$hello" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
why=$(why_failed "$status" 125 '' \
    '^husk: process backend: cannot map guest memory at 0x40000-0x2000000 in this process \(something else is there, or --mem is too large for it\): File exists$' \
    "$tmp/out" "$tmp/err")
[ -z "$why" ] && [ "$(grep -vc 'warning: --no-jail' "$tmp/err")" != 1 ] && why="not one line"
result memory_range_taken "$why"

# The same image, byte for byte, under both backends: the same output and
# status (the test VM has /dev/kvm; tests/run runs this suite there too).
if [ -c /dev/kvm ]; then
    for img in hello_argv exit_status float_printf; do
        args=(a b)
        [ "$img" != exit_status ] || args=(42)
        run --backend=kvm --mem=32M "$build/tests/guests/$img.husk" -- "${args[@]}"
        k_status=$status
        cp "$tmp/out" "$tmp/kvm.out"
        run --backend=process --mem=32M "$build/tests/guests/$img.husk" -- "${args[@]}"
        why=""
        [ "$k_status" = "$status" ] || why="status $k_status under KVM, $status as a process"
        [ -z "$why" ] && ! cmp -s "$tmp/kvm.out" "$tmp/out" && why="stdout differs"
        result "same_as_kvm_$img" "$why"
    done
else
    echo "SKIP $label/$suite/same_as_kvm: no /dev/kvm here (runs in the test VM)"
fi
