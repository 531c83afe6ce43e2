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
nb=""
trap 'rm -rf "$tmp" ${nb:+"$nb"}' EXIT

fatal() { # the suite itself cannot run: one FAIL line says why
    echo "FAIL cli/setup: $*"
    exit 1
}

mkdir -p "$out" || fatal "cannot create $out"
gcc -std=gnu11 -O1 -Wall -Wextra -Werror -o "$out/mkelf" \
    "$here/mkelf.c" "$here/../unit/elfimg.c" 2>"$tmp/cc" ||
    fatal "mkelf.c does not build: $(head -c 300 "$tmp/cc" | tr '\n' ' ')"
rm -rf "$img" && mkdir -p "$img" || fatal "cannot create $img"
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

# The first directory on the way to $1 that nobody cannot enter, or
# nothing.
closed_to_nobody() {
    local d="" part
    local -a parts
    IFS=/ read -ra parts <<<"${1#/}"
    for part in "${parts[@]}"; do
        d=$d/$part
        [ -d "$d" ] || break
        as_nobody test -x "$d" || { echo "$d"; return; }
    done
}

# The {NOBODY} cases run husk as user nobody, who must reach the binary
# and the images. A checkout or BUILD inside a directory closed to other
# users (mode 0700, as mktemp -d makes them) would end those cases in
# status 126 and no reason. So, whatever the checkout's place, they run
# a copy of HUSK (byte for byte: what they test is how husk answers an
# unprivileged user, not where it lies) and images of their own, in a
# directory made for them (mode 0755) under TMPDIR, checked up front.
nb_husk=$husk qnb_img=$qimg
if [ "$(id -u)" = 0 ]; then
    nb=$(mktemp -d) && chmod 755 "$nb" && mkdir -m 755 "$nb/images" ||
        fatal "cannot create a directory for user nobody under ${TMPDIR:-/tmp}"
    cp "$husk" "$nb/husk" || fatal "cannot copy $husk to $nb"
    "$out/mkelf" "$nb/images" || fatal "mkelf failed"
    nb_husk=$nb/husk
    printf -v qnb_img '%q' "$nb/images"
    # Through timeout, as the cases run it: setpriv's own exec still
    # passes closed directories (it drops its capabilities at exec).
    if ! as_nobody timeout 10 "$nb_husk" --version >/dev/null 2>"$tmp/nb"; then
        closed=$(closed_to_nobody "$nb")
        if [ -n "$closed" ]; then
            fatal "user nobody, who runs the {NOBODY} cases, cannot reach" \
                "$nb: $closed (mode $(stat -c %04a "$closed")) is closed" \
                "to other users; set TMPDIR to a directory everyone can" \
                "enter (TMPDIR=/tmp), or chmod o+x $closed"
        fi
        fatal "user nobody cannot run $nb_husk --version:" \
            "$(head -c 300 "$tmp/nb" | tr '\n' ' ')"
    fi
fi

run_case() { # name args want regex
    local name=$1 args=$2 want=$3 re=$4 prefix=() exe=$husk
    if [[ $args == "{NOBODY}"* ]]; then
        prefix=(as_nobody)
        exe=$nb_husk
        args=${args#"{NOBODY}"}
        args=${args//\{IMG\}/$qnb_img}
    fi
    args=${args//\{IMG\}/$qimg}
    local argv
    eval "argv=($args)" # the cases file is ours: shell words, '' allowed
    "${prefix[@]}" timeout 10 "$exe" "${argv[@]}" \
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
            for opt in --mem= --timeout= --block: --net: --console-rate= --dump-core= --user= \
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
bash "$here/inspect.sh" "$build" "$husk" || failed=1
exit "$failed"
