#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/vm/run-in-vm.sh [OPTIONS] SHARE_DIR -- COMMAND [ARGS...]
#
# Runs COMMAND as root inside a throwaway QEMU virtual machine that has
# /dev/kvm, for hosts that have none (this project's machines run on a
# kernel that is itself a KVM guest without nested virtualisation).
# QEMU emulates the CPU (TCG), AMD's SVM with nested paging included, so
# Debian's own kernel loads kvm-amd inside it and the monitor runs on real
# (nested) KVM, only slower.
#
# Inside, the VM sees the host's root file system read-only (9p) with fresh
# /proc, /sys, /dev, /tmp and /run, so every host binary and library works
# unchanged, and SHARE_DIR read-write at the same path: COMMAND starts
# there, and what it writes there stays on the host. COMMAND's stdout and
# stderr come out, merged, on this script's stdout, as they are printed.
#
# Options:
#   --timeout SECONDS  stop the VM after that long (default 1800): exit 124
#   --mem SIZE         the VM's memory, as qemu's -m takes it (default 2G)
#   --smp N            virtual CPUs (default 1: more can hang the VM, see
#                      below)
#   --env NAME         pass the host's variable NAME to COMMAND (repeatable)
# Environment:
#   HUSK_VM_CACHE      kernel, busybox and initramfs cache (default build/vm)
#   HUSK_VM_CPU        qemu CPU model (default max: see the note below)
#   HUSK_VM_KVM_AMD    kvm-amd module parameters, comma separated
#   HUSK_VM_KEEP=1     keep the run directory (console log, dmesg)
#   HUSK_VM_VERBOSE=1  say how long qemu ran
#   HUSK_VM_APPEND     more kernel parameters (husk_debug=1: init's steps
#                      with the VM's uptime)
#   HUSK_VM_QEMU_ARGS  more qemu arguments (split at blanks), such as
#                      "-monitor unix:/tmp/mon,server=on,wait=off"
#   HUSK_VM_KERNEL     a kernel version to use (default: the newest cached,
#                      else what Debian's linux-image-amd64 depends on)
# Exit status: COMMAND's, 124 on timeout, 125 when the VM could not run
# COMMAND (failed to boot, no /dev/kvm, ...) after a one-line reason on
# stderr.
#
# CPU model: -cpu max is all that TCG emulates: SVM with NPT and vGIF,
# SSE to SSE4.2, AVX, AVX2, FMA, BMI, XSAVE, FSGSBASE, RDRAND, PKU, ERMS;
# not RDSEED (QEMU 7.2). kvm-amd takes it, and KVM offers its guests AVX,
# AVX2, XSAVE, FSGSBASE and RDRAND. EPYC, EPYC-Rome and EPYC-Milan work
# too but lose features TCG lacks (with a warning each) and a few more.
#
# One vCPU: with two (multi-threaded TCG), the VM livelocked now and then
# within minutes of running the kvm suite: both vCPUs looping through the
# int3 handler at a static-key site in __schedule (preempt_notifier_key,
# which KVM flips with every VM it creates and destroys, so the kernel
# live-patches that code with text_poke_bp while the other vCPU runs it);
# QEMU 7.2's TCG seemingly keeps running the stale translation of the
# patched code. With one vCPU nothing modifies code under another.
#
# Cost, on an idle 2-core machine: about 3.5 s per run of a trivial
# COMMAND, 2.8 s of it to boot (the kernel is booted uncompressed through
# its PVH entry, and the kernel parameters below skip slow parts:
# mitigations, crypto self-tests, the TSC check). Inside, emulated code
# runs about 50 times slower than native: a fork takes 10 ms, an exec of
# a dynamic binary 60 ms, a KVM exit round trip (guest, KVM, user space
# and back) 35-40 us; the kvm suite (33 cases) takes about 30 s.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

plain() { sed 's/\r//g; s/\x1b\[[?0-9;]*[a-zA-Z]//g; s/\x1b[a-zA-Z]//g'; }
die() { echo "run-in-vm: $*" >&2; exit 125; }
usage() {
    echo "usage: run-in-vm.sh [--timeout SECONDS] [--mem SIZE] [--smp N] [--env NAME]... SHARE_DIR -- COMMAND [ARGS...]" >&2
    exit 2
}

timeout=1800 mem=2G smp=1 envs=()
while [ $# -gt 0 ]; do
    case $1 in
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
    --env) [ $# -ge 2 ] || usage; envs+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) break ;;
    esac
done
if [ $# -lt 3 ] || [ "$2" != "--" ]; then usage; fi
[[ $timeout =~ ^[0-9]+$ ]] || usage
[ -d "$1" ] || die "no such directory: $1"
share=$(cd "$1" && pwd -P)
shift 2
case $share in
/) share= ;;  # the whole root: read-only, nothing to mount over it
*[[:space:]]*) die "the shared directory's path has a blank: $share" ;;
esac
cache=${HUSK_VM_CACHE:-$repo/build/vm}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)

