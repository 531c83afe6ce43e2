#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# guest/musl/build.sh BUILD_DIR: fetch musl's source from Debian (apt-get
# source; it is never committed), apply syscalls-as-calls.patch, put our
# memcpy.s, memmove.s and memset.s in place of musl's (which start
# `rep movs` or `rep stos` at small sizes, slow on some CPUs: issue 12)
# and build a static libc into BUILD_DIR/musl (include/, lib/libc.a,
# crt*.o). It rebuilds only when the patch, those files or this script
# have changed.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
prefix=$build/musl
patch=$here/syscalls-as-calls.patch
strings=("$here/memcpy.s" "$here/memmove.s" "$here/memset.s")
stamp=$prefix/.stamp

# The stamp is checked first, so that a built tree needs neither root nor
# the network.
want=$(cat "$patch" "${strings[@]}" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$prefix/lib/libc.a" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
# dpkg-dev: dpkg-source; binutils: objdump, nm.
bash "$here/../../scripts/setup-host.sh" --src-only dpkg-dev patch xz-utils \
    gcc make binutils

start=$(date +%s)
src=$build/src/musl
rm -rf "$src" "$prefix"
mkdir -p "$src" "$prefix"
log=$prefix/build.log
fail() {
    echo "musl: $1; the end of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
}
run() { # one step of the build, its output to the log
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "$1 failed"
}

cd "$src"
# apt-get source in two steps, so that each fails on its own. As root,
# apt warns that it downloads unsandboxed: harmless, left in the log.
: >"$log"
run apt-get source --download-only -q musl
dsc=$(ls musl_*.dsc)
echo "musl $(sed -n 's/^Version: //p' "$dsc")" >"$prefix/VERSION"
echo "musl: building $(cat "$prefix/VERSION") (Debian source) with $(basename "$patch")" \
    "and our memcpy.s, memmove.s, memset.s" |
    tee -a "$log"
run dpkg-source -x "$dsc" tree
cd tree
run patch -p1 --forward -i "$patch"
# Over musl's files of the same names, so that its Makefile builds them in
# their place.
for f in "${strings[@]}"; do
    [ -f "src/string/x86_64/$(basename "$f")" ] ||
        fail "musl has no src/string/x86_64/$(basename "$f") to replace"
    run cp "$f" src/string/x86_64/
done
# Static only and no PIC: the image is a static non-PIE ELF linked at 1 MiB
# (husk-cc also compiles with -fno-pie). The guest runs at CPL3, so SSE is
# fine. No stack protector: its canary lives in TLS, which libc's start-up
# code runs without.
run ./configure --prefix="$prefix" --disable-shared \
    CFLAGS='-O2 -g -fno-pie -fno-stack-protector'
run make -j"$(nproc)"
run make install

# The point of the patch: no `syscall` instruction left (matched as the
# mnemonic, not as in syscall.o or <syscall>:), and system calls go to the
# library OS's two entry points instead.
check() { echo "musl: $*" | tee -a "$log" >&2; exit 1; }
left=$(objdump -d "$prefix/lib/libc.a" | awk '/file format/ { obj = $1 }
    /^[0-9a-f]+ <.*>:$/ { fn = $2 } /\tsyscall *$/ { print obj, fn }')
[ -z "$left" ] || check "syscall instructions left in libc.a:"$'\n'"$left"
undef=$(nm -u "$prefix/lib/libc.a" 2>/dev/null)
calls=()
for sym in __husk_syscall __husk_syscall_entry; do
    n=$(grep -cE " U $sym\$" <<<"$undef" || true)
    [ "$n" -gt 0 ] || check "no object in libc.a calls $sym"
    calls+=("$n objects call $sym")
done
echo "musl: libc.a has no syscall instruction; ${calls[0]}, ${calls[1]}" |
    tee -a "$log"
# Our string functions are the ones built: musl's have no SSE.
for fn in memcpy memmove memset; do
    n=$(objdump -d --disassemble="$fn" "$prefix/lib/libc.a" | grep -c movdqu || true)
    [ "$n" -gt 0 ] || check "$fn in libc.a is not guest/musl/$fn.s"
done
for f in include/stdio.h lib/libc.a lib/crt1.o lib/crti.o lib/crtn.o; do
    [ -f "$prefix/$f" ] || check "$prefix/$f was not installed"
done
echo "$want" >"$stamp"
echo "musl: built in $(($(date +%s) - start)) s into $prefix (log: $log)"
