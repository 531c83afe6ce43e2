#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/stdin-suite.sh BUILD HUSK LABEL [BACKEND]: the guest's stdin and
# environment, from outside (docs/abi.md, console_read and the boot
# information's envp): what husk's stdin holds reaches the guest's fd 0
# byte for byte, its end is the guest's end of file (a pipe closed,
# /dev/null, stdin closed), poll, select, epoll and a blocking read wait
# for input the suite writes later, a blocking read that a signal
# interrupts or SA_RESTART restarts, --stdin=none, stdin's file flags
# left as they were, and --env. Jailed (the default) and --no-jail.
# Prints "PASS LABEL/stdin/name" lines.
set -u
shopt -s lastpipe # `... | run`: run's $status in this shell
build=$(cd "$1" && pwd) husk=$2 label=$3 backend=${4:-}
suite=stdin
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
img=$build/tests/stdin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bk=()
[ -n "$backend" ] && bk=(--backend="$backend")

# husk ARGS... with the caller's stdin: status in $status, output in
# $tmp/out and $tmp/err. Nothing runs in skip mode (tests/lib.sh).
run() {
    status=0
    [ -n "${HUSK_TEST_SKIP:-}" ] && return
    timeout -k 5 60 "$husk" "${bk[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}
# The warning every --no-jail run prints is the only stderr allowed.
quiet() { [ -z "$(grep -v 'warning: --no-jail' "$tmp/err")" ]; }

for jail in jailed no_jail; do
    j=()
    [ $jail = no_jail ] && j=(--no-jail)

    echo hi | run "${j[@]}" "$img/cat.husk"
    why=$(why_failed "$status" 0 '^hi$' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$(cat "$tmp/out")" != hi ] && why="stdout is not exactly hi"
    [ -z "$why" ] && ! quiet && why="stderr is not empty"
    result "echo_hi_$jail" "$why"

    # A binary file of a few MB, byte for byte, from a file (read(2) of
    # 64 KiB) and from a pipe (through stdio: readv of small buffers).
    head -c 3000000 /dev/urandom >"$tmp/in.bin"
    run "${j[@]}" --console-rate=0 "$img/cat.husk" <"$tmp/in.bin"
    why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && ! cmp -s "$tmp/in.bin" "$tmp/out" && why="the output differs from the input"
    result "binary_file_$jail" "$why"
    cat "$tmp/in.bin" | run "${j[@]}" --console-rate=0 "$img/cat.husk" -- stdio
    why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && ! cmp -s "$tmp/in.bin" "$tmp/out" && why="the output differs from the input"
    result "binary_pipe_stdio_$jail" "$why"

    # The end of file: /dev/null, stdin closed (husk puts /dev/null
    # there), and --stdin=none (whatever husk's stdin holds).
    run "${j[@]}" "$img/cat.husk" </dev/null
    why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ -s "$tmp/out" ] && why="stdout is not empty"
    result "eof_dev_null_$jail" "$why"
    run "${j[@]}" "$img/cat.husk" <&-
    why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ -s "$tmp/out" ] && why="stdout is not empty"
    result "eof_stdin_closed_$jail" "$why"
    echo hi | run "${j[@]}" --stdin=none "$img/cat.husk"
    why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ -s "$tmp/out" ] && why="stdout is not empty"
    result "stdin_none_$jail" "$why"

    # Waiting for input: nothing for 300 ms ("quiet"), then the line the
    # suite writes once the guest has said "quiet" (however slowly it
    # boots: a fixed delay lost that race to the ASan monitor in the test
    # VM) and half a second more; then the end. Each wait must end when
    # the input comes, not at its 20 s timeout.
    for how in poll select epoll read; do
        rm -f "$tmp/out" "$tmp/written"
        {
            for _ in $(seq 1 400); do
                grep -qs '^quiet$' "$tmp/out" && break
                sleep 0.05
            done
            sleep 0.5
            date +%s >"$tmp/written"
            echo hello
            sleep 0.3
        } | run "${j[@]}" "$img/waits.husk" -- $how
        took=$(($(date +%s) - $(cat "$tmp/written" 2>/dev/null || echo 0)))
        why=$(why_failed "$status" 0 '^eof$' '' "$tmp/out" "$tmp/err")
        [ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "quiet ready read hello eof " ] &&
            why="stdout: $(tr '\n' ' ' <"$tmp/out")"
        [ -z "$why" ] && [ "$took" -gt 10 ] && why="took ${took}s after the input: the wait did not end on it"
        result "wait_${how}_$jail" "$why"
    done

    # A signal ends a blocking read with EINTR, and SA_RESTART carries
    # it on. The line is written only once the guest has said "eintr"
    # (however slowly it boots), and a second later, after its next
    # timer has fired.
    rm -f "$tmp/out"
    {
        for _ in $(seq 1 200); do
            grep -qs '^eintr$' "$tmp/out" && break
            sleep 0.1
        done
        sleep 1
        echo hello
    } | run "${j[@]}" "$img/waits.husk" -- signal
    why=$(why_failed "$status" 0 '^restarted hello$' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "eintr restarted hello " ] &&
        why="stdout: $(tr '\n' ' ' <"$tmp/out")"
    result "read_signal_$jail" "$why"
done

# stdin's open file is the shell's too: husk must not leave it (nor set
# it, even for a while) O_NONBLOCK, which would make the shell's own
# reads fail with EAGAIN. fdinfo's flags are the open file's, in octal.
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    flags=$({ sleep 0.5; echo hi; } | {
        "$husk" "${bk[@]}" "$img/waits.husk" -- poll >/dev/null 2>&1
        awk '/^flags/ { print $2 }' /proc/self/fdinfo/0
    })
fi
why=""
[ -n "${flags:-}" ] && (((8#${flags:-0} & 8#4000) != 0)) && why="O_NONBLOCK is set on stdin: flags $flags"
result stdin_flags_unchanged "$why"

# The environment: --env only, in order, a repeated NAME replaced; none of
# the host's (HOME, PATH, HUSK_LEAK here); main's envp is environ.
HUSK_LEAK=1 run --env=A=1 --env=B= --env='C=x y=z' --env=A=2 "$img/env.husk" -- A B C HOME HUSK_LEAK </dev/null
want='envc=3 A=2 B= C=x y=z A=[2] B=[] C=[x y=z] HOME unset HUSK_LEAK unset '
why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
[ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "$want" ] && why="stdout: $(tr '\n' ' ' <"$tmp/out")"
result env_given "$why"
HUSK_LEAK=1 run "$img/env.husk" -- HOME PATH HUSK_LEAK </dev/null
why=$(why_failed "$status" 0 '' '' "$tmp/out" "$tmp/err")
[ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "envc=0 HOME unset PATH unset HUSK_LEAK unset " ] &&
    why="stdout: $(tr '\n' ' ' <"$tmp/out")"
result env_empty_by_default "$why"
# As large as allowed: 4096 bytes with the NULs, 256 entries.
args=()
for i in $(seq 1 255); do args+=(--env="V$(printf %03d "$i")=$(printf %06d "$i")"); done
args+=(--env=L=$(head -c $((4096 - 255 * 12 - 3)) /dev/zero | tr '\0' x))
run "${args[@]}" "$img/env.husk" -- V255 </dev/null
why=$(why_failed "$status" 0 '^envc=256$' '' "$tmp/out" "$tmp/err")
[ -z "$why" ] && ! grep -qx 'V255=\[000255\]' "$tmp/out" && why="V255 is not 000255"
[ -z "$why" ] && ! quiet && why="stderr is not empty"
result env_at_the_limits "$why"
