#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# guest/musl/build.sh BUILD_DIR: fetch musl's source from Debian
# (apt-get source, never committed), apply syscalls-as-calls.patch and
# build a static libc into BUILD_DIR/musl. A rebuild happens only when the
# patch or this script changes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
prefix=$build/musl
stamp=$prefix/.stamp
want=$(cat "$here/syscalls-as-calls.patch" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$prefix/lib/libc.a" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi

bash "$here/../../scripts/setup-host.sh" --src-only
src=$build/src/musl
rm -rf "$src" "$prefix"
mkdir -p "$src" "$prefix"
log=$prefix/build.log
start=$(date +%s)
(
    cd "$src"
    # As root, apt warns that its _apt user cannot write here; harmless.
    apt-get source -q musl 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
) >"$log" 2>&1
tree=$(find "$src" -maxdepth 1 -mindepth 1 -type d -name 'musl-*' | head -1)
if [ -z "$tree" ]; then
    echo "musl: apt-get source musl failed:" >&2
    tail -20 "$log" >&2
    exit 1
fi
version=$(cd "$src" && ls musl_*.dsc | sed 's/^musl_\(.*\)\.dsc$/\1/')
echo "musl $version (Debian source package)" | tee "$prefix/VERSION"
if ! (
    cd "$tree"
    patch -p1 --forward --quiet <"$here/syscalls-as-calls.patch"
    # The guest runs at CPL3, so SSE is fine; the image is static, no PIC.
    ./configure --prefix="$prefix" --disable-shared \
        CFLAGS='-O2 -g -fno-stack-protector'
    make -j"$(nproc)"
    make install
) >>"$log" 2>&1; then
    echo "musl: build failed; the end of $log:" >&2
    tail -30 "$log" >&2
    exit 1
fi

# The point of the patch: no `syscall` instruction may be left.
if objdump -d "$prefix/lib/libc.a" | grep -qw 'syscall$'; then
    echo "musl: libc.a still contains syscall instructions:" >&2
    objdump -d "$prefix/lib/libc.a" | grep -B5 -w 'syscall$' | head -20 >&2
    exit 1
fi
echo "$want" >"$stamp"
echo "musl: built in $(($(date +%s) - start)) s into $prefix"
