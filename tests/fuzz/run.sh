#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh BUILD SECONDS [NAME...]: build the libFuzzer harnesses
# into BUILD/fuzz/ and run each one (or the NAMEd ones: elf args hypercall
# tso tcpfix oci_config snapshot).
#   SECONDS=0  replay tests/fuzz/corpus/<name>/ once, no mutation (what
#              `make check` does: a crash found once stays fixed)
#   SECONDS>0  fuzz each harness that long; new inputs go to
#              BUILD/fuzz/corpus-<name>/ (seeded from the committed corpus),
#              crashes to BUILD/fuzz/artifacts/<name>-crash-*
# Prints "PASS fuzz/name" or "FAIL fuzz/name: why" per harness; the full
# libFuzzer output is in BUILD/fuzz/<name>.log. Exits 1 if any failed.
set -u
build=${1:?usage: tests/fuzz/run.sh BUILD SECONDS}
seconds=${2:?usage: tests/fuzz/run.sh BUILD SECONDS}
cd "$(dirname "$0")/../.." || exit 1
out=$build/fuzz
mkdir -p "$out/artifacts" || exit 1

CC=${FUZZ_CC:-clang}
# -Wno-missing-field-initializers: libseccomp's SCMP_A0() leaves a field
# to the initializer's zero, which clang's -Wextra flags (gcc's does not).
CFLAGS=(-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer -D_GNU_SOURCE
    -Wall -Wextra -Werror -Wno-missing-field-initializers -Imonitor)

# name: the monitor sources the harness needs
declare -A sources=(
    [elf]="monitor/elf.c monitor/log.c monitor/symbols.c"
    [args]="monitor/args.c monitor/device_kinds.c monitor/log.c
            drivers/block/spec.c drivers/net/spec.c"
    [hypercall]="monitor/hypercall.c monitor/gpa.c monitor/log.c
                 monitor/core_calls.c monitor/rate.c drivers/console/host.c
                 drivers/console/escape.c monitor/stop.c
                 drivers/block/host.c drivers/block/spec.c monitor/iothread.c
                 drivers/net/host.c drivers/net/user.c drivers/net/passt_cli.c
                 drivers/net/stream.c drivers/net/tcpfix.c drivers/net/arp.c
                 drivers/net/synretry.c
                 drivers/net/spec.c drivers/net/vnet.c monitor/args.c
                 monitor/device_kinds.c monitor/json.c monitor/allowlist.c"
    [tso]="drivers/net/tso.c drivers/net/vnet.c monitor/log.c"
    [tcpfix]="drivers/net/tcpfix.c"
    [oci_config]="oci/config.c oci/plan.c oci/strv.c"
    [snapshot]="monitor/snapshot_format.c monitor/guest_pages.c
                monitor/device_kinds.c monitor/log.c monitor/args.c
                monitor/allowlist.c
                drivers/block/spec.c drivers/net/spec.c"
)

failed=0
fail() { # name why
    echo "FAIL fuzz/$1: $2"
    failed=1
}

run_one() { # name
    local name=$1 bin=$out/fuzz_$1 log=$out/$1.log
    local seeds=tests/fuzz/corpus/$1
    # Rebuild only if a source or a header is newer than the harness.
    # shellcheck disable=SC2086 # lists of files
    if [ ! -x "$bin" ] || [ -n "$(find "tests/fuzz/fuzz_$name.c" \
        ${sources[$name]} monitor/*.h abi/*.h drivers/*/*.h \
        -newer "$bin" 2>/dev/null)" ]; then
        if ! "$CC" "${CFLAGS[@]}" -o "$bin" "tests/fuzz/fuzz_$name.c" \
            ${sources[$name]} -lseccomp -lpthread -ljansson >"$log" 2>&1; then
            rm -f "$bin"
            fail "$name" "does not build (see $log)"
            return
        fi
    fi
    : >"$log"
    local opts=(-close_fd_mask=3 -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$out/artifacts/$name-")
    [ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
    if [ "$seconds" = 0 ]; then
        local files=("$seeds"/*)
        [ -e "${files[0]}" ] || { fail "$name" "no corpus in $seeds"; return; }
        "$bin" "${opts[@]}" "${files[@]}" >>"$log" 2>&1
    else
        mkdir -p "$out/corpus-$name"
        "$bin" "${opts[@]}" -max_total_time="$seconds" -print_final_stats=1 \
            "$out/corpus-$name" "$seeds" >>"$log" 2>&1
    fi
    local rc=$?
    if [ "$rc" = 0 ]; then
        echo "PASS fuzz/$name"
    else
        local art
        art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
        fail "$name" "exit status $rc${art:+, input saved as $art} (see $log)"
    fi
}

[ $# -gt 2 ] && shift 2 || set -- elf args hypercall tso tcpfix oci_config snapshot
for name in "$@"; do
    [ -n "${sources[$name]:-}" ] || { fail "$name" "no such harness"; continue; }
    run_one "$name"
done
exit "$failed"
