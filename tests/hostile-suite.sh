#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/hostile-suite.sh BUILD HUSK LABEL [SLACK_KIB [BACKEND]]: what hostile guests cost the
# host, measured from outside: console floods (what reaches stdout, with
# the documented notice and tally), a hypercall flood and a memory balloon
# (the monitor's peak memory, by GNU time: the supervisor reaps the jailed
# monitor, so its peak counts). The ABI attacks themselves are in
# tests/hostile/cases.txt (tests/kvm-suite.sh). Needs /dev/kvm. Prints
# "PASS LABEL/hostile/name" lines. SLACK_KIB (default 2048) is how much
# two runs of one guest may differ in peak memory: the ASan monitor needs
# more, as khugepaged turns its shadow memory into huge pages at times.
set -u
build=$1 husk=$2 label=$3 slack=${4:-2048} backend=${5:-kvm} suite=hostile
# BACKEND (kvm or process) is passed to every run as --backend.
husk_cmd=("$husk" --backend="$backend")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
exhaust=$build/tests/hostile/exhaust.husk
exit_img=$build/tests/guests/exit_status.husk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# peak KIB_VAR husk arguments: run, status in $status, peak memory (KiB)
# of the monitor's processes in $peak, stdout in $tmp/out
peak() {
    /usr/bin/time -f %M -o "$tmp/peak" timeout -k 5 120 "${husk_cmd[@]}" "$@" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    peak=$(tail -1 "$tmp/peak")
}
if [ ! -x /usr/bin/time ]; then
    for t in hypercall_flood_memory balloon_memory; do
        echo "SKIP $label/hostile/$t: no /usr/bin/time (Debian package time)"
    done
else
    peak --mem=64M "$exit_img" -- 0
    base=$peak
    # 20000 exits: the monitor's memory does not grow with them (against
    # the same guest making 1000).
    peak --mem=64M "$exhaust" -- hypercall_flood 1000
    few=$peak
    peak --mem=64M "$exhaust" -- hypercall_flood 20000
    why=$(why_failed "$status" 0 '^hypercalls: 20000$' '' "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$peak" -gt $((few + slack)) ] &&
        why="peak ${peak} KiB after 20000 hypercalls, ${few} KiB after 1000"
    result hypercall_flood_memory "$why"
    # All the guest's memory touched: the host pays --mem and no more, and
    # the guest gets NULL from malloc, not a crash.
    peak --mem=64M "$exhaust" -- balloon
    why=$(why_failed "$status" 0 '^balloon: [0-9]+ MiB$' '' "$tmp/out" "$tmp/err")
    mib=$(sed -n 's/^balloon: \([0-9]*\) MiB$/\1/p' "$tmp/out")
    [ -z "$why" ] && [ "${mib:-0}" -lt 48 ] && why="the guest got only ${mib} MiB of 64"
    [ -z "$why" ] && [ "$peak" -lt $((base + 40 * 1024)) ] &&
        why="peak ${peak} KiB: the balloon did not reach the host"
    [ -z "$why" ] && [ "$peak" -gt $((base + 64 * 1024 + slack)) ] &&
        why="peak ${peak} KiB, more than --mem=64M over an idle guest's ${base} KiB"
    result balloon_memory "$why"
fi

# flood NAME RATE_BYTES_PER_S BYTES husk options...: the guest writes
# BYTES to its console as fast as it can; what reaches stdout must be at
# most one burst (a second's worth, at least 64 KiB) plus the rate times
# the time taken, and what was dropped must be reported.
flood() {
    local name=$1 rate=$2 bytes=$3
    shift 3
    local t0 t1 got dropped why burst
    t0=$(date +%s%N)
    timeout -k 5 120 "${husk_cmd[@]}" "$@" "$exhaust" -- console_flood "$bytes" \
        2>"$tmp/err" </dev/null | wc -c >"$tmp/count"
    status=${PIPESTATUS[0]}
    t1=$(date +%s%N)
    got=$(cat "$tmp/count")
    burst=$((rate > 65536 ? rate : 65536))
    why=$(why_failed "$status" 0 '' '' /dev/null "$tmp/err")
    if [ -z "$why" ] && [ "$got" -gt $((burst + rate * (t1 - t0) / 1000000000)) ]; then
        why="$got bytes in $(((t1 - t0) / 1000000)) ms at $rate bytes/s"
    fi
    dropped=$(sed -n 's/^husk: console: \([0-9]*\) bytes of guest output dropped over --console-rate$/\1/p' "$tmp/err")
    if [ -z "$why" ] && [ "$((got + ${dropped:-0}))" != "$bytes" ]; then
        why="$got written + ${dropped:-no} dropped is not the $bytes sent"
    fi
    if [ -z "$why" ] && [ "$(grep -c 'dropping what is over (this notice is printed once)$' "$tmp/err")" != 1 ]; then
        why="not exactly one notice"
    fi
    result "$name" "$why"
}
flood console_flood_default_rate $((1 << 20)) $((64 << 20)) --mem=32M
flood console_flood_64k $((64 << 10)) $((8 << 20)) --mem=32M --console-rate=64K

