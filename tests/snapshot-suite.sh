#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/snapshot-suite.sh BUILD HUSK LABEL [BACKEND]: husk --snapshot-to
# and --restore. tests/guests/snapshot.c sets up heap, a file, the
# environment, a sleeping thread and a block queue, calls husk_ready(),
# and checks them all after; restored, it must find them as they were.
# Then every file a restore must refuse (cut, corrupt, another image's,
# taken with another disk) and a guest that never calls husk_ready().
# Under kvm, also a snapshot taken under one backend and restored under
# the other. Prints "PASS LABEL/snapshot/name" or "FAIL ...: why".
set -u
build=$(cd "$1" && pwd) husk=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") label=$3
backend=${4:-kvm}
here=$(cd "$(dirname "$0")" && pwd)
suite=snapshot
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

guest=$build/tests/guests/snapshot.husk
other=$build/tests/guests/exit_status.husk
# Instances restored at once from one file (each its own monitor).
parallel=${SNAPSHOT_PARALLEL:-20}

truncate -s 1M "$tmp/disk.img"
truncate -s 2M "$tmp/disk-big.img"
disk=$tmp/disk.img
run() { # run BACKEND HUSK-ARGS...: the monitor with $disk, status in $got
    local b=$1
    shift
    if [ -n "${HUSK_TEST_SKIP:-}" ]; then got=skip; return; fi
    timeout --foreground -k 5 120 "$husk" --backend="$b" \
        --block:disk="$disk" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
}
expect() { # expect NAME STATUS OUT_RE ERR_RE
    result "$1" "$(why_failed "$got" "$2" "$3" "$4" "$tmp/out" "$tmp/err")"
}

run "$backend" --snapshot-to="$tmp/snap" "$guest" -- state
expect snapshot_written 0 '^initialised: state, argc 2$' ''
why=""
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    # 64M of guest memory (all but the first 256K, the monitor's); a few
    # MiB of it used: the rest are holes.
    size=$(stat -c %s "$tmp/snap") blocks=$(stat -c %b "$tmp/snap")
    if [ "$size" -lt $(((64 << 20) - (256 << 10))) ]; then
        why="the snapshot is $size bytes, less than guest memory"
    elif [ $((blocks * 512)) -gt $((24 << 20)) ]; then
        why="the snapshot takes $((blocks * 512)) bytes on disk: not sparse"
    elif grep -q 'ready=' "$tmp/out"; then
        why="the guest went on after the snapshot"
    fi
fi
result snapshot_sparse "$why"

run "$backend" --restore="$tmp/snap" "$guest"
expect restore_resumes 0 '^checks passed$' ''
why=""
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    if grep -q '^initialised' "$tmp/out"; then
        why="the restored guest ran its start-up again"
    elif ! grep -qx 'ready=1' "$tmp/out"; then
        why="husk_ready() did not return 1 in the restored guest"
    fi
fi
result restore_returns_1 "$why"

# The file is mapped copy-on-write: a second restore finds it unchanged.
run "$backend" --restore="$tmp/snap" "$guest"
expect restore_again 0 '^checks passed$' ''

# Without --snapshot-to, husk_ready() returns 0 and the run goes on.
run "$backend" "$guest" -- state
expect ready_without_snapshot 0 '^ready=0$' ''

# Many instances from one file at once, each with its own copy of the
# disk as it was at the snapshot (the monitor locks a disk's file; the
# guest remembers what it wrote there); every one must resume whole.
why=""
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    pids=()
    for i in $(seq "$parallel"); do
        cp "$tmp/disk.img" "$tmp/disk$i.img"
        timeout -k 5 300 "$husk" --backend="$backend" \
            --block:disk="$tmp/disk$i.img" --restore="$tmp/snap" "$guest" \
            >"$tmp/out$i" 2>"$tmp/err$i" </dev/null &
        pids+=($!)
    done
    bad=0
    for i in $(seq "$parallel"); do
        wait "${pids[i - 1]}" || bad=$((bad + 1))
        grep -qx 'checks passed' "$tmp/out$i" || bad=$((bad + 1))
    done
    [ "$bad" = 0 ] || why="$bad of $parallel restored instances failed"
    cp "$tmp/out1" "$tmp/out" && cp "$tmp/err1" "$tmp/err"
fi
result "restore_${parallel}_at_once" "$why"

# A guest that ends without calling husk_ready(): no snapshot, 125, and
# the file left empty.
run "$backend" --snapshot-to="$tmp/never" "$guest" -- never
expect never_ready 125 '^exiting without husk_ready$' \
    "^husk: --snapshot-to=$tmp/never: the guest ended \(status 0\) without calling husk_ready\(\); no snapshot was written$"
why=""
if [ -z "${HUSK_TEST_SKIP:-}" ] && [ "$(stat -c %s "$tmp/never")" != 0 ]; then
    why="the file was not emptied"
fi
result never_ready_empties_file "$why"

# Files a restore must refuse: one line each, 125, the guest never runs.
refused() { # refused NAME SNAPSHOT ERR_RE [IMAGE]
    run "$backend" --restore="$2" "${4:-$guest}"
    expect "$1" 125 '' "^husk: --restore=$2: $3"
    if [ -z "${HUSK_TEST_SKIP:-}" ] && [ -s "$tmp/out" ]; then
        result "$1_runs_nothing" "the guest ran"
    fi
}
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    head -c $((1 << 20)) "$tmp/snap" >"$tmp/cut"
    cp --sparse=always "$tmp/snap" "$tmp/corrupt"
    printf 'X' | dd of="$tmp/corrupt" bs=1 seek=24 conv=notrunc status=none
fi
refused cut_short "$tmp/cut" 'snapshot cut short \(1048576 of [0-9]+ bytes\)$'
refused corrupt "$tmp/corrupt" 'corrupt snapshot \(its header.s checksum is wrong\)$'
refused not_a_snapshot "$guest" 'not a Husk snapshot'
run "$backend" --restore="$tmp/snap" "$other"
expect other_image 125 '' \
    "^husk: --restore=$tmp/snap: the snapshot was taken from another image \(its build ID differs\)"
# The same device name, but a disk of another size: the guest set up the
# one it saw.
disk=$tmp/disk-big.img
run "$backend" --restore="$tmp/snap" "$guest"
disk=$tmp/disk.img
expect other_disk 125 '' 'device disk is not what it was when the snapshot was taken'
run "$backend" --mem=128M --restore="$tmp/snap" "$guest"
expect other_mem 125 '' "the snapshot's guest has 64M of memory; leave out --mem or give --mem=64M$"

# A snapshot holds no CPU state of the monitor's: one taken under either
# backend restores under the other.
if [ "$backend" = kvm ]; then
    run process --snapshot-to="$tmp/proc.snap" "$guest" -- state
    run kvm --restore="$tmp/proc.snap" "$guest"
    expect process_to_kvm 0 '^checks passed$' ''
    run process --restore="$tmp/snap" "$guest"
    expect kvm_to_process 0 '^checks passed$' ''
fi
