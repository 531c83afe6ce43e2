#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/sandbox-suite.sh BUILD LABEL [BACKEND]: the sandbox is in force.
# BACKEND (kvm, the default, or process) is passed to every run as
# --backend; kvm needs /dev/kvm (the jail and the filter come after
# /dev/kvm is open); some cases need root (a private /dev/kvm node for an
# unprivileged user) and are skipped without it. Prints "PASS
# LABEL/sandbox/name" lines.
#
# build/test/husk-probe is the monitor plus tests/sandbox/probe.c: with
# HUSK_PROBE=jail it prints one "husk-probe:" line on what it sees from
# inside, just before the filter; with HUSK_PROBE=seccomp it makes a
# forbidden system call right after the filter.
set -u
build=$(cd "$1" && pwd) label=$2 backend=${3:-kvm} suite=sandbox
bk=(--backend="$backend")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
husk=$build/husk probe=$build/test/husk-probe
exit_img=$build/tests/guests/exit_status.husk
spin_img=$build/tests/guests/spin.husk
block_img=$build/tests/guests/blockio.husk
tmp=$(mktemp -d)
chmod 755 "$tmp"
bgpid=""
netns=husk-sbx-$$ # --netns's, made and deleted by this suite
trap '[ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null; rm -rf "$tmp"
    [ "$(id -u)" != 0 ] || ip netns del "$netns" 2>/dev/null' EXIT


# has KEY=VALUE...: the first missing one of these words in the probe line
has() {
    local line w
    line=$(grep -m1 '^husk-probe: ' "$tmp/err")
    [ -n "$line" ] || { echo "no husk-probe line on stderr"; return; }
    for w in "$@"; do
        [[ " ${line#husk-probe: } " == *" $w "* ]] || { echo "not $w"; return; }
    done
}

probe() { # husk arguments: the probe's view, the guest exits 3
    HUSK_PROBE=jail HUSK_PROBE_HOST_PID=$$ timeout -k 5 120 "$probe" "${bk[@]}" "$@" \
        --mem=32M "$exit_img" -- 3 >"$tmp/out" 2>"$tmp/err" </dev/null
}
# The same with stdout and stderr on a pipe, as under a service manager:
# a console that is a regular file leaves RLIMIT_FSIZE off (limits.c).
probe_piped() { # husk arguments...: both streams in $tmp/err
    HUSK_PROBE=jail "$probe" "${bk[@]}" "$@" 2>&1 </dev/null | cat >"$tmp/err"
    local status=${PIPESTATUS[0]}
    : >"$tmp/out"
    return "$status"
}

# ---- the seccomp filter
# The probe dies by SIGSYS before it can say anything: 159 = 128 + 31, and
# a monitor that exits 159 by itself says "husk: ..." first. No core file
# either, though the shell allows one: guest memory never reaches a disk.
{ (cd "$tmp" && ulimit -c unlimited &&
    HUSK_PROBE=seccomp exec "$probe" "${bk[@]}" --mem=32M "$exit_img" -- 0) \
    >"$tmp/out" 2>"$tmp/err" </dev/null; } 2>/dev/null # bash: "Bad system call"
status=$?
why=""
[ "$status" = 159 ] || why="status $status, expected 159 (SIGSYS)"
if [ "$backend" = kvm ]; then
    [ -z "$why" ] && [ -s "$tmp/err" ] && why="the monitor printed something"
else # the process backend traps: the call is refused and reported
    [ -z "$why" ] && ! grep -q '^husk: ABI violation: system call [0-9]* (arch 0x[0-9a-f]*) at rip=0x[0-9a-f]*, in the monitor.s code, is not in the seccomp allowlist' "$tmp/err" &&
        why="no report of the refused call: $(head -c 200 "$tmp/err")"
fi
[ -z "$why" ] && compgen -G "$tmp/core*" >/dev/null && why="a core file was written"
result forbidden_syscall_kills "$why"