# --console-rate=0: no limit, nothing dropped, no notice.
timeout -k 5 120 "${husk_cmd[@]}" --mem=32M --console-rate=0 "$exhaust" -- console_flood \
    $((8 << 20)) 2>"$tmp/err" </dev/null | wc -c >"$tmp/count"
status=${PIPESTATUS[0]}
why=$(why_failed "$status" 0 '' '' /dev/null "$tmp/err")
[ -z "$why" ] && [ "$(cat "$tmp/count")" != $((8 << 20)) ] && why="$(cat "$tmp/count") bytes of $((8 << 20))"
[ -z "$why" ] && [ -s "$tmp/err" ] && why="stderr is not empty"
result console_unlimited "$why"

# The console to a pipe: every byte value as the guest wrote it (a guest
# may write binary data to its stdout).
for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done >"$tmp/bytes"
timeout -k 5 60 "${husk_cmd[@]}" --mem=32M "$exhaust" -- all_bytes >"$tmp/out" \
    2>"$tmp/err" </dev/null
status=$?
why=$(why_failed "$status" 0 '' '' /dev/null "$tmp/err")
[ -z "$why" ] && ! cmp -s "$tmp/bytes" "$tmp/out" &&
    why="stdout differs from the 256 bytes written ($(wc -c <"$tmp/out") bytes)"
result console_pipe_byte_exact "$why"

# The console to a terminal (script(1) gives the guest's monitor a pty):
# no control of the guest's reaches it, and no "husk:" line but the
# monitor's own, which start at column 0 after an attribute reset even
# where the guest left a line unfinished (docs/security.md).
if ! command -v script >/dev/null; then
    echo "SKIP $label/$suite/console_terminal: no script(1) (util-linux)"
else
    timeout -k 5 60 script -qec "$husk --backend=$backend --mem=32M --stats $exhaust -- tty_attack" \
        /dev/null >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    why=$(why_failed "$status" 3 '' '' /dev/null "$tmp/err")
    # What is left once the monitor's own line starts are taken out.
    sed 's/\x1b\[0mhusk: //g' "$tmp/out" >"$tmp/guest"
    if [ -n "$why" ]; then :
    elif LC_ALL=C grep -aq $'\x1b' "$tmp/guest"; then
        why="an escape character reached the terminal"
    elif LC_ALL=C grep -aq $'\x07\|\x9b\|\xe2\x80\x8b' "$tmp/guest"; then
        why="a control or an invisible character reached the terminal"
    elif grep -aq 'husk:' "$tmp/guest"; then
        why="the guest printed \"husk:\" on the terminal"
    elif ! grep -aqF 'husk\x3a guest exited normally (forged)' "$tmp/out" ||
        ! grep -aqF 'husk\x3a on stderr (forged)' "$tmp/out" ||
        ! grep -aqF '\x1b[1A\x1b[2Kerased' "$tmp/out" ||
        ! grep -aqF '\x1b]52;c;aHVzaw==\x07' "$tmp/out" ||
        ! grep -aqF '    : forged\x0dhusk' "$tmp/out" ||
        ! grep -aqF '\x9b2J\xc2\x9b2J\xe2\x80\x8bhusk\x3a zero-width' "$tmp/out"; then
        why="the guest's escaped output is not as expected"
    elif ! grep -aq $'^unfinished\\\\x1b\\[8m\r$' "$tmp/out" ||
        ! grep -aq $'^\x1b\\[0mhusk: stats: ' "$tmp/out"; then
        why="the monitor's line is not on a line of its own after the guest's"
    fi
    result console_terminal "$why"
fi

