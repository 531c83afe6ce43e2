# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/gzip.sh: GNU gzip (Debian's gzip source) as an stdin filter.
# Sourced by tests/apps-suite.sh (tests/apps/lib.sh describes the stages).

build_gzip() { # in the unpacked tree
    step configure ./configure CC="$hcc" CFLAGS=-O2 --host=x86_64-linux-musl \
        --disable-dependency-tracking &&
        step make make -j2
}

images_gzip() {
    step link rm -f gzip && step link make gzip && cp gzip "$apps/bin/gzip.husk"
}

# The host's gzip is Debian's build of the same release: the same input
# and level must give the same bytes.
test_gzip() {
    local lvl
    for lvl in "" -1 -9; do
        # Through a pipe on both sides: gzip puts the input's mtime in
        # the header when its stdin is a regular file (see below).
        cat "$big" | app_run gzip.husk -- -c $lvl
        cat "$big" | gzip -c $lvl >"$tmp/want"
        why=$(run_why 0 '' '')
        [ -z "$why" ] && why=$(same "$tmp/want" "$tmp/out")
        result "gzip_c${lvl}_pipe_identical" "$why"
    done
    cp "$tmp/out" "$tmp/big9.gz"

    # stdin a regular file: husk reads it for the guest, whose fd 0 is the
    # console, so the guest's gzip cannot see the file's mtime; -n leaves
    # the time (and name) out on both sides.
    app_run gzip.husk -- -c -n <"$big"
    gzip -c -n <"$big" >"$tmp/want"
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$tmp/want" "$tmp/out")
    result gzip_c_file_identical "$why"

    # Decompression, of the host's output and of the guest's own.
    gzip -c <"$big" | app_run gzip.husk -- -dc
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$big" "$tmp/out")
    result gzip_dc_host_output "$why"
    app_run gzip.husk -- -dc <"$tmp/big9.gz"
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$big" "$tmp/out")
    result gzip_dc_round_trip "$why"

    # gzip -t on a damaged stream: the status and message of the host's.
    head -c 200000 "$tmp/big9.gz" >"$tmp/cut.gz"
    gzip -t <"$tmp/cut.gz" 2>"$tmp/want.err"
    local want=$?
    app_run gzip.husk -- -t <"$tmp/cut.gz"
    why=$(run_why "$want" '' 'unexpected end of file')
    result gzip_t_truncated_input "$why"

    # No input: stdin empty, closed (husk gives /dev/null), or withheld
    # (--stdin=none): each an empty stream, compressed as the host does.
    gzip -c </dev/null >"$tmp/want"
    app_run gzip.husk -- -c </dev/null
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$tmp/want" "$tmp/out")
    result gzip_c_stdin_empty "$why"
    app_run gzip.husk -- -c <&-
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$tmp/want" "$tmp/out")
    result gzip_c_stdin_closed "$why"
    echo hi | app_run --stdin=none gzip.husk -- -c
    why=$(run_why 0 '' '')
    [ -z "$why" ] && why=$(same "$tmp/want" "$tmp/out")
    result gzip_c_stdin_none "$why"
}
