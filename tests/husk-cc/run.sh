#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/husk-cc/run.sh BUILD: husk-cc as a compiler. Builds a multi-file
# project with `make CC=husk-cc` (separate compile and link steps), checks
# the device note that --block/--net write, and the errors for bad device
# flags. Needs no /dev/kvm: the booting of these images is in
# tests/guests/cases.txt. Prints "PASS husk-cc/name" or "FAIL ...: why".
set -u
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cc=$build/husk-cc
out=$build/tests/husk-cc
mkdir -p "$out"

check() { # name command...: PASS if the command succeeds
    local name=$1
    shift
    if "$@" >"$out/log" 2>&1; then
        echo "PASS husk-cc/$name"
    else
        echo "FAIL husk-cc/$name: $*"
        sed 's/^/    | /' "$out/log" | tail -10
    fi
}

# One line of stderr, this status, matching this pattern.
expect_error() { # name status pattern command...
    local name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$out/stdout" 2>"$out/stderr"
    local got=$?
    if [ "$got" = "$want" ] && [ "$(wc -l <"$out/stderr")" = 1 ] &&
        grep -Eq -- "$pattern" "$out/stderr"; then
        echo "PASS husk-cc/$name"
    else
        echo "FAIL husk-cc/$name: status $got (want $want), stderr:"
        sed 's/^/    | /' "$out/stderr" | head -5
    fi
}

rm -f "$out"/*.o "$out/wordstat.husk"
check make_project make -s -C "$here/project" CC="$cc" CFLAGS="-O2 -Wall -Werror" \
    OBJDIR="$out" OUT="$out/wordstat.husk"
check project_objects_are_musl sh -c "! nm '$out/main.o' | grep -q GLIBC"
check project_is_static_exec sh -c \
    "readelf -h '$out/wordstat.husk' | grep -q 'EXEC (Executable file)' &&
     ! readelf -l '$out/wordstat.husk' | grep -q INTERP"
check no_syscall_instruction sh -c \
    "! objdump -d '$out/wordstat.husk' | grep -qw 'syscall\$'"

src=$here/project/main.c
check device_note "$cc" --block=data --net=service -I"$here/project" \
    -o "$out/devices.husk" "$src" "$here/project/stats.c" -lm
check device_note_contents sh -c \
    "readelf -n '$out/devices.husk' | grep -q 'Husk.*0x00000058' &&
     readelf -x .note.husk.devices '$out/devices.husk' | grep -q 'data' &&
     readelf -x .note.husk.devices '$out/devices.husk' | grep -q 'serv'"
expect_error missing_devices 125 \
    "^husk: the image needs (block device 'data'|net device 'service'); attach it with --" \
    "$build/husk" "$out/devices.husk"
expect_error undeclared_device 125 \
    "^husk: --block:other: the image declares no device 'other'" \
    "$build/husk" --block:other=/dev/null "$build/tests/husk-cc/wordstat.husk"
expect_error bad_device_name 2 "^husk-cc: --block=Bad: device names are" \
    "$cc" --block=Bad -o "$out/x.husk" "$src"
expect_error duplicate_device 2 "^husk-cc: device 'a' declared twice" \
    "$cc" --block=a --net=a -o "$out/x.husk" "$src"