# The same binary without HUSK_PROBE is the release one: the guest runs
# under the filter and its status comes out.
"$probe" "${bk[@]}" --mem=32M "$exit_img" -- 7 >"$tmp/out" 2>"$tmp/err" </dev/null
result guest_runs_under_filter "$(why_failed $? 7 '' '' "$tmp/out" "$tmp/err")"
[ -s "$tmp/err" ] && result guest_runs_quietly "stderr is not empty" ||
    result guest_runs_quietly ""

# --print-seccomp: the filter for this configuration, every rule an
# "action ALLOW" (docs/security.md counts them), and no guest run.
count_rules() { # husk arguments
    "$husk" "${bk[@]}" --print-seccomp "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || {
        echo "status $?"
        return
    }
    grep -c 'action ALLOW;' "$tmp/out"
}
truncate -s 1M "$tmp/a.img" "$tmp/b.img"
# The process backend has no KVM ioctls (3 rules fewer), tgkill of itself
# with each of the 4 stop signals, and arch_prctl for %fs and %gs where
# the host has no user FSGSBASE (docs/security.md).
extra=0 refuse=KILL_PROCESS
if [ "$backend" = process ]; then
    extra=1 refuse=TRAP
    grep -qw fsgsbase /proc/cpuinfo || extra=3
