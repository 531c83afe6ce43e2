#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/kvm-suite.sh BUILD HUSK LABEL: boot every guest and hostile case
# (tests/*/cases.txt) under the monitor binary HUSK and check its exit
# status, stdout and stderr, and that it left nothing behind: each runs
# in an empty working directory, core dumps allowed, which must stay
# empty. Prints "PASS LABEL/name" or "FAIL LABEL/name: why" per case.
# Needs /dev/kvm; the images are built beforehand by make.
set -u
build=$(cd "$1" && pwd) husk=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") label=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

run_case() { # dir name program options args exit out_re err_re
    local dir=$1 name=$2 prog=$3 opts=$4 args=$5 want=$6 out_re=$7 err_re=$8
    local image=$build/tests/$dir/$prog.husk
    case $prog in */*) image=$build/tests/$prog.husk ;; esac # built elsewhere
    args=${args//\{NOW\}/$(date +%s)}
    rm -rf "$tmp/cwd" && mkdir "$tmp/cwd"
    # shellcheck disable=SC2086 # options and args are word lists
    (cd "$tmp/cwd" && { ulimit -c unlimited 2>/dev/null; true; } &&
        exec timeout --foreground -k 5 60 "$husk" $opts "$image" -- $args) \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    local got=$? why
    why=$(why_failed "$got" "$want" "$out_re" "$err_re" "$tmp/out" "$tmp/err")
    local left
    left=$(ls -A "$tmp/cwd")
    [ -z "$why" ] && [ -n "$left" ] && why="it wrote $left in its working directory"
    if [ -z "$why" ]; then
        echo "PASS $label/$dir/$name"
    else
        echo "FAIL $label/$dir/$name: $why"
        sed 's/^/    | /' "$tmp/out" "$tmp/err" | head -20
    fi
}

for dir in guests hostile; do
    while IFS='|' read -r name prog opts args want out_re err_re; do
        name=$(trim "$name")
        case $name in "" | "#"*) continue ;; esac
        run_case "$dir" "$name" "$(trim "$prog")" "$(trim "$opts")" \
            "$(trim "$args")" "$(trim "$want")" "$(trim "$out_re")" \
            "$(trim "$err_re")"
    done <"$here/$dir/cases.txt"
done
