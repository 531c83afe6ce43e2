#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/block-suite.sh BUILD HUSK LABEL [BACKEND]: block devices end to end, with the
# checks only the host side can make: data that survives a reboot and a
# kill -9 after fsync, image files left byte-for-byte unchanged by
# read-only mode and by hostile guests, and the monitor's errors for bad
# --block arguments. BACKEND (kvm, the default, or process) is passed to
# every run as --backend; kvm needs /dev/kvm. Prints "PASS LABEL/block/name" lines;
# with HUSK_TEST_SKIP set, a SKIP line for each case and no guest booted
# (tests/lib.sh).
set -u
build=$1 husk=$2 label=$3 backend=${4:-kvm} suite=block
img=$build/tests/guests/blockio.husk
attack=$build/tests/hostile/attack_block.husk
probe=$build/test/husk-probe
tmp=$(mktemp -d)
bgpid=""
. "$(dirname "$0")/lib.sh"
skipping=${HUSK_TEST_SKIP:+yes}
[ -z "$skipping" ] || husk=$(type -P true) probe=$(type -P true)
husk_cmd=("$husk" --backend="$backend") probe_cmd=("$probe" --backend="$backend")
trap '[ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null; rm -rf "$tmp"' EXIT


boot() { # husk options and image and args; output in $tmp/out, $tmp/err
    timeout --foreground -k 5 120 "${husk_cmd[@]}" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
}

expect() { # name status stdout-regex stderr-regex -- husk args...
    local name=$1 want=$2 out_re=$3 err_re=$4
    shift 5
    boot "$@"
    result "$name" "$(why_failed $? "$want" "$out_re" "$err_re" "$tmp/out" "$tmp/err")"
}

new_image() { rm -f "$1"; truncate -s "$2" "$1"; }

a=$tmp/a.img b=$tmp/b.img
new_image "$a" 4M
new_image "$b" 1M

# Data written in one boot is there in the next; two devices at once.
expect write_two 0 '^wrote 4194304 bytes$' '' -- \
    --block:data="$a" --block:more="$b" "$img" -- write /dev/data 5
expect write_second_device 0 '^wrote 1048576 bytes$' '' -- \
    --block:data="$a" --block:more="$b" "$img" -- write /dev/more 9
expect verify_after_reboot 0 '^verified 4194304 bytes$' '' -- \
    --block:data="$a" --block:more="$b" "$img" -- verify /dev/data 5
expect verify_second_device 0 '^verified 1048576 bytes$' '' -- \
    --block:more="$b" --block:data="$a" "$img" -- verify /dev/more 9