# --- What the host needs: qemu, and cpio to build the initramfs. -----------
missing=()
for p in qemu-system-x86 cpio; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root or install them)"
    echo "run-in-vm: installing ${missing[*]}" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >/dev/null || die "cannot install ${missing[*]}"
fi

# --- Debian's generic kernel (it has kvm-amd and 9p as modules) and busybox,
# downloaded, not installed, and unpacked into the cache once. -------------
fetch() { # DIR PACKAGE...: download the packages and unpack them into DIR
    local dir=$1 dl
    shift
    dl=$(mktemp -d "$cache/dl.XXXXXX")
    if ! (cd "$dl" && apt-get download -q "$@" >/dev/null 2>"$dl/log"); then
        apt-get update -q >/dev/null 2>&1 || true
        (cd "$dl" && apt-get download -q "$@" >/dev/null 2>"$dl/log") || {
            grep -v unsandboxed "$dl/log" >&2
            rm -rf "$dl"
            die "cannot download $*"
        }
    fi
    for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$dl/root"; done
    rm -rf "$dir"
    mv "$dl/root" "$dir"
    rm -rf "$dl"
}
kver=${HUSK_VM_KERNEL:-}
if [ -z "$kver" ]; then  # the newest one cached, else what Debian has now
    kver=$(for k in "$cache"/kernel-*-amd64/boot/vmlinuz-*; do
        if [ -f "$k" ]; then echo "${k##*/vmlinuz-}"; fi
    done | sort -V | tail -1)
fi
if [ -z "$kver" ]; then
    kver=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1)
    if [ -z "$kver" ]; then
        apt-get update -q >/dev/null 2>&1 || true
        kver=$(apt-cache depends linux-image-amd64 2>/dev/null |
            sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1)
    fi
    [ -n "$kver" ] || die "cannot find Debian's kernel package (linux-image-amd64)"
fi
kdir=$cache/kernel-$kver
if [ ! -f "$kdir/boot/vmlinuz-$kver" ]; then
    echo "run-in-vm: fetching linux-image-$kver" >&2
    fetch "$kdir" "linux-image-$kver"
