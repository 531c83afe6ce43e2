# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/lighttpd.sh: lighttpd (Debian's lighttpd source, its
# configure and Makefile; the modules it builds in, no loadable ones)
# serving static files, from the packed tree (husk-cc --files) and from an
# ext4 image (husk-cc --mount), to curl on the host side of a tap inside
# a network namespace of the suite's own (tests/net/lib.sh): 200 with the
# file's bytes, a directory's index, 404, HEAD, and ranges (206, 416).
# Sourced by tests/apps-suite.sh; needs root for the namespace.

# The static build that lighttpd's INSTALL describes ("static build using
# make"): LIGHTTPD_STATIC=yes for configure, and src/plugin-static.h, the
# list of modules to build in, which the build reads and does not make
# (SCons writes it; here: every module of Makefile.am's static list). A
# static image cannot load modules, and the default build finds even its
# built-in ones with dlsym, which a static program does not have.
#
# musl has no <sys/queue.h> (a BSD header of macros; lighttpd's HPACK
# code includes it): the build sees glibc's, which includes nothing and
# is the same on every libc, from a directory of its own.
build_lighttpd() {
    local inc=$apps/lighttpd/include m
    mkdir -p "$inc/sys" && cp /usr/include/x86_64-linux-gnu/sys/queue.h "$inc/sys/" || {
        echo "no /usr/include/x86_64-linux-gnu/sys/queue.h (Debian package libc6-dev)"
        return 1
    }
    for m in $(sed -n '/^if LIGHTTPD_STATIC/,/^lighttpd_CPPFLAGS/p' src/Makefile.am |
        grep -o 'mod_[a-z0-9_]*\.c'); do
        grep -q "^int ${m%.c}_plugin_init(" "src/$m" && echo "PLUGIN_INIT(${m%.c})"
    done >src/plugin-static.h
    grep -q mod_staticfile src/plugin-static.h || {
        echo "no mod_staticfile in lighttpd's static module list (src/Makefile.am)"
        return 1
    }
    # CC_FOR_BUILD: the host's compiler, for lemon (the config parser's
    # generator). Only the server is made (make's all target would build
    # the tests' programs too).
    step configure env LIGHTTPD_STATIC=yes ./configure CC="$hcc" CC_FOR_BUILD=gcc \
        CFLAGS=-O2 CPPFLAGS="-I$inc" --host=x86_64-linux-musl \
        --enable-static --disable-shared --without-pcre2 --without-zlib --without-bzip2 &&
        step make make -C src parsers versionstamp &&
        step make make -C src -j2 lighttpd
}

# lighttpd_link IMAGE [HUSK-CC IMAGE FLAGS]: the server linked again by
# its Makefile (through libtool: -Wc, hands a flag to the compiler).
lighttpd_link() {
    local out=$1 flags="-Wc,--net=service" f
    shift
    for f in "$@"; do flags+=" -Wc,$f"; done
    step link rm -f src/lighttpd && step link make -C src lighttpd LDFLAGS="$flags" &&
        cp src/lighttpd "$apps/bin/$out"
}

images_lighttpd() {
    rm -f "$apps"/bin/lighttpd*.husk
    # The served tree: tests/apps/lighttpd and a large file of random
    # bytes (an odd size: ranges at its end are not block-aligned).
    local files=$apps/lighttpd/files
    rm -rf "$files"
    cp -r "$here/apps/lighttpd" "$files" &&
        head -c 1234567 /dev/urandom >"$files/www/big.bin" || return 1
    if have_hcc_option files; then
        lighttpd_link lighttpd-files.husk --files="$files" || return 1
    fi
    if have_hcc_option mount; then
        lighttpd_link lighttpd-ext4.husk --mount=data:/srv || return 1
    fi
}

