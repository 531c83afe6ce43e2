# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/zlib.sh: zlib's own test programs, example and minigzip, as
# zlib's configure and Makefile build them (Debian's zlib source), on
# stdin, on files in the packed tree (husk-cc --files) and on an ext4
# image (husk-cc --mount). Sourced by tests/apps-suite.sh.

build_zlib() {
    step configure env CC="$hcc" ./configure --static &&
        step make make -j2 example minigzip
}

# zlib_link PROGRAM IMAGE [HUSK-CC IMAGE FLAGS]: linked again by zlib's
# Makefile, the image flags added to its CC.
zlib_link() {
    local prog=$1 out=$2
    shift 2
    step link rm -f "$prog" && step link make "$prog" CC="$hcc $*" &&
        cp "$prog" "$apps/bin/$out"
}

images_zlib() {
    rm -f "$apps"/bin/example*.husk "$apps"/bin/minigzip*.husk
    # The files to compress: zlib's own sources and random bytes, and the
    # host's gzip of them; the packed tree and the ext4 image hold them.
    local files=$apps/zlib/files
    rm -rf "$files"
    mkdir -p "$files/data"
    { cat ./*.c ./*.h; head -c 262144 /dev/urandom; } >"$files/data/mixed"
    gzip -c "$files/data/mixed" >"$files/data/mixed.gz"
    zlib_link example example.husk && zlib_link minigzip minigzip.husk || return 1
    if have_hcc_option files; then
        zlib_link minigzip minigzip-files.husk --files="$files" || return 1
    fi
    if have_hcc_option mount; then
        zlib_link minigzip minigzip-ext4.husk --mount=data:/data &&
            zlib_link example example-ext4.husk --mount=data:/data || return 1
    fi
}

test_zlib() {
    local files=$apps/zlib/files lvl
    # example writes foo.gz where it is told (argv[1]; by default in the
    # working directory, which is / (read-only): husk has no option to set
    # the guest's working directory).
    local example_re='^large_inflate\(\): OK$'
    app_run example.husk -- /tmp/foo.gz </dev/null
    why=$(run_why 0 "$example_re" '')
    [ -z "$why" ] && ! grep -q '^gzread(): hello, hello!$' "$tmp/out" && why="no gzread() line"
    [ -z "$why" ] && ! grep -q '^inflate with dictionary: hello, hello!$' "$tmp/out" &&
        why="no dictionary line"
    result zlib_example "$why"

    # minigzip as a filter: compress at three levels (checked by the host's
    # gzip), decompress the host's gzip output, and an empty stdin.
    for lvl in "" -1 -9; do
        app_run minigzip.husk -- $lvl <"$big"
        why=$(run_why 0 '' '')
        [ -z "$why" ] && { gzip -dc <"$tmp/out" >"$tmp/dec" 2>"$tmp/gz.err" ||
            why="gzip -dc: $(head -1 "$tmp/gz.err")"; }
        [ -z "$why" ] && why=$(same "$big" "$tmp/dec")
        result "minigzip${lvl}_stdin" "$why"
    done
    gzip -c <"$big" | app_run minigzip.husk -- -d
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$big" "$tmp/out")
    result minigzip_d_stdin "$why"
    app_run minigzip.husk </dev/null
    why=$(run_why 0 '' '')
    [ -z "$why" ] && [ -n "$(gzip -dc <"$tmp/out" 2>&1)" ] && why="not an empty gzip stream"
    result minigzip_stdin_empty "$why"

    # Files in the packed tree: read them, and fail cleanly to write there.
    if ! have_hcc_option files; then
        skip minigzip_packed_tree "husk-cc has no --files option yet"
    else
        app_run minigzip-files.husk -- -c /data/mixed </dev/null
        why=$(run_why 0 '' '')
        [ -z "$why" ] && { gzip -dc <"$tmp/out" >"$tmp/dec" 2>"$tmp/gz.err" ||
            why="gzip -dc: $(head -1 "$tmp/gz.err")"; }
        [ -z "$why" ] && why=$(same "$files/data/mixed" "$tmp/dec")
        result minigzip_c_packed_file "$why"
        app_run minigzip-files.husk -- -d -c /data/mixed.gz </dev/null
        why=$(run_why 0 '' '')
        [ -z "$why" ] && why=$(same "$files/data/mixed" "$tmp/out")
        result minigzip_dc_packed_file "$why"
        app_run minigzip-files.husk -- /data/mixed </dev/null
        result minigzip_packed_tree_read_only \
            "$(run_why 1 '' "can't gzopen /data/mixed\.gz")"
    fi

    # Files on an ext4 image: compressed in place (mixed.gz written,
    # mixed removed), then back; example's own file test there too.
    if ! have_hcc_option mount; then
        skip minigzip_ext4 "husk-cc has no --mount option yet"
        return
    fi
    local img=$tmp/zlib.img
    rm -f "$img"
    mkfs.ext4 -q -F -d "$files" "$img" 16M >/dev/null
    app_run --block:data="$img" minigzip-ext4.husk -- /data/data/mixed </dev/null
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(apps_fsck "$img")
    [ -z "$why" ] && debugfs -R 'stat /data/mixed' "$img" 2>/dev/null | grep -q Inode &&
        why="/data/mixed is still on the image"
    if [ -z "$why" ]; then
        debugfs -R 'cat /data/mixed.gz' "$img" 2>/dev/null | gzip -dc >"$tmp/dec" 2>"$tmp/gz.err" ||
            why="the image's /data/mixed.gz: gzip -dc: $(head -1 "$tmp/gz.err")"
    fi
    [ -z "$why" ] && why=$(same "$files/data/mixed" "$tmp/dec")
    result minigzip_ext4_compress "$why"
    app_run --block:data="$img" minigzip-ext4.husk -- -d /data/data/mixed.gz </dev/null
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(apps_fsck "$img")
    [ -z "$why" ] && debugfs -R 'cat /data/mixed' "$img" 2>/dev/null >"$tmp/dec"
    [ -z "$why" ] && why=$(same "$files/data/mixed" "$tmp/dec")
    result minigzip_ext4_decompress "$why"
    app_run --block:data="$img" example-ext4.husk -- /data/foo.gz </dev/null
    why=$(run_why 0 "$example_re" '')
    [ -z "$why" ] && why=$(apps_fsck "$img")
    [ -z "$why" ] && ! debugfs -R 'cat /foo.gz' "$img" 2>/dev/null | gzip -t 2>/dev/null &&
        why="the image's /foo.gz is not a whole gzip file"
    result zlib_example_ext4 "$why"
}
