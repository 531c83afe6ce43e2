#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/kvm-suite.sh BUILD HUSK LABEL [BACKEND]: boot every guest and
# hostile case (tests/*/cases.txt) under the monitor binary HUSK and check
# its exit status, stdout and stderr, and that it left nothing behind:
# each runs in an empty working directory, core dumps allowed, which must
# stay empty. Prints "PASS LABEL/name" or "FAIL LABEL/name: why" per case.
# BACKEND (kvm, the default, or process) is passed as --backend; with
# process, tests/*/cases.process.txt replaces the cases of the same name
# (where the process backend differs: docs/security.md) and adds its own.
# The images are built beforehand by make; kvm needs /dev/kvm.
set -u
build=$(cd "$1" && pwd) husk=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") label=$3
backend=${4:-kvm}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

run_case() { # dir name program options args exit out_re err_re
    local dir=$1 name=$2 prog=$3 opts=$4 args=$5 want=$6 out_re=$7 err_re=$8
    if [ -n "${HUSK_TEST_SKIP:-}" ]; then # tests/run where no guest boots
        echo "SKIP $label/$dir/$name: $HUSK_TEST_SKIP"
        return
    fi
    local image=$build/tests/$dir/$prog.husk
    case $prog in */*) image=$build/tests/$prog.husk ;; esac # built elsewhere
    args=${args//\{NOW\}/$(date +%s)}
    rm -rf "$tmp/cwd" && mkdir "$tmp/cwd"
    # shellcheck disable=SC2086 # options and args are word lists
    (cd "$tmp/cwd" && { ulimit -c unlimited 2>/dev/null; true; } &&
        exec timeout --foreground -k 5 60 "$husk" --backend="$backend" $opts \
            "$image" -- $args) \
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

cases() { # dir: the case lines for this backend, one per name
    local base=$here/$1/cases.txt extra=$here/$1/cases.$backend.txt
    if [ ! -f "$extra" ]; then
        cat "$base"
        return
    fi
    # The extra file's cases first; a base case of the same name is dropped.
    awk -F'|' 'function name(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
        NR == FNR { n = name($1); if (n != "" && n !~ /^#/) seen[n] = 1; print; next }
        !(name($1) in seen)' "$extra" "$base"
}

for dir in guests hostile; do
    while IFS='|' read -r name prog opts args want out_re err_re; do
        name=$(trim "$name")
        case $name in "" | "#"*) continue ;; esac
        run_case "$dir" "$name" "$(trim "$prog")" "$(trim "$opts")" \
            "$(trim "$args")" "$(trim "$want")" "$(trim "$out_re")" \
            "$(trim "$err_re")"
    done < <(cases "$dir")
done