fi
# The kernel uncompressed (an ELF file with a PVH entry point, which qemu
# boots directly): that spares the VM seconds of emulated xz decompression
# per boot. Found after the bzImage's setup code by the xz magic.
kernel=$kdir/boot/vmlinux-$kver
if [ ! -f "$kernel" ]; then
    bz=$kdir/boot/vmlinuz-$kver
    off=$(LC_ALL=C grep -abo $'\xfd7zXZ\x00' "$bz" | head -1 | cut -d: -f1 || true)
    if [ -n "$off" ] && command -v xz >/dev/null &&
        { tail -c +$((off + 1)) "$bz" || true; } | # xz stops reading early
        xz -dc --single-stream >"$kernel.tmp" 2>/dev/null &&
        [ "$(head -c 4 "$kernel.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        mv "$kernel.tmp" "$kernel"
    else
        rm -f "$kernel.tmp"
        kernel=$bz  # boots all the same, only slower
    fi
fi
if [ ! -x "$cache/busybox/bin/busybox" ]; then
    echo "run-in-vm: fetching busybox-static" >&2
    fetch "$cache/busybox" busybox-static
fi

# --- The initramfs: busybox, init.sh, and the modules KVM and 9p need,
# and tun and veth for the network tests' taps and veth pairs (network
# namespaces and AF_PACKET are built in), in dependency order (read from each module's own "depends=" field: the
# package has no modules.dep, depmod makes it at install time). Rebuilt
# only when one of its inputs changes. ------------------------------------
mdir=lib/modules/$kver/kernel
wanted=(kvm-amd 9p 9pnet_virtio virtio_pci tun veth bridge)
key=$( { echo "$kver" "${wanted[*]}"; cat "$here/init.sh" "$cache/busybox/bin/busybox"; } |
    sha256sum | cut -c1-16)
initrd=$cache/initrd-$key.cpio.gz
if [ ! -f "$initrd" ]; then
    echo "run-in-vm: building the initramfs" >&2
    declare -A path=() seen=()
    while read -r f; do
        n=${f##*/}; n=${n%.ko}; path[${n//-/_}]=$f
    done < <(cd "$kdir/$mdir" && find . -name '*.ko' | sed 's|^\./||')
    order=()
    add() { # MODULE: its dependencies first, then itself
        local n=${1//-/_} d
        [ -z "${seen[$n]:-}" ] || return 0
        seen[$n]=1
        [ -n "${path[$n]:-}" ] || die "no module $n in linux-image-$kver"
        for d in $(tr '\0' '\n' <"$kdir/$mdir/${path[$n]}" |
            sed -n 's/^depends=//p' | tr , ' '); do
            add "$d"
        done
        order+=("${path[$n]}")
    }
    for m in "${wanted[@]}"; do add "$m"; done
    root=$(mktemp -d "$cache/initrd.XXXXXX")
    mkdir -p "$root/bin" "$root/$mdir"
    cp "$cache/busybox/bin/busybox" "$root/bin/busybox"
    install -m 755 "$here/init.sh" "$root/init"
    for m in "${order[@]}"; do
        mkdir -p "$root/$mdir/$(dirname "$m")"
        cp "$kdir/$mdir/$m" "$root/$mdir/$m"
        echo "$mdir/$m"
    done >"$root/modules.list"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
    rm -rf "$root"
    # Older ones, once no run can still be starting with them.
    find "$cache" -maxdepth 1 -name 'initrd-*.cpio.gz' ! -name "${initrd##*/}" \
        -mmin +60 -delete
fi

# --- The run: a directory the VM mounts read-write (9p) for the command
# file, the exit status and the logs, and qemu with its console on a pipe.
run=$(mktemp -d "$cache/run.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; fi
    if [ -z "${HUSK_VM_KEEP:-}" ]; then rm -rf "$run"; else echo "run-in-vm: kept $run" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
{
    for e in ${envs[@]+"${envs[@]}"}; do
        [ -n "${!e+set}" ] && printf 'export %s=%q\n' "$e" "${!e}"
    done
    printf 'cd %q || exit 125\n' "${share:-/}"
    printf '%q ' "$@"
    echo
} >"$run/cmd.sh"
tag=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
share_opts=()
[ -z "$share" ] ||
    share_opts=(-virtfs "local,path=$share,mount_tag=share,security_model=none,multidevs=remap")
mkfifo "$run/console.fifo"
start=$(date +%s%N)
# shellcheck disable=SC2086 # HUSK_VM_QEMU_ARGS is a word list
qemu-system-x86_64 -accel tcg,thread=multi -cpu "${HUSK_VM_CPU:-max}" \
    -smp "$smp" -m "$mem" -machine q35 \
    -nographic -nodefaults -no-reboot -serial stdio -monitor none \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 quiet loglevel=0 panic=-1 mitigations=off cryptomgr.notests tsc=reliable no_timer_check nowatchdog audit=0 husk_tag=$tag husk_share=$share husk_kvm_amd=${HUSK_VM_KVM_AMD:-} ${HUSK_VM_APPEND:-}" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$run,mount_tag=husk,security_model=none" \
    ${share_opts[@]+"${share_opts[@]}"} ${HUSK_VM_QEMU_ARGS:-} \
    </dev/null >"$run/console.fifo" 2>"$run/qemu.err" &
qpid=$!
# Stop qemu after the timeout, by the clock (a count of sleeps drifts on a
# busy machine); this watcher ends by itself with qemu.
(
    deadline=$(($(printf '%(%s)T' -1) + timeout))
    while kill -0 "$qpid" 2>/dev/null; do
        if [ "$(printf '%(%s)T' -1)" -ge "$deadline" ]; then
            : >"$run/timed-out"
            kill "$qpid" 2>/dev/null
            exit 0
        fi
        sleep 0.2
    done
) &
# The console: pass on what comes between the markers as it comes, keep
# all of it. init.sh puts a newline before the end marker in case the
# output did not end with one: the last empty line is held back for that.
# (mawk, Debian's awk, reads a pipe in blocks unless told otherwise.)
awk=(awk)
if awk -W version 2>&1 | grep -q mawk; then awk=(awk -W interactive); fi
# shellcheck disable=SC2016 # an awk program
tee "$run/console" <"$run/console.fifo" |
    "${awk[@]}" -v start="HUSK-VM-START-$tag" -v stop="HUSK-VM-EXIT-$tag=" '
        !on && index($0, start) { on = 1; next }
        on && (i = index($0, stop)) {
            for (; blank > 1; blank--) print ""
            if (i > 1) print substr($0, 1, i - 1)
            on = 0; blank = 0; fflush(); next
        }
        on && $0 == "" { blank++; next }
        on { for (; blank > 0; blank--) print ""; print; fflush() }
        END { for (; blank > 0; blank--) print "" }
    '
wait "$qpid" 2>/dev/null || true
qpid=
end=$(date +%s%N)
[ -z "${HUSK_VM_VERBOSE:-}" ] ||
    echo "run-in-vm: qemu ran for $(( (end - start) / 1000000 )) ms" >&2

if [ -f "$run/timed-out" ]; then
    echo "run-in-vm: timed out after $timeout s" >&2
    exit 124
fi
status=$(cat "$run/status" 2>/dev/null || true)
plain <"$run/console" | grep -a '^husk-vm: ' >&2 || true
if ! grep -aq "HUSK-VM-START-$tag" "$run/console"; then
    if [ -n "$status" ]; then
        exit "$status"  # init.sh said why, above
    fi
    echo "run-in-vm: the VM failed to boot; the end of its console and qemu's errors:" >&2
    { tail -c 2000 "$run/console"; cat "$run/qemu.err"; } | plain | tail -15 >&2
    exit 125
fi
[[ $status =~ ^[0-9]+$ ]] || {
    echo "run-in-vm: the VM stopped before COMMAND had finished (no exit status)" >&2
    tail -c 2000 "$run/console" | plain | tail -15 >&2
    exit 125
}
exit "$status"
