#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/cli/run.sh BUILD [HUSK]: the command-line golden cases of
# tests/cli/cases.txt, run against HUSK (default BUILD/husk). None needs
# /dev/kvm: every case fails, or prints help, before husk opens it. Builds
# mkelf into BUILD/tests/cli/ and writes the test images there. Prints
# "PASS cli/name" or "FAIL cli/name: why" per case; exits 1 if any failed.
set -u
build=${1:?usage: tests/cli/run.sh BUILD [HUSK]}
husk=${2:-$build/husk}
here=$(cd "$(dirname "$0")" && pwd)
out=$build/tests/cli
img=$out/images
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fatal() { # the suite itself cannot run: one FAIL line says why
    echo "FAIL cli/setup: $*"
    exit 1
}

mkdir -p "$out" || fatal "cannot create $out"
gcc -std=gnu11 -O1 -Wall -Wextra -Werror -o "$out/mkelf" \
    "$here/mkelf.c" "$here/../unit/elfimg.c" 2>"$tmp/cc" ||
    fatal "mkelf.c does not build: $(head -c 300 "$tmp/cc" | tr '\n' ' ')"
rm -rf "$img" && mkdir -p "$img" || fatal "cannot create $img"
chmod 755 "$img" # nobody must reach unreadable.husk, to be refused it
"$out/mkelf" "$img" || fatal "mkelf failed"
[ -x "$husk" ] || fatal "$husk is missing (make $husk)"
husk=$(cd "$(dirname "$husk")" && pwd)/$(basename "$husk")
printf -v qimg '%q' "$img"

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

# As nobody, when we are root; as ourselves otherwise.
as_nobody() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

run_case() { # name args want regex
    local name=$1 args=$2 want=$3 re=$4 prefix=()
    args=${args//\{IMG\}/$qimg}
    if [[ $args == "{NOBODY}"* ]]; then
        prefix=(as_nobody)
        args=${args#"{NOBODY}"}
    fi
    local argv
    eval "argv=($args)" # the cases file is ours: shell words, '' allowed
    "${prefix[@]}" timeout 10 "$husk" "${argv[@]}" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    local got=$? why=""
    local lines
    if [ "$got" != "$want" ]; then
        why="exit status $got, expected $want"
    elif [ "$want" = 0 ]; then
        if [ -s "$tmp/err" ]; then
            why="stderr is not empty"
        elif ! head -n1 "$tmp/out" | grep -Eq -- "$re"; then
            why="first line of stdout does not match /$re/"
        elif [[ $name == help* ]]; then
            for opt in --mem= --timeout= --block: --net: --console-rate= --user= \
                --group= --no-jail --print-seccomp --stats --help --version; do
                grep -q -- "$opt" "$tmp/out" || why="usage lacks $opt"
            done
        fi
    else
        lines=$(wc -l <"$tmp/err")
        if [ -s "$tmp/out" ]; then
            why="stdout is not empty"
        elif [ "$lines" != 1 ] || [ -n "$(tail -c1 "$tmp/err")" ]; then
            why="stderr is $lines lines, expected exactly one"
        elif ! grep -q '^husk: ' "$tmp/err"; then
            why="stderr does not start with 'husk: '"
        elif ! grep -Eq -- "$re" "$tmp/err"; then
            why="stderr does not match /$re/"
        fi
    fi
    if [ -z "$why" ]; then
        echo "PASS cli/$name"
    else
        echo "FAIL cli/$name: $why"
        sed 's/^/    | /' "$tmp/out" "$tmp/err" | head -10
        failed=1
    fi
}

failed=0
while IFS='|' read -r name args want re; do
    name=$(trim "$name")
    case $name in "" | "#"*) continue ;; esac
    run_case "$name" "$(trim "$args")" "$(trim "$want")" "$(trim "$re")"
done <"$here/cases.txt"
exit "$failed"
