#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# guest/ext2/build.sh BUILD_DIR: fetch e2fsprogs' source from Debian
# (apt-get source; it is never committed) into BUILD_DIR/src/e2fsprogs and
# build, for the guest, only the two libraries an ext2/ext3/ext4 mount
# needs: libext2fs and the com_err it reports errors through. The
# Makefile links them, with guest/ext2/*.c, into BUILD_DIR/lib/libhusk-ext2.a,
# which husk-cc adds to an image only for husk-cc --mount. Does nothing
# once they are built and this script has not changed.
#
# Why configure rather than a list of sources in the Makefile (as lwIP
# has): libext2fs's build generates part of its own source (config.h for
# the target's libc, ext2_types.h, the error table ext2_err.c/h from
# compile_et, crc32c_table.h from a host program), and e2fsprogs' own
# configure, run against husk-cc as a cross compiler, gets all of that
# right for musl. Third-party code: built with e2fsprogs' own flags, not
# Husk's warning list. It needs husk-cc, libhusk and musl built already.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
dest=$build/src/e2fsprogs
stamp=$dest/.stamp
tree=$dest/tree
want=$(sha256sum "$0" | cut -d' ' -f1)
# The stamp first: a built tree needs neither root nor the network.
if [ -f "$tree/lib/libext2fs.a" ] && [ -f "$tree/lib/libcom_err.a" ] &&
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
for f in "$build/husk-cc" "$build/lib/libhusk.a" "$build/musl/lib/libc.a"; do
    if [ ! -e "$f" ]; then
        echo "e2fsprogs: $f is missing: build the rest of Husk first (make)" >&2
        exit 1
    fi
done
bash "$here/../../scripts/setup-host.sh" --src-only dpkg-dev xz-utils gcc make

start=$(date +%s)
rm -rf "$dest"
mkdir -p "$dest"
log=$dest/build.log
: >"$log"
fail() {
    echo "e2fsprogs: $1; the end of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
}
run() { # one step of the build, its output to the log
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 || fail "$1 failed"
}

cd "$dest"
# As root, apt warns that it downloads unsandboxed: harmless, in the log.
run apt-get source --download-only -q e2fsprogs
dsc=$(ls e2fsprogs_*.dsc)
version=$(sed -n 's/^Version: //p' "$dsc")
case $version in
1.47.*) ;;
*) fail "Debian has e2fsprogs $version; Husk's ext2 mounts are written for 1.47" ;;
esac
echo "e2fsprogs: building libext2fs and com_err of e2fsprogs $version (Debian source) for the guest" |
    tee -a "$log"
run dpkg-source -x "$dsc" tree
rm -f ./*.tar.* ./*.dsc ./*.asc
cd tree
# Everything the two libraries do not need is off: the programs, threads
# (the guest has one), NLS, the test I/O manager's debugging, MMP (a
# lock for shared storage; the monitor locks the image file instead),
# tdb (the undo I/O manager's database). libext2fs uses neither uuid nor
# blkid; asking for e2fsprogs' private copies (never built here) keeps
# configure from looking for them among the guest's libraries. pkg-config
# sees only the guest sysroot's packages, never the host's.
export PKG_CONFIG_LIBDIR="$build/sysroot/usr/lib/pkgconfig"
run ./configure --host=x86_64-linux-musl CC="$build/husk-cc" \
    CFLAGS='-O2 -g' --disable-nls --disable-fuse2fs --disable-tls \
    --disable-uuidd --disable-mmp --disable-tdb --disable-bmap-stats \
    --disable-debugfs --disable-imager --disable-resizer --disable-defrag \
    --disable-backtrace --disable-testio-debug --disable-elf-shlibs \
    --enable-libuuid --enable-libblkid --without-pthread
jobs=$(nproc)
# lib/et first: libext2fs's error table is made with its compile_et.
run make -C lib/et -j"$jobs" libcom_err.a compile_et
# Its generated headers next, alone: e2fsprogs' Makefile does not make
# every object depend on ext2_err.h, so a parallel make can compile one
# (fallocate.c) before the header exists.
run make -C lib/ext2fs ext2_err.h crc32c_table.h
run make -C lib/ext2fs -j"$jobs" libext2fs.a
for f in lib/libext2fs.a lib/libcom_err.a lib/ext2fs/ext2_types.h \
    lib/ext2fs/ext2_err.h lib/et/com_err.h; do
    [ -f "$f" ] || fail "$f was not made"
done
echo "$want" >"$stamp"
echo "e2fsprogs: built in $(($(date +%s) - start)) s into $tree/lib (log: $log)"