# --stats=json (docs/stats.md): each device's requests and bytes, by
# name; the guest wrote, then read, all 4 MiB of data (and sectors around
# its partial writes), and nothing of more.
stats_json() { # name jq-filter -- husk args: the filter true of the report
    local name=$1 filter=$2
    shift 3
    boot --stats=json "$@"
    local st=$? why
    why=$(why_failed "$st" 0 '' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && ! tail -n1 "$tmp/err" | jq -e "$filter" >/dev/null 2>&1 &&
        why="not so in the report: $filter: $(tail -n1 "$tmp/err" | jq -c .devices 2>&1 | head -c 400)"
    result "$name" "$why"
}
stats_json stats_json_write '.devices.data.kind == "block" and
    .devices.data.write_bytes >= 4194304 and .devices.data.writes > 0 and
    .devices.data.capacity_bytes == 4194304 and .devices.data.errors == 0 and
    .devices.more == {kind: "block", read_only: false, capacity_bytes: 1048576,
    reads: 0, read_bytes: 0, writes: 0, write_bytes: 0, flushes: 0, errors: 0}
    and .hypercalls.by_name.block_info >= 1' -- \
    --block:data="$a" --block:more="$b" "$img" -- write /dev/data 5
stats_json stats_json_read '.devices.data.read_bytes >= 4194304 and
    .devices.data.writes == 0' -- \
    --block:data="$a" --block:more="$b" "$img" -- verify /dev/data 5
expect random_model 0 '^model ok: 3000 operations$' '' -- \
    --block:data="$a" --block:more="$b" "$img" -- model /dev/data 3000
expect bounds 0 '^bounds ok: size 1048576$' '' -- \
    --block:data="$a" --block:more="$b" "$img" -- bounds /dev/more
# The same through the I/O thread, forced on (on one CPU too) and with
# each setting of it: every request must come back right whoever serves
# it, the thread polling, a kick, or both in turn.
for mode in on:0 on:20 off:0; do
    IFS=: read -r io spin <<<"$mode"
    opts=(--io-thread="$io")
    [ "$spin" = 0 ] || opts+=(--io-spin="$spin")
    expect "random_model_io_${io}_spin_$spin" 0 '^model ok: 3000 operations$' '' -- \
        "${opts[@]}" --block:data="$a" --block:more="$b" "$img" -- model /dev/more 3000
    expect "write_io_${io}_spin_$spin" 0 '^wrote 4194304 bytes$' '' -- \
        "${opts[@]}" --block:data="$a" --block:more="$b" "$img" -- write /dev/data 7
    expect "verify_io_${io}_spin_$spin" 0 '^verified 4194304 bytes$' '' -- \
        "${opts[@]}" --block:data="$a" --block:more="$b" "$img" -- verify /dev/data 7
done

# Read-only: writes refused in the guest, the file untouched.
sum=$(sha256sum <"$a")
expect read_only 0 '^read-only ok$' '' -- \
    --block:data="$a",ro --block:more="$b" "$img" -- readonly /dev/data
result read_only_file_unchanged \
    "$([ "$(sha256sum <"$a")" = "$sum" ] || echo "the image changed")"

# fsync, then kill -9: nothing that was synced is lost.
new_image "$tmp/k.img" 2M
"${husk_cmd[@]}" --block:data="$tmp/k.img" --block:more="$b" "$img" -- \
    sync_and_wait /dev/data 3 >"$tmp/bg" 2>&1 </dev/null &
bgpid=$!
for _ in $(seq 600); do
    [ -z "$skipping" ] && ! grep -q '^synced$' "$tmp/bg" || break
    sleep 0.1
done
synced=$(grep -c '^synced$' "$tmp/bg")
# While it runs, a second monitor must not get the image.
expect locked 125 '' "^husk: --block:data=$tmp/k.img: in use by another process \(locked\)$" -- \
    --block:data="$tmp/k.img" --block:more="$tmp/b.img" "$img" -- verify /dev/data 3
{
    kill -9 "$bgpid"
    wait "$bgpid"
} 2>/dev/null # bash: "Killed"
bgpid=""
# The jailed monitor dies a moment after the process we killed, its
# supervisor (PR_SET_PDEATHSIG): wait for its lock to go.
for _ in $(seq 50); do flock -n "$tmp/k.img" true && break; sleep 0.1; done
[ "$synced" = 1 ] || [ -n "$skipping" ] || echo "    | $(head -3 "$tmp/bg")"
expect fsync_survives_kill9 0 '^verified 2097152 bytes$' '' -- \
    --block:data="$tmp/k.img" --block:more="$b" "$img" -- verify /dev/data 3

# Hostile raw hypercalls: stopped with 159, and the image unchanged.
# Requests go through the queue and a kick (block_io, call 9, is gone).
new_image "$tmp/h.img" 1M
printf 'precious' | dd of="$tmp/h.img" conv=notrunc status=none
sum=$(sha256sum <"$tmp/h.img")
for case in \
    "past_end|block queue: request 0: sectors 2047\+8 lie past the end of the device \(2048 sectors\)" \
    "sector_huge|block queue: request 0: sectors 36028797018963968\+8 lie past the end" \
    "len_unaligned|block queue: request 0: length 1000 is not a multiple of 512" \
    "len_huge|block queue: request 0: length 4294966784 is not a multiple" \
    "buf_outside|block queue: request 0: buffer 0x[0-9a-f]+\+4096 lies outside guest memory" \
    "bad_handle|block_queue: 7 is not a block device" \
    "info_bad_handle|block_info: 3 is not a block device" \
    "info_pad|block_info: padding is not zero" \
    "req_pad|block queue: request 0: padding is not zero" \
    "op_bad|block queue: request 0: unknown op 3" \
    "flush_bad_handle|block_flush: 9 is not a block device" \
    "flush_pad|block_flush: padding is not zero" \
    "kick_no_queue|block_kick: device 0 has no queue" \
    "queue_misaligned|block_queue: 0x[0-9a-f]+\+4224 is not a page-aligned range of guest memory" \
    "queue_outside|block_queue: 0x[0-9a-f]+\+4224 is not a page-aligned range" \
    "queue_twice|block_queue: device 0 already has a queue" \
    "queue_overrun|block queue: 65 requests submitted, 0 taken: more than its 64 entries" \
    "queue_past_end|block queue: request 0: sectors 2047\+8 lie past the end" \
    "queue_second_bad|block queue: request 1: sectors 2048\+8 lie past the end" \
    "read_into_stub|block queue: request 0: buffer 0x44000\+4096 lies outside guest memory" \
    "read_into_trap_stack|block queue: request 0: buffer 0x45000\+4096 lies outside guest memory" \
    "read_into_boot_info|block queue: request 0: buffer 0x40000\+512 lies outside guest memory"; do
    name=${case%%|*}
    expect "hostile_$name" 159 '' "^husk: ABI violation: ${case#*|}" -- \
        --mem=32M --block:data="$tmp/h.img" "$attack" -- "block_$name"
done
# The process backend serves a kick on the guest's %fs: with it pointing
# at nothing, a write and a read are served, a bad request stops the
# guest, and the monitor never faults (attack.c, foreign_tls_block).
if [ "$backend" = process ]; then
    new_image "$tmp/f.img" 1M
    expect hostile_foreign_tls 159 '' "^husk: ABI violation: block queue: request 0: sectors 2047\+8 lie past the end" -- \
        --mem=32M --block:data="$tmp/f.img" "$attack" -- block_foreign_tls
fi
# The I/O thread finds the bad request itself (no kick) and stops the
# guest: forced on, and polling long enough, even on one CPU.
expect hostile_queue_thread 159 '' '^husk: ABI violation: block queue: request 0: buffer 0x[0-9a-f]+\+4096 lies outside guest memory$' -- \
    --mem=32M --io-thread=on --io-spin=1000000 --timeout=60 \
    --block:data="$tmp/h.img" "$attack" -- block_queue_thread
# Each block call's argument just past the end of memory (32 MiB); call
# 9 (block_io, removed) is no call at all.
for call in 8:block_info:24 10:block_flush:16 11:block_queue:16 12:block_kick:8; do
    IFS=: read -r nr cname size <<<"$call"
    expect "hostile_arg_at_end_$cname" 159 '' \
        "^husk: ABI violation: $cname: argument 0x2000000\\+$size lies outside guest memory \\(32 MiB\\)$" -- \
        --mem=32M --block:data="$tmp/h.img" "$attack" -- arg_at_end "$nr"
done
expect hostile_block_io_removed 159 '' '^husk: ABI violation: unknown hypercall 9$' -- \
    --mem=32M --block:data="$tmp/h.img" "$attack" -- arg_at_end 9
expect hostile_write_ro 159 '' '^husk: ABI violation: block queue: request 0: write to a read-only device$' -- \
    --mem=32M --block:data="$tmp/h.img",ro "$attack" -- block_write_ro
result hostile_image_unchanged \
    "$([ "$(sha256sum <"$tmp/h.img")" = "$sum" ] || echo "the image changed")"
# A write may take its data from the boot data (argv's strings): the
# monitor only reads there.
new_image "$tmp/argv.img" 1M
expect write_from_argv 0 '^wrote from argv: result 0$' '' -- \
    --mem=32M --block:data="$tmp/argv.img" "$attack" -- block_write_from_argv
result write_from_argv_data \
    "$(head -c 512 "$tmp/argv.img" | tr '\0' '\n' | grep -qxF -- "$attack" ||
        echo "argv[0] is not on the device")"

