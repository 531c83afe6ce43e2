#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/apps-suite.sh BUILD HUSK LABEL [BACKEND]: real programs from
# Debian's source packages, built unmodified with husk-cc (configure
# flags and make variables only) and run as unikernels under the monitor
# HUSK: gzip as an stdin filter, zlib's example and minigzip, the Lua
# interpreter, SQLite's shell and lighttpd (tests/apps/NAME.sh each).
# The programs are fetched and built the first time (a few minutes, two
# at a time; BUILD/apps, tests/apps/lib.sh) and reused after that, by
# every monitor and backend. Prints "PASS LABEL/apps/name" lines.
set -u
shopt -s lastpipe # `... | app_run`: its $status in this shell
build=$(cd "${1:?usage: tests/apps-suite.sh BUILD HUSK LABEL [BACKEND]}" && pwd)
husk=${2:?usage: tests/apps-suite.sh BUILD HUSK LABEL [BACKEND]}
label=${3:?usage: tests/apps-suite.sh BUILD HUSK LABEL [BACKEND]}
backend=${4:-}
suite=apps
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/apps/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every result line is also kept, for the summary (lighttpd's cases run in
# a subshell).
: >"$tmp/results"
eval "tests_lib_$(declare -f result)"
result() { tests_lib_result "$@" | tee -a "$tmp/results"; }
skip() { echo "SKIP $label/$suite/$1: $2" | tee -a "$tmp/results"; }
bk=()
[ -n "$backend" ] && bk=(--backend="$backend")

# NAME:DEBIAN_SOURCE_PACKAGE, in the order their cases run. APPS_ONLY="lua
# sqlite" keeps only those (while working on one of them).
programs=()
for p in gzip:gzip zlib:zlib lua:lua5.4 sqlite:sqlite3 lighttpd:lighttpd; do
    [[ " ${APPS_ONLY:-${p%%:*}} " == *" ${p%%:*} "* ]] || continue
    programs+=("$p")
    . "$here/apps/${p%%:*}.sh"
done

# ---- build: two lanes, each program once -------------------------------
# The two longest builds (lighttpd's configure, SQLite's 8 MB of C) each
# start a lane; the results are printed when both lanes are done.
lanes=("lighttpd:lighttpd zlib:zlib lua:lua5.4" "sqlite:sqlite3 gzip:gzip")
declare -A built=()
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    for i in "${!lanes[@]}"; do
        (
            for p in ${lanes[$i]}; do
                [[ " ${programs[*]} " == *" $p "* ]] || continue
                if apps_build "${p%%:*}" "${p#*:}" >"$tmp/build-${p%%:*}.out" 2>&1; then
                    echo ok >"$tmp/build-${p%%:*}.status"
                fi
            done
        ) &
    done
    wait
fi
for p in "${programs[@]}"; do
    name=${p%%:*}
    why=""
    if [ -z "${HUSK_TEST_SKIP:-}" ] && [ ! -f "$tmp/build-$name.status" ]; then
        why=$(grep -v '^    |' "$tmp/build-$name.out" | head -1)
        why=${why:-the build stopped without saying why}
    fi
    result "build_$name" "$why"
    [ -z "$why" ] && built[$name]=yes
    sed -n 's/^    |/    |/p' "$tmp/build-$name.out" 2>/dev/null
done

# ---- the cases ----------------------------------------------------------
# A few MiB of mixed data: random bytes, text, zeros, a repeated phrase
# (what compressors treat differently). APPS_BIG_KIB scales it.
big=$tmp/big
kib=${APPS_BIG_KIB:-4096}
{
    head -c $((kib * 256)) /dev/urandom
    seq 1 $((kib * 40)) | head -c $((kib * 384))
    head -c $((kib * 128)) /dev/zero
    yes 'the quick brown fox jumps over the lazy dog' | head -c $((kib * 256))
} >"$big"

for p in "${programs[@]}"; do
    name=${p%%:*}
    [ -n "${built[$name]:-}" ] || continue
    "test_$name"
done

pass=$(grep -c '^PASS ' "$tmp/results")
fail=$(grep -c '^FAIL ' "$tmp/results")
skipped=$(grep -c '^SKIP ' "$tmp/results")
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