# lighttpd_get NAME CODE BODY_FILE HEADER_RE CURL_ARGS...: one request
# from the host side; the status code, the body (if BODY_FILE is not
# empty: byte for byte; "-": none at all) and a header (grep -Ei).
lighttpd_get() {
    local name=$1 code=$2 body=$3 header=$4 got why=""
    shift 4
    if [ -z "${HUSK_TEST_SKIP:-}" ]; then
        rm -f "$tmp/body" "$tmp/headers"
        got=$(net_run 40 "$NET_HOST_NS" curl -sS --max-time 30 -o "$tmp/body" \
            -D "$tmp/headers" -w '%{http_code}' "$@" 2>"$tmp/curl.err")
        if [ "$got" != "$code" ]; then
            why="HTTP status ${got:-none}, expected $code $(head -c 200 "$tmp/curl.err")"
        elif [ "$body" = - ] && [ -s "$tmp/body" ]; then
            why="a body came with the answer"
        elif [ -n "$body" ] && [ "$body" != - ]; then
            why=$(same "$body" "$tmp/body")
        fi
        [ -z "$why" ] && [ -n "$header" ] && ! grep -Eiq -- "$header" "$tmp/headers" &&
            why="no header matching /$header/"
        # The answer's head and curl's complaint, shown with a failure.
        tr -d '\r' <"$tmp/headers" >"$tmp/out" 2>/dev/null
        cp "$tmp/curl.err" "$tmp/err"
    fi
    result "$name" "$why"
}

# lighttpd_head NAME PATH SIZE: HEAD, by hand (curl would not read a
# body that should not be there): 200, the file's Content-Length, and
# nothing after the blank line that ends the head.
lighttpd_head() {
    local why=""
    if [ -z "${HUSK_TEST_SKIP:-}" ]; then
        # shellcheck disable=SC2016 # expanded by that bash
        net_run 20 "$NET_HOST_NS" bash -c 'exec 3<>/dev/tcp/10.0.0.2/80 &&
            printf "HEAD %s HTTP/1.0\r\nHost: husk\r\n\r\n" "$1" >&3 && cat <&3' \
            _ "$2" >"$tmp/out" 2>"$tmp/err"
        if ! head -1 "$tmp/out" | grep -q '^HTTP/1\.[01] 200 OK'; then
            why="status line: $(head -1 "$tmp/out")"
        elif ! grep -qi "^Content-Length: $3"$'\r'"\$" "$tmp/out"; then
            why="no Content-Length: $3"
        elif [ "$(sed -n '/^\r$/,$p' "$tmp/out" | wc -c)" != 2 ]; then
            why="$(($(sed -n '/^\r$/,$p' "$tmp/out" | wc -c) - 2)) bytes after the head"
        fi
    fi
    result "$1" "$why"
}