fi
# read(2) of stdin is one rule (console_read), gone with --stdin=none.
for case in "12|--mem=32M $exit_img -- 5" \
    "11|--stdin=none --mem=32M $exit_img -- 5" \
    "12|--timeout=60 $exit_img -- 5" \
    "16|--io-thread=off --block:data=$tmp/a.img --block:more=$tmp/b.img,ro $block_img" \
    "18|--io-thread=off --block:data=$tmp/a.img --block:more=$tmp/b.img $block_img" \
    "23|--io-thread=on --block:data=$tmp/a.img --block:more=$tmp/b.img $block_img"; do
    want=$((${case%%|*} + extra))
    # shellcheck disable=SC2086 # a word list
    got=$(count_rules ${case#*|})
    why=""
    [ "$got" = "$want" ] || why="$got rules, expected $want"
    [ -z "$why" ] && ! grep -q '^# The seccomp filter husk installs' "$tmp/out" &&
        why="no header"
    [ -z "$why" ] && grep -q "$refuse" "$tmp/out" || why=${why:-"the default is not $refuse"}
    result "print_seccomp_$want${case#*|}" "$why"
done

# Where the program comes from (--log-level=debug): the usual runs load
# one libseccomp compiled at build time (monitor/gen/monitor_filters.c),
# the others (here, block devices) compile theirs at run time; the guest
# runs under either. The ASan monitor's own rules are in no build-time
# program, so this is the release monitor's.
for case in "5|compiled at build time|--mem=32M $exit_img -- 5" \
    "6|compiled at build time|--stdin=none --stats=json --mem=32M $exit_img -- 6" \
    "0|compiled now by libseccomp|--io-thread=off --block:data=$tmp/a.img --block:more=$tmp/b.img,ro $block_img -- readonly /dev/more"; do
    status=${case%%|*} rest=${case#*|}
    from=${rest%%|*}
    # shellcheck disable=SC2086 # a word list
    "$husk" "${bk[@]}" --log-level=debug ${rest#*|} >"$tmp/out" 2>"$tmp/err" </dev/null
    why=$(why_failed $? "$status" '' \
        "^husk: debug: seccomp filter: [0-9]+ instructions, $from" "$tmp/out" "$tmp/err")
    [ -z "$why" ] && ! grep -q '^husk: info: seccomp filter loaded' "$tmp/err" && why="no filter loaded"
    result "filter_${from// /_}_$status" "$why"
done

# ---- the jail, as root (no user namespace needed)
probe
why=$(why_failed $? 3 '' '' "$tmp/out" "$tmp/err")
result jail_guest_runs "$why"
# PID 1 of its own namespace, seeing no other process, not the host's.
result jail_pid_namespace "$(has pid=1 others=none host_pid=ESRCH)"
# An empty, read-only root: no host file by any path, ".." goes nowhere.
result jail_empty_root "$(has root_entries=0 mkdir=EROFS dotdot=root etc_passwd=ENOENT)"
result jail_net_uts "$(has ifaces=lo hostname=husk)"
result jail_no_privileges "$(has caps=00,00,00 bounding=0 ambient=0 nnp=1 dumpable=0)"
# No new fd, no core, a bounded address space (guest memory and a margin,
# not "unlimited"); open: only the console (stdin, the guest's, included)
# and the vCPU. RLIMIT_NOFILE is 1 for the wait on stdin, which fd 0
# takes: still no new fd (EMFILE).
vcpu=$(grep -o ' vcpu=[0-9]*' "$tmp/err" | cut -d= -f2)
fds=0,1,2${vcpu:+,$vcpu} # the process backend has no vCPU fd
result jail_limits "$(has nofile=1 core=0 open=EMFILE "fds=$fds")"
result jail_fsize_off_for_file_console "$(has fsize=inf)"
as=$(grep -o ' as=[0-9]*' "$tmp/err" | cut -d= -f2)
result jail_address_space_bounded \
    "$([ -n "$as" ] && [ "$as" -gt $((32 << 20)) ] && [ "$as" -lt $((160 << 20)) ] ||
        echo "RLIMIT_AS is ${as:-missing}, expected 32M + at most 128M")"
# No file may grow: with no device, not by a byte; with devices, not past
# the largest. Unless the console is a file (the probe above).
probe_piped --mem=32M "$exit_img" -- 3
result jail_fsize_without_devices "$(why_failed $? 3 '' '' "$tmp/out" "$tmp/err")$(has fsize=0)"
truncate -s 2M "$tmp/c.img"
probe_piped --block:data="$tmp/c.img" --block:more="$tmp/b.img,ro" \
    "$block_img" -- readonly /dev/more
result jail_fsize_is_the_device "$(why_failed $? 0 '^read-only ok$' '' "$tmp/err" "$tmp/err")$(has fsize=2097152)"

probe --user=nobody
result jail_user "$(why_failed $? 3 '' '' "$tmp/out" "$tmp/err")$(has uid=65534 gid=65534 groups=0 caps=00,00,00)"
probe --user=nobody --group=daemon
result jail_user_group "$(has uid=65534 "gid=$(getent group daemon | cut -d: -f3)" groups=0)"

# --netns=PATH: a network namespace made once, joined by the jail instead
# of a new one; its default TTL, set here, tells the probe's from a new
# one's. Refused unless it holds lo alone, down, and as a user.
if [ "$(id -u)" = 0 ] && [ -z "${HUSK_TEST_SKIP:-}" ]; then
    ip netns add "$netns"
    ip netns exec "$netns" sysctl -qw net.ipv4.ip_default_ttl=77
    probe --netns="/run/netns/$netns"
    result netns_joined "$(why_failed $? 3 '' '' "$tmp/out" "$tmp/err")$(has ifaces=lo ttl=77 pid=1 root_entries=0 caps=00,00,00)"
    probe
    result netns_default_new "$(has ifaces=lo ttl=64)"
    ip -n "$netns" link set lo up
    probe --netns="/run/netns/$netns"
    result netns_lo_up_refused "$(why_failed $? 125 '' \
        "^husk: --netns=/run/netns/$netns: its lo is up; the jail joins only a namespace whose lo is down" \
        "$tmp/out" "$tmp/err")"
    ip -n "$netns" link set lo down
    ip -n "$netns" link add husk-v0 type veth peer name husk-v1
    probe --netns="/run/netns/$netns"
    result netns_interface_refused "$(why_failed $? 125 '' \
        "^husk: --netns=/run/netns/$netns: it has the interface husk-v" \
        "$tmp/out" "$tmp/err")"
    ip -n "$netns" link del husk-v0
    # (the process backend: nobody may not open /dev/kvm, which would be
    # the first refusal under KVM)
    install -m 644 "$exit_img" "$tmp/netns-exit.husk"
    HUSK_PROBE=jail setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$probe" --backend=process --netns="/run/netns/$netns" --mem=32M \
        "$tmp/netns-exit.husk" -- 3 \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    result netns_unprivileged_refused "$(why_failed $? 125 '' \
        "^husk: --netns=/run/netns/$netns: cannot join it \(only root can" \
        "$tmp/out" "$tmp/err")"
    ip netns del "$netns"
else
    for name in netns_joined netns_default_new netns_lo_up_refused \
        netns_interface_refused netns_unprivileged_refused; do
        [ -n "${HUSK_TEST_SKIP:-}" ] && result "$name" "" ||
            echo "SKIP $label/sandbox/$name: needs root"
    done
fi

# --no-jail: said on every run; the limits, the privileges and the filter
# stay, the namespaces go.
probe --no-jail
why=$(why_failed $? 3 '' '^husk: warning: --no-jail: ' "$tmp/out" "$tmp/err")
result no_jail_warns "$why"
result no_jail_keeps_limits "$(has others=some nofile=1 core=0 open=EMFILE caps=00,00,00 nnp=1)"
grep -q ' pid=1 ' "$tmp/err" && result no_jail_no_namespaces "pid 1 without a jail" ||
    result no_jail_no_namespaces ""

# ---- unprivileged: a user namespace, and the host refusing one (a chroot:
# one line, status 125). Under KVM, root hands nobody a /dev/kvm node that
# anyone may open, bound over /dev/kvm in a mount namespace of this test's
# own: the real one is left alone.
if [ "$(id -u)" != 0 ]; then
    echo "SKIP $label/sandbox/unprivileged_jail: needs root to hand nobody a /dev/kvm"
    echo "SKIP $label/sandbox/unprivileged_refused: needs root"
else
    cp "$exit_img" "$tmp/exit.husk"
    chmod 644 "$tmp/exit.husk"
    mkdir "$tmp/dev"
    # shellcheck disable=SC2016 # expanded by the inner shell
    TMP=$tmp HUSK=$husk PROBE=$probe HOST_PID=$$ BACKEND=$backend \
        KVM_DEV=$([ "$backend" != kvm ] || stat -c '%t %T' /dev/kvm) \
        unshare -m --propagation private bash -c '
        set -e
        if [ -n "$KVM_DEV" ]; then # the process backend needs none
            mount -t tmpfs kvmdev "$TMP/dev"
            set -- $KVM_DEV
            mknod -m 666 "$TMP/dev/kvm" c $((0x$1)) $((0x$2))
            mount --bind "$TMP/dev/kvm" /dev/kvm
        fi
        set +e
        nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
        HUSK_PROBE=jail HUSK_PROBE_HOST_PID=$HOST_PID nobody "$PROBE" \
            --backend=$BACKEND --mem=32M "$TMP/exit.husk" -- 3 >"$TMP/out1" 2>"$TMP/err1" </dev/null
        echo $? >"$TMP/status1"
        mount --rbind / /mnt
        chroot /mnt setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$HUSK" --backend=$BACKEND --mem=32M "$TMP/exit.husk" -- 3 >"$TMP/out2" 2>"$TMP/err2" </dev/null
        echo $? >"$TMP/status2"' >"$tmp/setup" 2>&1
    mv "$tmp/out1" "$tmp/out" 2>/dev/null
    mv "$tmp/err1" "$tmp/err" 2>/dev/null
    why=$(why_failed "$(cat "$tmp/status1" 2>/dev/null)" 3 '' '' "$tmp/out" "$tmp/err")
    [ -s "$tmp/setup" ] && why="set-up: $(head -c 200 "$tmp/setup")"
    [ -z "$why" ] && why=$(has pid=1 others=none host_pid=ESRCH root_entries=0 \
        etc_passwd=ENOENT uid=65534 gid=65534 caps=00,00,00 bounding=0 nnp=1 nofile=1)
    result unprivileged_jail "$why"
    mv "$tmp/out2" "$tmp/out" 2>/dev/null
    mv "$tmp/err2" "$tmp/err" 2>/dev/null
    why=$(why_failed "$(cat "$tmp/status2" 2>/dev/null)" 125 '' \
        '^husk: jail: cannot create a user namespace \(husk is not root\): Operation not permitted .*pass --no-jail' \
        "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$(wc -l <"$tmp/err")" != 1 ] && why="not one line"
    result unprivileged_refused "$why"
fi

# Root in a chroot whose root is no mount point (a copy of / made of bind
# mounts, under a directory): no private mounts, no pivot_root there. One
# line, status 125.
if [ "$(id -u)" = 0 ]; then
    mkdir "$tmp/r"
    R=$tmp/r TMP=$tmp HUSK=$husk IMG=$exit_img BACKEND=$backend unshare -m --propagation private bash -c '
        for e in /*; do
            n=${e#/}
            if [ -L "$e" ]; then cp -P "$e" "$R/$n"
            elif [ -d "$e" ]; then mkdir "$R/$n" && mount --rbind "$e" "$R/$n"; fi
        done
        chroot "$R" "$HUSK" --backend=$BACKEND --mem=32M "$IMG" -- 3 >"$TMP/out" 2>"$TMP/err" </dev/null
        echo $? >"$TMP/status3"' >"$tmp/setup" 2>&1
    why=$(why_failed "$(cat "$tmp/status3" 2>/dev/null)" 125 '' \
        '^husk: jail: cannot make the mounts private: Invalid argument \(in a chroot whose root is not a mount point\?\); pass --no-jail' \
        "$tmp/out" "$tmp/err")
    [ -z "$why" ] && [ "$(wc -l <"$tmp/err")" != 1 ] && why="not one line"
    result root_in_chroot_refused "$why"
else
    echo "SKIP $label/sandbox/root_in_chroot_refused: needs root"
fi

# ---- the supervisor: the process the caller started stands in for the
# monitor. Told to stop, it kills the jailed child first: once it is
# reaped, the child's lock on its device is gone.
start_bg() { # a guest that holds device "data" and sleeps, in the background
    "$husk" "${bk[@]}" --block:data="$tmp/a.img" --block:more="$tmp/b.img" "$block_img" \
        -- sync_and_wait /dev/data 1 >"$tmp/out" 2>"$tmp/err" </dev/null &
    bgpid=$!
    for _ in $(seq 600); do
        [ -z "${HUSK_TEST_SKIP:-}" ] && ! grep -q '^synced$' "$tmp/out" || break
        sleep 0.1
    done
}
lock_free() { flock -n -x "$tmp/a.img" true; }
start_bg
kill -TERM "$bgpid"
{ wait "$bgpid"; } 2>/dev/null
status=$?
bgpid=""
why=""
[ "$status" = 143 ] || why="status $status, expected 143 (SIGTERM)"
[ -z "$why" ] && ! lock_free && why="the jailed child still holds its device"
result stop_kills_child "$why"

# Killed outright, it cannot: PR_SET_PDEATHSIG has the kernel do it.
start_bg
lock_free && result lock_held_while_running "the image is not locked" ||
    result lock_held_while_running ""
# It shares the monitor's memory (supervise.c), so its own filter must be
# in force once the guest runs: seccomp mode 2, one filter.
why=""
if [ -z "${HUSK_TEST_SKIP:-}" ]; then
    mode=$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$bgpid/status")
    filters=$(awk '$1 == "Seccomp_filters:" { print $2 }' "/proc/$bgpid/status")
    [ "$mode" = 2 ] && [ "$filters" = 1 ] ||
        why="the supervisor's seccomp mode is '$mode' with '$filters' filters"
fi
result supervisor_confined "$why"
{
    kill -KILL "$bgpid"
    wait "$bgpid"
} 2>/dev/null # bash: "Killed"
status=$?
bgpid=""
for _ in $(seq 50); do lock_free && break; sleep 0.1; done
why=""
[ "$status" = 137 ] || why="status $status, expected 137 (SIGKILL)"
[ -z "$why" ] && ! lock_free && why="the jailed child outlived its parent by 5 s"
result kill9_kills_child "$why"
