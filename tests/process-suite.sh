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

# --stats=json (docs/stats.md): one line of JSON, the last on stderr, that
# jq reads; its keys and values checked against what the run did.
# stats_json_check BACKEND: the checks that hold for any guest that exits
# 0 having printed $tmp/out and $tmp/guest_err.
stats_json_check() {
    local backend=$1 json=$tmp/stats.json
    tail -n1 "$tmp/err" >"$json"
    head -n -1 "$tmp/err" >"$tmp/guest_err"
    [ "$(grep -c '^{' "$tmp/err")" = 1 ] || { echo "not one JSON line"; return; }
    jq -e . "$json" >/dev/null 2>&1 || { echo "not valid JSON"; return; }
    jq -e --arg backend "$backend" \
        --argjson out "$(wc -c <"$tmp/out")" \
        --argjson err "$(wc -c <"$tmp/guest_err")" '
        .stats_version == 1 and .backend == $backend
        and .exit == {reason: "exit", status: 0}
        and .hypercalls.total > 0
        and .hypercalls.by_name.console_write >= 1
        and .hypercalls.by_name.exit == 1
        and ([.hypercalls.by_name[]] | add) == .hypercalls.total
        and (if $backend == "kvm"
             then .exits.by_reason.mmio == .hypercalls.total
             else .exits.by_reason == {hypercall: .hypercalls.total} end)
        and ([.exits.by_reason[]] | add) == .exits.total
        and .console.stdout_bytes == $out and .console.stderr_bytes == $err
        and .console.dropped_bytes == 0 and .devices == {}
        and .time_ns.wall > 0 and .time_ns.run > 0
        and .time_ns.guest + .time_ns.monitor == .time_ns.run
        and .time_ns.setup + .time_ns.run <= .time_ns.wall
        and .time_ns.user + .time_ns.sys > 0
        and .memory.guest_bytes == 33554432
        and .memory.guest_resident_bytes > 0
        and .memory.guest_resident_bytes <= .memory.guest_bytes
        and .memory.monitor_max_rss_bytes > 0
        and ([.phases_ns[]] | . == sort and length == 10)
        and (.phases_ns | keys_unsorted) == ["args_parsed", "image_parsed",
             "devices_opened", "jail_entered", "vm_created", "image_loaded",
             "sandbox_loaded", "guest_started", "guest_exited", "teardown"]
        ' "$json" >/dev/null || echo "a key is missing or wrong: $(head -c 600 "$json")"
}

run --backend=process --stats=json --mem=32M "$hello" -- a b
why=$(why_failed "$status" 0 '^argc=3 a b$' '' "$tmp/out" "$tmp/err")
[ -z "$why" ] && why=$(stats_json_check process)
result stats_json "$why"

# auto: under KVM in the test VM, its exits by KVM's reasons.
run --stats=json --mem=32M "$hello" -- a
why=$(why_failed "$status" 0 '^argc=2 a$' '' "$tmp/out" "$tmp/err")
[ -c /dev/kvm ] && want=kvm || want=process
[ -z "$why" ] && why=$(stats_json_check "$want")
result stats_json_auto "$why"

# How it ended, with the monitor's line before it; a message (guest data)
# is a valid JSON string.
run --backend=process --stats=json --mem=32M "$build/tests/guests/abort.husk"
why=$(why_failed "$status" 134 '' '^husk: guest aborted: ' "$tmp/out" "$tmp/err")
[ -z "$why" ] && ! tail -n1 "$tmp/err" | jq -e '.exit.reason == "abort" and
    .exit.status == 134 and (.exit.message | startswith("guest aborted: "))' \
    >/dev/null 2>&1 && why="no abort in the JSON: $(tail -n1 "$tmp/err" | head -c 300)"
result stats_json_abort "$why"

# --stats=text is --stats, line for line.
run --backend=process --stats=text --mem=32M "$hello" -- a b
result stats_text "$(why_failed "$status" 0 '^argc=3 a b$' \
    '^husk: stats: [0-9]+ hypercalls, no VM exits \(backend process\)$' "$tmp/out" "$tmp/err")"

# --log-level: the default says nothing of its own on a clean run; info
# names the phases, each line "husk: info: ..."; debug adds their times;
# error hides the warnings (--no-jail's).
run --backend=process --mem=32M "$hello"
why=$(why_failed "$status" 0 '^argc=1$' '' "$tmp/out" "$tmp/err")
[ -z "$why" ] && grep -q '^husk' "$tmp/err" && why="the default level printed: $(grep -m1 '^husk' "$tmp/err")"
result log_level_default_quiet "$why"

run --backend=process --log-level info --mem=32M "$hello"
why=$(why_failed "$status" 0 '^argc=1$' \
    '^husk: info: image .*hello_argv\.husk: [0-9]+ bytes, ABI [0-9]+, entry 0x[0-9a-f]+, [0-9]+ segments, --mem=32M \(at least [0-9]+M\)$' \
    "$tmp/out" "$tmp/err")
for want in '^husk: info: backend: process$' '^husk: info: jail: ' \
    '^husk: info: seccomp filter loaded; starting the guest$' \
    '^husk: info: guest ended: exit, status 0$'; do
    [ -z "$why" ] && ! grep -Eq -- "$want" "$tmp/err" && why="stderr does not match /$want/"
done
[ -z "$why" ] && grep '^husk' "$tmp/err" | grep -vq '^husk: info: ' && why="a line that is not info"
[ -z "$why" ] && grep -q '^husk: debug' "$tmp/err" && why="a debug line at info"
result log_level_info "$why"

run --backend=process --log-level=debug --mem=32M "$hello"
result log_level_debug "$(why_failed "$status" 0 '^argc=1$' \
    '^husk: debug: phases \(ms since start\): args_parsed [0-9]+\.[0-9]{3}, .*guest_exited [0-9]+\.[0-9]{3}$' \
    "$tmp/out" "$tmp/err")"

run --backend=process --no-jail --log-level=error --mem=32M "$hello"
why=$(why_failed "$status" 0 '^argc=1$' '' "$tmp/out" "$tmp/err")
[ -z "$why" ] && grep -q '^husk' "$tmp/err" && why="a line at level error: $(grep -m1 '^husk' "$tmp/err")"
run --backend=process --no-jail --mem=32M "$hello"
[ -z "$why" ] && ! grep -q '^husk: warning: --no-jail' "$tmp/err" && why="no --no-jail warning at the default level"
result log_level_error_hides_warnings "$why"

# An error line is printed at every level: the guest's end.
run --backend=process --log-level=error --mem=32M "$build/tests/guests/abort.husk"
result log_level_error_keeps_errors "$(why_failed "$status" 134 '' \
    '^husk: guest aborted: ' "$tmp/out" "$tmp/err")"