# lighttpd_serve WHERE IMAGE DOCROOT CONFIG [HUSK OPTIONS]: start the
# server, run the requests, stop it (SIGTERM to husk); its own errors,
# a sanitizer report or a note from libhusk in stderr fail the last case.
lighttpd_serve() {
    local where=$1 image=$2 docroot=$3 conf=$4 files=$apps/lighttpd/files
    shift 4
    local url=http://10.0.0.2 size p="lighttpd_${where}"
    size=$(stat -c %s "$files/www/big.bin")
    local started=yes
    if [ -z "${HUSK_TEST_SKIP:-}" ]; then
        net_spawn "$where" 600 "$NET_HOST_NS" "$husk" "${bk[@]}" --console-rate=0 \
            --env=DOCROOT="$docroot" --net:service=tap0,ip=10.0.0.2/24 "$@" \
            "$apps/bin/$image" -- -D -f "$conf"
        net_wait_tcp "$NET_HOST_NS" 10.0.0.2 80 60 "$NET_PID" || started=no
    fi
    if [ $started = no ]; then
        net_stop "$NET_PID"
        cp "$NET_TMP/$where.out" "$tmp/out"
        cp "$NET_TMP/$where.err" "$tmp/err"
        result "${p}_start" "the server does not accept connections on port 80"
        return
    fi
    result "${p}_start" ""
    lighttpd_get "${p}_200" 200 "$files/www/index.html" '^Content-Type: text/html' "$url/index.html"
    lighttpd_get "${p}_200_index" 200 "$files/www/index.html" '' "$url/"
    lighttpd_get "${p}_200_subdir" 200 "$files/www/docs/notes.txt" '^Content-Type: text/plain' \
        "$url/docs/notes.txt"
    lighttpd_get "${p}_200_large" 200 "$files/www/big.bin" "^Content-Length: $size" "$url/big.bin"
    lighttpd_get "${p}_404" 404 "" '' "$url/missing.html"
    lighttpd_get "${p}_404_dir" 404 "" '' "$url/nowhere/"
    lighttpd_head "${p}_head" /big.bin "$size"
    dd if="$files/www/big.bin" of="$tmp/range" bs=1 skip=1000 count=1000 status=none
    lighttpd_get "${p}_range_206" 206 "$tmp/range" "^Content-Range: bytes 1000-1999/$size" \
        -r 1000-1999 "$url/big.bin"
    tail -c 100 "$files/www/big.bin" >"$tmp/suffix"
    lighttpd_get "${p}_range_suffix_206" 206 "$tmp/suffix" \
        "^Content-Range: bytes $((size - 100))-$((size - 1))/$size" -r -100 "$url/big.bin"
    # 416 comes with lighttpd's error page, whose headers replace the
    # Content-Range it had set (http_response_errdoc_init).
    lighttpd_get "${p}_range_416" 416 "" "" -r "$size-" "$url/big.bin"
    # What the server and the monitor said: lighttpd's start and stop
    # lines only (-D: its log is stderr), no note of a missing call.
    local why=""
    if [ -z "${HUSK_TEST_SKIP:-}" ]; then
        kill -0 "$NET_PID" 2>/dev/null || why="the server stopped before it was told to"
        net_stop "$NET_PID"
        cp "$NET_TMP/$where.out" "$tmp/out"
        grep -v -e ') server started (' -e ') server stopped by ' \
            -e '^husk: guest stopped: Terminated$' \
            "$NET_TMP/$where.err" >"$tmp/err"
        [ -z "$why" ] && why=$(why_failed 0 0 '' '' "$tmp/out" "$tmp/err")
        [ -z "$why" ] && [ -s "$tmp/err" ] && why="stderr: $(head -c 300 "$tmp/err")"
    fi
    result "${p}_clean_run" "$why"
}

test_lighttpd() (
    # A subshell: the network harness's exit trap is its own.
    local files=$apps/lighttpd/files
    if [ -z "${HUSK_TEST_SKIP:-}" ]; then
        . "$here/net/lib.sh"
        if ! net_init "$label/apps/lighttpd" >"$tmp/net_init"; then
            # Its loud SKIP line (not root, no namespaces), counted.
            tee -a "$tmp/results" <"$tmp/net_init"
            exit 0
        fi
        net_topology_tap 10.0.0 || {
            result lighttpd_network "cannot make the namespace and its tap"
            exit 0
        }
    fi
    if have_hcc_option files; then
        lighttpd_serve packed lighttpd-files.husk /www /etc/lighttpd.conf
    else
        skip lighttpd_packed "husk-cc has no --files option yet"
    fi
    if ! have_hcc_option mount; then
        skip lighttpd_ext4 "husk-cc has no --mount option yet"
        exit 0
    fi
    local img=$tmp/www.img
    rm -f "$img"
    mkfs.ext4 -q -F -d "$files" "$img" 16M >/dev/null
    lighttpd_serve ext4 lighttpd-ext4.husk /srv/www /srv/etc/lighttpd.conf --block:data="$img"
    result lighttpd_ext4_image_clean "$(apps_fsck "$img")"
)