# The monitor's errors for bad --block arguments: one line, status 125.
new_image "$tmp/odd.img" 1000
cp "$a" "$tmp/ro.img"
chmod 444 "$tmp/ro.img"
expect missing_file 125 '' "^husk: --block:data=$tmp/nope.img: cannot open: No such file or directory$" -- \
    --block:data="$tmp/nope.img" --block:more="$b" "$img"
expect bad_option 125 '' "^husk: --block:data=$a,rw: unknown option 'rw' \(the only one is ro\)$" -- \
    --block:data="$a",rw --block:more="$b" "$img"
expect empty_spec 125 '' '^husk: --block:data=: expected --block:NAME=FILE or --block:NAME FILE$' -- \
    --block:data= --block:more="$b" "$img"
expect odd_size 125 '' 'size 1000 is not a non-zero multiple of 512 bytes' -- \
    --block:data="$tmp/odd.img" --block:more="$b" "$img"
expect ro_file_without_ro 125 '' 'the file is read-only \(mode 444\); add ,ro' -- \
    --block:data="$tmp/ro.img" --block:more="$b" "$img"
expect ro_file_with_ro 0 '^read-only ok$' '' -- \
    --block:data="$tmp/ro.img",ro --block:more="$b" "$img" -- readonly /dev/data
