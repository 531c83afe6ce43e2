#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/embed-example-suite.sh BUILD HUSK LABEL [BACKEND]: the embedding
# example (examples/embed/). Builds it (examples/embed/build.sh: cJSON
# from Debian's cjson source, fetched once into BUILD/apps like the apps
# suite's programs), then runs json_host, which has json_guest.husk
# validate JSON documents through libhusk-host, and checks each verdict
# and the message with the error's position. SKIP lines if the cjson
# source cannot be fetched here. Prints "PASS LABEL/embed_example/name".
set -u
build=$(cd "$1" && pwd) husk=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") label=$3
backend=${4:-kvm}
here=$(cd "$(dirname "$0")" && pwd)
suite=embed_example
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=(object trailing_comma truncated bare_word empty large large_broken)
if [ -n "${HUSK_TEST_SKIP:-}" ]; then
    for name in build "${cases[@]}" nothing_left; do result "$name" ""; done
    exit 0
fi

rc=0
timeout -k 5 600 bash "$here/../examples/embed/build.sh" "$build" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" = 3 ]; then
    for name in build "${cases[@]}"; do
        echo "SKIP $label/$suite/$name: $(head -1 "$tmp/out")"
    done
    exit 0
fi
result build "$([ "$rc" = 0 ] || echo "examples/embed/build.sh: status $rc: $(head -1 "$tmp/out")")"
[ "$rc" = 0 ] || exit 0

ex=$build/examples/embed
status=0
HUSK=$husk timeout -k 5 300 "$ex/json_host" "$ex/json_guest.husk" "$backend" \
    >"$tmp/out" 2>"$tmp/err" || status=$?
# want NAME REGEX: NAME's line matches REGEX.
want() {
    local line why=""
    line=$(grep "^$1: " "$tmp/out" | head -1)
    if [ -z "$line" ]; then
        why="no line for $1 (json_host ended with status $status)"
    elif ! [[ $line =~ $2 ]]; then
        why="got: $line"
    elif grep -q "^$1: expected" "$tmp/out"; then
        why=$(grep "^$1: expected" "$tmp/out")
    fi
    result "$1" "$why"
}
pos='invalid \(code 1\): invalid JSON at byte'
want object '^object: ok \(46 bytes\)$'
want trailing_comma "^trailing_comma: $pos 20 of 22: near \"\]\}\"$"
want truncated "^truncated: $pos [0-9]+ of 11: "
want bare_word "^bare_word: $pos 7 of 12: near \"nope\]\"$"
want empty "^empty: $pos 0 of 0: at the end$"
want large '^large: ok \([0-9]{6} bytes\)$'
want large_broken "^large_broken: $pos [0-9]{6} of [0-9]{6}: "
why=""
if [ "$status" != 0 ]; then
    why="json_host exited with status $status: $(head -c 300 "$tmp/err")"
elif grep -q 'runtime error\|AddressSanitizer' "$tmp/err"; then
    why="sanitizer report: $(grep -m1 'runtime error\|AddressSanitizer' "$tmp/err")"
elif pgrep -f "$ex/json_guest.husk" >/dev/null; then
    why="a monitor of the test's is still running"
fi
result nothing_left "$why"