# A stop ends a monitor blocked on a full pipe: the guest prints in a
# loop to a reader that never reads (a FIFO held by sleep). --timeout=2
# must end it in about 2 s with 124, SIGTERM with 143 (the supervisor
# dies of the signal it passed on).
# watch PID SECONDS: kill PID if it still runs after SECONDS (a test that
# fails must not hang the suite); prints the watchdog's pid.
watch() {
    (sleep "$2" && kill -KILL "$1" 2>/dev/null) >/dev/null 2>&1 &
    echo $!
}

blocked_run() { # NAME WANT_STATUS ERR_RE KILL_AFTER_S husk options...
    local name=$1 want=$2 err_re=$3 kill_after=$4 reader t0 t1 pid dog why
    shift 4
    rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
    sleep 60 <"$tmp/fifo" &
    reader=$!
    t0=$(date +%s)
    "${husk_cmd[@]}" "$@" "$exhaust" -- console_flood 1000000000000 \
        >"$tmp/fifo" 2>"$tmp/err" </dev/null &
    pid=$!
    dog=$(watch "$pid" 30)
    if [ "$kill_after" != - ]; then
        sleep "$kill_after"
        kill -TERM "$pid"
    fi
    wait "$pid"
    status=$?
    t1=$(date +%s)
    kill "$reader" "$dog" 2>/dev/null
    wait "$reader" "$dog" 2>/dev/null
    : >"$tmp/out"
    why=$(why_failed "$status" "$want" '' "$err_re" /dev/null "$tmp/err")
    [ -z "$why" ] && [ $((t1 - t0)) -gt 8 ] && why="it took $((t1 - t0)) s"
    result "$name" "$why"
}
blocked_run timeout_blocked_on_full_pipe 124 '^husk: guest stopped: --timeout=2 expired$' \
    - --mem=32M --timeout=2
blocked_run sigterm_blocked_on_full_pipe 143 '^husk: guest stopped: Terminated$' \
    3 --mem=32M

# A stop during start-up is not lost. The jailed monitor is PID 1 of its
# pid namespace, which drops a signal it has no handler for, and its
# handlers come only once the VM is set up: SIGTERM as soon as the
# supervisor passes it on (it has its handler) and before the jailed
# monitor has its own must still stop the guest (which would sleep 30 s)
# with 143, quickly. Five runs; at least one must hit that window.
sig_caught() { # PID SIGNUM: whether PID has a handler for SIGNUM
    local k v
    while read -r k v; do
        if [ "$k" = SigCgt: ]; then
            (((16#$v >> ($2 - 1)) & 1))
            return
        fi
    done 2>/dev/null <"/proc/$1/status"
    return 1
}
startup_kill() { # NAME husk options...
    local name=$1 i pid child dog t0 t1 hits=0 why=
    shift
    # At least 5 runs, and on until one hits the window (a native
    # process backend starts so fast that few do), at most 40.
    for i in $(seq 40); do
        [ "$i" -gt 5 ] && [ "$hits" -gt 0 ] && break
        t0=$(date +%s)
        "${husk_cmd[@]}" "$@" "$exhaust" -- sleep 30 >"$tmp/out" 2>"$tmp/err" </dev/null &
        pid=$!
        dog=$(watch "$pid" 20)
        child=
        while kill -0 "$pid" 2>/dev/null; do
            case " $* " in
            *" --no-jail "*) # no supervisor: as soon as it is husk
                [ "/proc/$pid/exe" -ef "$husk" ] && child=$pid && break ;;
            *)
                [ -z "$child" ] && read -r child _ <"/proc/$pid/task/$pid/children" 2>/dev/null
                [ -n "$child" ] && sig_caught "$pid" 15 && break ;;
            esac
        done
        kill -TERM "$pid" 2>/dev/null
        [ -n "$child" ] && ! sig_caught "$child" 15 && hits=$((hits + 1))
        wait "$pid"
        status=$?
        t1=$(date +%s)
        kill "$dog" 2>/dev/null
        wait "$dog" 2>/dev/null
        why=$(why_failed "$status" 143 '' '' /dev/null "$tmp/err")
        [ -z "$why" ] && [ $((t1 - t0)) -gt 10 ] && why="it took $((t1 - t0)) s"
        [ -n "$why" ] && break
    done
    [ -z "$why" ] && [ "$hits" = 0 ] && why="no run sent the signal before the monitor's handlers were in"
    result "$name" "${why:+run $i: $why}"
}
startup_kill sigterm_during_startup --mem=32M
startup_kill sigterm_during_startup_no_jail --mem=32M --no-jail
