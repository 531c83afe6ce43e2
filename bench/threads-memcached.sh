# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# bench/threads-memcached.sh: memcached and libevent from Debian's source
# packages (apt-get source, never committed), built unmodified (configure
# flags only): once with husk-cc, as a unikernel with one network device
# ("service"), and once with the host's gcc, as the native baseline.
# Sourced by tests/threads-suite.sh and bench/threads; needs the deb-src
# entry scripts/setup-host.sh adds.
#
#   mc_build BUILD   builds what is missing or out of date into
#                    BUILD/threads-mc; sets mc_image (the unikernel) and
#                    mc_native (the Linux program); returns 1 after a line
#                    saying why if a step failed (the log: mc_log)
#
# The unikernel runs as root (libhusk's only identity), and memcached
# refuses root without -u USER, which it looks up with getpwnam: the image
# carries a packed / (husk-cc --files) with an /etc/passwd naming root,
# and is run with -u root. Each tree is configured once per version of
# this script (and, for the guest, of the compiler husk-cc is); the
# unikernel is linked again whenever libhusk changes.

mc_step() { # WHAT CMD...: one step, its output to the log
    local what=$1
    shift
    echo "+ $*" >>"$mc_log"
    if ! "$@" >>"$mc_log" 2>&1; then
        echo "memcached: $what failed ($*); the end of $mc_log:"
        tail -n 15 "$mc_log" | sed 's/^/    | /'
        return 1
    fi
}

mc_hash() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# One tree: TREE made afresh from DSC (Debian's patches skipped: upstream
# as it is) and configured there with the rest of the arguments.
mc_tree() { # TREE DSC configure-args...
    local tree=$1 dsc=$2
    shift 2
    rm -rf "$tree"
    mc_step unpack dpkg-source --skip-patches -x "$dsc" "$tree" &&
        (cd "$tree" && mc_step configure ./configure "$@")
}

mc_build() {
    local build
    build=$(cd "$1" && pwd)
    local dir=$build/threads-mc here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    mkdir -p "$dir/src" "$dir/root/etc"
    mc_log=$dir/build.log
    : >"$mc_log"
    mc_image=$dir/memcached.husk
    mc_native=$dir/native/memcached/memcached
    local hcc=$build/husk-cc
    # ---- the sources
    if [ ! -f "$dir/src/.complete" ]; then
        bash "$here/scripts/setup-host.sh" --src-only dpkg-dev xz-utils >>"$mc_log" 2>&1 ||
            { echo "memcached: scripts/setup-host.sh failed (see $mc_log)"; return 1; }
        rm -f "$dir"/src/*
        (cd "$dir/src" && mc_step fetch apt-get source --download-only -q libevent memcached) ||
            return 1
        touch "$dir/src/.complete"
    fi
    local le_dsc mc_dsc
    le_dsc=$(ls "$dir"/src/libevent_*.dsc 2>/dev/null | head -1)
    mc_dsc=$(ls "$dir"/src/memcached_*.dsc 2>/dev/null | head -1)
    [ -n "$le_dsc" ] && [ -n "$mc_dsc" ] ||
        { echo "memcached: no libevent or memcached source package in $dir/src"; return 1; }
    local me compiler
    me=$(mc_hash "${BASH_SOURCE[0]}")
    compiler=$({ "$hcc" -E -dM -x c /dev/null; cat "$hcc" "$build/musl/lib/libc.a"; } 2>&1 |
        sha256sum | cut -c1-16)
    # ---- libevent, then memcached, for the guest
    local le_common=(--disable-shared --enable-static --disable-openssl
        --disable-samples --disable-libevent-regress --disable-debug-mode)
    local mc_common=(--disable-sasl --disable-extstore --disable-docs
        --disable-coverage --disable-dependency-tracking)
    if [ "$(cat "$dir/guest/libevent.stamp" 2>/dev/null)" != "$me$compiler" ]; then
        mkdir -p "$dir/guest"
        mc_tree "$dir/guest/libevent" "$le_dsc" CC="$hcc" CFLAGS=-O2 \
            --host=x86_64-linux-musl --prefix="$dir/guest/prefix" "${le_common[@]}" &&
            mc_step make make -C "$dir/guest/libevent" -j2 &&
            mc_step install make -C "$dir/guest/libevent" install &&
            echo "$me$compiler" >"$dir/guest/libevent.stamp" || return 1
        rm -f "$dir/guest/memcached.stamp"
    fi
    printf 'root:x:0:0:root:/:/bin/sh\n' >"$dir/root/etc/passwd"
    printf 'root:x:0:\n' >"$dir/root/etc/group"
    local guest_cc="$hcc --net=service --files=$dir/root"
    if [ "$(cat "$dir/guest/memcached.stamp" 2>/dev/null)" != "$me$compiler" ]; then
        mc_tree "$dir/guest/memcached" "$mc_dsc" CC="$guest_cc" CFLAGS=-O2 \
            --host=x86_64-linux-musl --with-libevent="$dir/guest/prefix" \
            "${mc_common[@]}" &&
            echo "$me$compiler" >"$dir/guest/memcached.stamp" || return 1
        rm -f "$mc_image.stamp"
    fi
    local link
    link=$(mc_hash "$hcc" "$build/lib/libhusk.a" "$build/lib/libhusk-net.a" \
        "$build/lib/crt0.o" "$dir/root/etc/passwd")
    if [ "$(cat "$mc_image.stamp" 2>/dev/null)" != "$link" ] || [ ! -f "$mc_image" ]; then
        rm -f "$dir/guest/memcached/memcached" &&
            mc_step make make -C "$dir/guest/memcached" -j2 memcached CC="$guest_cc" &&
            cp "$dir/guest/memcached/memcached" "$mc_image" &&
            echo "$link" >"$mc_image.stamp" || return 1
    fi
    # ---- the same for the host, with gcc
    if [ "$(cat "$dir/native/stamp" 2>/dev/null)" != "$me" ] || [ ! -x "$mc_native" ]; then
        mkdir -p "$dir/native"
        mc_tree "$dir/native/libevent" "$le_dsc" CC=gcc CFLAGS=-O2 \
            --prefix="$dir/native/prefix" "${le_common[@]}" &&
            mc_step make make -C "$dir/native/libevent" -j2 &&
            mc_step install make -C "$dir/native/libevent" install &&
            mc_tree "$dir/native/memcached" "$mc_dsc" CC=gcc CFLAGS=-O2 \
                --with-libevent="$dir/native/prefix" "${mc_common[@]}" &&
            mc_step make make -C "$dir/native/memcached" -j2 memcached &&
            echo "$me" >"$dir/native/stamp" || return 1
    fi
}