expect directory 125 '' "^husk: --block:data=$tmp: cannot open: Is a directory$" -- \
    --block:data="$tmp" --block:more="$b" "$img"
# A FIFO is no disk: refused at once (opening one for reading would wait
# for a writer, before --timeout is armed), read-only or not.
mkfifo "$tmp/fifo"
for ro in ",ro" ""; do
    timeout -k 5 20 "${husk_cmd[@]}" --block:data="$tmp/fifo$ro" --block:more="$b" "$img" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    result "fifo${ro/,/_}" "$(why_failed $? 125 '' \
        "^husk: --block:data=$tmp/fifo: not a regular file or block device\$" \
        "$tmp/out" "$tmp/err")"
done

# Nothing is allocated once the seccomp filter is armed (docs/security.md):
# the test monitor (tests/sandbox/probe.c) ends with a "husk-probe:" line
# and 125 at the first malloc, calloc, realloc or free after it. A queue
# set up with and without the I/O thread, a violation, a crash report.
if [ ! -x "$probe" ]; then
    result noalloc_after_filter "$probe is missing (make $probe)"
else
    for io in off on; do
        HUSK_PROBE=noalloc timeout -k 5 120 "${probe_cmd[@]}" --io-thread=$io --stats \
            --block:data="$a" --block:more="$b" "$img" -- model /dev/data 300 \
            >"$tmp/out" 2>"$tmp/err" </dev/null
        result "noalloc_queue_io_$io" "$(why_failed $? 0 '^model ok: 300 operations$' \
            '^husk: stats: ' "$tmp/out" "$tmp/err")"
    done
    HUSK_PROBE=noalloc timeout -k 5 120 "${probe_cmd[@]}" --mem=32M --block:data="$tmp/h.img" \
        "$attack" -- block_past_end >"$tmp/out" 2>"$tmp/err" </dev/null
    result noalloc_violation "$(why_failed $? 159 '' '^husk: ABI violation: ' \
        "$tmp/out" "$tmp/err")"
    HUSK_PROBE=noalloc timeout -k 5 120 "${probe_cmd[@]}" --mem=32M --block:data="$tmp/h.img" \
        "$attack" -- ud2 >"$tmp/out" 2>"$tmp/err" </dev/null
    result noalloc_crash_report "$(why_failed $? 139 '' '^husk: guest crashed: ' \
        "$tmp/out" "$tmp/err")"
fi

# The image file shrinks and grows back while monitors start: each must
# run the guest or refuse the image with one line (125), never die of
# SIGBUS (135) as it did when it mapped the file and read it after the
# jail's fork. Racy by nature (docs: the CLI case image_reads_short is
# the deterministic one); 40 starts hit the window often enough. A read
# torn by the writer within one timestamp tick can still yield an image
# that parses and then crashes: the guest's crash report (139) is a
# documented end too.
cp "$img" "$tmp/orig.husk" 2>/dev/null || [ -n "$skipping" ] || echo "    | no $img"
cp "$tmp/orig.husk" "$tmp/shrinking.husk" 2>/dev/null
(while :; do
    truncate -s 4096 "$tmp/shrinking.husk"
    cat "$tmp/orig.husk" >"$tmp/shrinking.husk"
done) 2>/dev/null &
bgpid=$!
why="" statuses=""
for _ in $(seq 40); do
    timeout -k 5 60 "${husk_cmd[@]}" --block:data="$a" --block:more="$b" \
        "$tmp/shrinking.husk" -- bounds /dev/more >"$tmp/out" 2>"$tmp/err" </dev/null
    st=$?
    statuses="$statuses $st"
    case $st in
    0) ;;
    125) [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q '^husk: ' "$tmp/err" ||
        why="status 125 without one husk: line" ;;
    139) grep -q '^husk: guest crashed: ' "$tmp/err" ||
        why="status 139 without a crash report" ;;
    *) why="status $st ($(head -c 200 "$tmp/err"))" ;;
    esac
    [ -n "$why" ] && break
done
kill "$bgpid" 2>/dev/null
wait "$bgpid" 2>/dev/null
bgpid=""
result image_shrinks_while_starting "$why"
if [ -n "${HUSK_TEST_VERBOSE:-}" ]; then echo "    statuses:$statuses"; fi

