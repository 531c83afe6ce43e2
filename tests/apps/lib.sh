# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/lib.sh: what the real-program suite shares (tests/apps-suite.sh
# sources it, and each program's script, tests/apps/NAME.sh).
#
# Fetching: each program comes from its Debian source package at test
# time (apt-get source, never committed), cached in BUILD/apps/src. The
# upstream release is built as it is: the tree is unpacked with
# `dpkg-source --skip-patches`, because some of Debian's patches replace
# the program's own build (lua5.4's moves it to libtool) or touch
# configure.ac (gzip's, which then wants automake to run again).
#
# Building: once per build directory, in two stages, each with a stamp.
# The tree stage (unpack, configure, make) depends on this file, the
# program's script and what the compiler sees (musl, husk-cc's flags);
# the image stage (the program linked again with husk-cc's image flags:
# --files, --mount, --net) also on libhusk and husk-cc, so a change in
# the guest library costs a link, not a configure. Images go to
# BUILD/apps/bin. The log of each build is BUILD/apps/NAME/build.log and
# its times BUILD/apps/NAME/build.time.
#
# Running: app_run runs an image under the suite's monitor and backend,
# with the caller's stdin, output in $tmp/out and $tmp/err, status in
# $status; nothing runs in skip mode (HUSK_TEST_SKIP, tests/lib.sh).

# The caller sets: build (absolute), husk, label, suite=apps, tmp, bk
# (--backend=... or empty), here (tests/).
apps=$build/apps
hcc=$build/husk-cc

# ---- fetching ---------------------------------------------------------

