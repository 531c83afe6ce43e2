#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/seeds.sh BUILD: rewrite the committed seed corpus in
# tests/fuzz/corpus/. ELF seeds come from tests/cli/mkelf.c (run
# tests/cli/run.sh BUILD first); the others are written here. Inputs that
# crashed a harness (regression tests, named crash-*) are kept.
set -eu
build=${1:?usage: tests/fuzz/seeds.sh BUILD}
cd "$(dirname "$0")"
images=$build/tests/cli/images
[ -f "$images/valid.husk" ] || { echo "run tests/cli/run.sh $build first" >&2; exit 1; }

mkdir -p corpus/elf corpus/args corpus/hypercall
for f in valid disk disk_twice overlap low bigbss abi999 entry badnote phnum; do
    cp "$images/$f.husk" "corpus/elf/$f"
done
# One with a symbol table, for the crash report's lookup (symbols.c):
# crash_here at HUSK_LOAD_MIN, which the harness looks up.
printf 'void crash_here(void) { *(volatile int *)0 = 1; }\n%s\n' \
    'void _start(void) { crash_here(); for (;;); }' >"$build/symtab.c"
gcc -Os -nostdlib -static -fno-asynchronous-unwind-tables -Wl,-n \
    -Wl,--build-id=none -Wl,-Ttext=0x100000 -o corpus/elf/symtab "$build/symtab.c"
strip --strip-debug -R .comment corpus/elf/symtab

# fuzz_args: argv[1..] separated by NUL bytes.
a() { printf -- "$2" >"corpus/args/$1"; }
a image 'app.husk'
a mem_and_guest_args '--mem=64M\0app.husk\0--\0alice\0bob'
a devices '--block:disk=a.img,ro\0--net:eth0=tap0,ip=10.0.0.2/24\0app.husk'
a net_spec '--net:eth0=tap0,ip=10.0.0.2/24,gw=10.0.0.1,mac=02:00:00:00:00:01,mtu=1500,rate=125M\0app.husk'
a timeout '--timeout=5\0--mem=1G\0app.husk\0--'
a help '--help'
a bad_mem '--mem=99999999999999999999G\0app.husk'
a sandbox '--user=nobody\0--group=nogroup\0--console-rate=64K\0--no-jail\0app.husk'
a print_seccomp '--print-seccomp\0--console-rate=0\0app.husk'

# fuzz_hypercall: flags nr off(le16) len(le32) arg(le64), then guest memory
# at arg (see the comment at the top of fuzz_hypercall.c).
h() { printf -- "$2" >"corpus/hypercall/$1"; }
# exit(42): struct husk_hc_exit at 0x100000
h exit '\0\x01\0\0\0\0\0\0\0\0\x10\0\0\0\0\0*\0\0\0\0\0\0\0'
# console_write of 5 bytes at 0x100018 to stdout, ret after
h console '\0\x03\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\x18\0\x10\0\0\0\0\0\x05\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0hello'
# abort with an 8-byte message at 0x100010
h abort '\0\x02\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\x10\0\x10\0\0\0\0\0\x08\0\0\0\0\0\0\0bad\nday!'
# wallclock
h wallclock '\0\x04\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0\0\0\0\0\0\0'
# poll: timeout 100 ns, wait for handles 0 and 2
h poll '\0\x05\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\x64\0\0\0\0\0\0\0\x05\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
# mem_discard of one page at 0x180000
h discard '\0\x06\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0\x18\0\0\0\0\0\0\x10\0\0\0\0\0\0'
# a 4-byte load at hypercall page offset 0x44 (raw offset and length)
h load '\x07\0\x84\0\x04\0\0\0\0\0\x10\0\0\0\0\0'
# block_info of handle 1 (the read-write device)
h block_info '\0\x08\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
# z N: N zero bytes (in the queue seeds' long runs of padding)
z() { head -c "$1" /dev/zero; }
# block_kick of handle 1, its struct just before the device's queue at
# 0x1f0000 (fuzz_hypercall.c), then the queue: 2 submitted, a write of 512
# bytes at sector 3 from 0x100000, a read of 1024 at sector 0 to 0x101000
{
    printf -- '\0\x0c\0\0\0\0\0\0\xf8\xff\x1e\0\0\0\0\0\x01\0\0\0\0\0\0\0'
    printf -- '\x02\0\0\0'; z 124
    printf -- '\x02\0\0\0\0\x02\0\0\x03\0\0\0\0\0\0\0\0\0\x10\0\0\0\0\0'; z 40
    printf -- '\x01\0\0\0\0\x04\0\0\0\0\0\0\0\0\0\0\0\x10\x10\0\0\0\0\0'; z 40
} >corpus/hypercall/block_kick
# block_kick of handle 3, the read-only device: a write (a violation)
{
    printf -- '\0\x0c\0\0\0\0\0\0\xf8\x1f\x1f\0\0\0\0\0\x03\0\0\0\0\0\0\0'
    printf -- '\x01\0\0\0'; z 124
    printf -- '\x02\0\0\0\0\x02\0\0\0\0\0\0\0\0\0\0\0\0\x10\0\0\0\0\0'; z 40
} >corpus/hypercall/block_kick_write_ro
# block_queue for handle 1 again (it has one: a violation)
h block_queue '\0\x0b\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\x1f\0\0\0\0\0'
# block_flush of handle 1
h block_flush '\0\x0a\0\0\0\0\0\0\0\0\x10\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'

# fuzz_snapshot: the file's length (le64), then its first page. A real
# snapshot's header (tests/guests/snapshot.husk, process backend), whole
# and as if the file were cut short.
mkdir -p corpus/snapshot
snap=$build/fuzz-seed.snap
disk=$build/fuzz-seed.img
truncate -s 1M "$disk"
"$build/husk" --backend=process --block:disk="$disk" --snapshot-to="$snap" \
    "$build/tests/guests/snapshot.husk" -- state >/dev/null
le64() { printf '%016x' "$1" | fold -w2 | tac | tr -d '\n' | xxd -r -p; }
{ le64 "$(stat -c %s "$snap")"; head -c 4096 "$snap"; } >corpus/snapshot/whole
{ le64 65536; head -c 4096 "$snap"; } >corpus/snapshot/cut_short
rm -f "$snap" "$disk"