# apps_fetch PACKAGE: the .dsc and tarballs of Debian's source PACKAGE in
# $apps/src/PACKAGE (kept across runs); its path in $dsc. apt-get source
# takes the newest version apt knows; where that one cannot be downloaded
# (a security update whose archive is not reachable here), each older
# version apt lists is tried in turn.
apps_fetch() {
    local pkg=$1 dir=$apps/src/$1 v
    dsc=$(ls "$dir"/*.dsc 2>/dev/null | head -1)
    if [ -n "$dsc" ] && [ -f "$dir/.complete" ]; then
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    # The deb-src entry and dpkg-source, as for musl and lwIP; one lane at
    # a time (two apt-get updates at once would fight over apt's lock).
    flock "$apps/src" bash "$here/../scripts/setup-host.sh" --src-only dpkg-dev xz-utils >&2 ||
        return 1
    if ! (cd "$dir" && apt-get source --download-only -q "$pkg") >"$dir/fetch.log" 2>&1; then
        for v in $(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' |
            sort -urV); do
            rm -f "$dir"/*.dsc "$dir"/*.tar.* "$dir"/*.diff.*
            (cd "$dir" && apt-get source --download-only -q "$pkg=$v") \
                >>"$dir/fetch.log" 2>&1 && break
        done
    fi
    dsc=$(ls "$dir"/*.dsc 2>/dev/null | head -1)
    if [ -z "$dsc" ] || ! grep -q '^ [0-9a-f]\{64\} ' "$dsc"; then
        echo "cannot fetch Debian's source package $pkg (apt-get source $pkg): $(grep -m1 '^E:' "$dir/fetch.log")"
        return 1
    fi
    touch "$dir/.complete"
}

# ---- building ---------------------------------------------------------

# apps_hash FILE...: one hash of the files' contents (missing ones count
# as empty) and of the standard input.
apps_hash() {
    { cat - "$@" 2>/dev/null; } | sha256sum | cut -c1-16
}

# What a compilation with husk-cc depends on beyond the sources: musl
# (headers and library) and the flags husk-cc passes (seen through the
# macros they define and the include path they set).
apps_compiler_key() {
    { "$hcc" -E -dM -x c /dev/null 2>&1 | sort; "$hcc" -E -v -x c /dev/null 2>&1 |
        grep '^ /'; } | apps_hash "$build/musl/lib/libc.a"
}

# What a link with husk-cc depends on: the guest libraries and husk-cc.
apps_linker_key() {
    apps_hash "$hcc" "$build/lib/crt0.o" "$build/lib/libhusk.a" \
        "$build/lib/libhusk-net.a" "$build"/lib/libhusk-*.a </dev/null
}

# step WHAT CMD...: one step of a build, its output to the log; on
# failure, say which step and show the end of the log.
step() {
    local what=$1
    shift
    echo "+ $*" >>"$log"
    if ! "$@" >>"$log" 2>&1; then
        echo "$what failed ($*); the end of $log:"
        tail -n 15 "$log" | sed 's/^/    | /'
        return 1
    fi
}

# apps_build NAME PACKAGE: the program's tree stage (its script's
# build_NAME, run in the unpacked tree) and image stage (images_NAME),
# each redone only when its stamp says so. Prints one line per stage
# done, with its time; returns 1 after a line saying why if one failed.
apps_build() {
    local name=$1 pkg=$2 dir=$apps/$1 key ikey t
    mkdir -p "$dir" "$apps/bin"
    log=$dir/build.log
    key=$(apps_compiler_key | apps_hash "$here/apps/lib.sh" "$here/apps/$name.sh")
    # Wall and CPU time (the build's processes, user + system) of each
    # stage: the machine may be busy with other work, the CPU time says
    # what the build itself costs.
    local TIMEFORMAT='%0R s (CPU %0U s + %0S s)'
    local stale="not built for this tree, and APPS_BUILD=no: the programs are built where the network is (tests/run does so in its process-backend run, before the test VM's)"
    if [ "$(cat "$dir/tree.stamp" 2>/dev/null)" != "$key" ]; then
        [ "${APPS_BUILD:-yes}" != no ] || { echo "$stale"; return 1; }
        rm -rf "$dir/tree" "$dir/tree.stamp" "$dir/images.stamp"
        : >"$log"
        { time apps_fetch "$pkg" >"$dir/step.out" 2>&1; } 2>"$dir/step.time" ||
            { cat "$dir/step.out"; return 1; }
        echo "$name: fetch $(cat "$dir/step.time")" >"$dir/build.time"
        step "unpacking $dsc" dpkg-source --skip-patches -x "$dsc" "$dir/tree" || return 1
        rm -f "$dir"/*.orig*.tar.* # dpkg-source's copies, beside the tree
        sed -n 's/^Version: //p' "$dsc" >"$dir/version"
        { time { (cd "$dir/tree" && "build_$name") >"$dir/step.out" 2>&1; }; } 2>"$dir/step.time" ||
            { cat "$dir/step.out"; return 1; }
        t=$(cat "$dir/step.time")
        echo "$key" >"$dir/tree.stamp"
        echo "$name $(cat "$dir/version"): configure and make $t" >>"$dir/build.time"
        echo "    | built $name $(cat "$dir/version"): configure and make $t"
    fi
    # The packed trees' contents (tests/apps/NAME/) are part of the images.
    ikey=$({
        apps_linker_key
        find "$here/apps/$name" -type f 2>/dev/null | sort | xargs -r cat
    } | apps_hash "$dir/tree.stamp" "$here/apps/$name.sh")
    if [ "$(cat "$dir/images.stamp" 2>/dev/null)" != "$ikey" ]; then
        [ "${APPS_BUILD:-yes}" != no ] || { echo "$stale"; return 1; }
        { time { (cd "$dir/tree" && "images_$name") >"$dir/step.out" 2>&1; }; } 2>"$dir/step.time" ||
            { cat "$dir/step.out"; return 1; }
        t=$(cat "$dir/step.time")
        echo "$ikey" >"$dir/images.stamp"
        echo "$name: images $t" >>"$dir/build.time"
        echo "    | linked the $name images: $t"
    fi
}

# husk-cc's image options that other parts of the tree are still adding:
# have_hcc_option files|mount.
have_hcc_option() { grep -q -- "--$1=\*)" "$hcc"; }

# ---- running ----------------------------------------------------------

# app_run [husk options] IMAGE [-- args]: with the caller's stdin; the
# image name is looked up in $apps/bin when it has no slash. No limit on
# the console's rate: the programs write megabytes to stdout.
app_run() {
    status=0
    if [ -n "${HUSK_TEST_SKIP:-}" ]; then
        : >"$tmp/out"
        : >"$tmp/err"
        return
    fi
    local a args=() guest=no
    for a in "$@"; do
        case $guest:$a in
        no:--) guest=yes args+=("$a") ;;
        no:*.husk) [[ $a == */* ]] && args+=("$a") || args+=("$apps/bin/$a") ;;
        *) args+=("$a") ;;
        esac
    done
    timeout -k 5 "${APPS_TIMEOUT:-300}" "$husk" "${bk[@]}" --console-rate=0 "${args[@]}" \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# run_why WANT_STATUS OUT_RE ERR_RE: why the last run is not as expected
# (tests/lib.sh's why_failed on $status, $tmp/out, $tmp/err), or nothing.
# libhusk's note on a system call it lacks fails the run too: the
# programs must not meet one (docs/testing.md lists those they do).
run_why() {
    local why
    why=$(why_failed "$status" "$1" "$2" "$3" "$tmp/out" "$tmp/err")
    [ -z "$why" ] && why=$(sed -n 's/^husk: \(syscall .* is not supported\); returning ENOSYS$/libhusk: \1/p' \
        "$tmp/err" | head -1)
    echo "$why"
}

# apps_fsck IMAGE: nothing if e2fsck -fn finds the ext4 IMAGE clean,
# else what it says.
apps_fsck() {
    local out
    out=$(e2fsck -fn "$1" 2>&1) && return 0
    echo "e2fsck -fn finds the image unclean: $(echo "$out" | sed -n '2,6p' | tr '\n' ' ')"
}

# same FILE_A FILE_B: nothing if byte-identical, else where they differ.
same() {
    cmp "$1" "$2" 2>&1 | head -1 | grep . || return 0
}
