# SPDX-License-Identifier: MIT
# bench/lib.sh: what every benchmark script shares (sourced, not run).
#
# The one output format. A benchmark prints lines
#   result GROUP SYSTEM METRIC VALUE [KEY=VALUE]...
#   note GROUP SYSTEM free text...
# GROUP is a set of systems measured interleaved in one run (only those
# are compared), SYSTEM what ran (husk, kvm_floor, native, bwrap,
# microvm_kvm, microvm_tcg, ...), METRIC ends in its unit (exit_us,
# ns_per_call, pss_kib, per_s, bytes, ...), VALUE is a number, the KEYs
# say more (p10=, p90= spread, n= trials, conc=). A note is a fact that is
# not a number ("does not boot within 20 s"). bench/stage puts the
# environment's name after the first word; bench/report.py reads it all.
# A future bench/net prints the same lines (group "net").

# Everything here is bounded: no command may wait for ever.
set -euo pipefail

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-build}
# Where the programs are: build/bench, or a copy in tmpfs (bench/stage).
bin=${BENCH_BIN:-$bench_root/$build/bench}
husk=${BENCH_HUSK:-$bench_root/$build/husk}
quick=${BENCH_QUICK:-0}

result() { echo "result $*"; }
note() { echo "note $*"; }

# pick FULL QUICK: the full run's value or the quick run's.
pick() { if [ "$quick" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# median/p10/p90 of the numbers on stdin, as "MEDIAN p10=X p90=Y n=N"
# (the same ranks as timeit.c).
stats() {
    sort -g | awk '{ v[NR - 1] = $1 }
        END { if (NR == 0) exit 1
              printf "%s p10=%s p90=%s n=%d\n", v[int(NR / 2)],
                  v[int(NR / 10)], v[int(NR * 9 / 10)], NR }'
}

have_kvm() { [ -c /dev/kvm ] && [ -r /dev/kvm ]; }

# ---- where a run's time goes: the monitor's phases (bench/boot and
# bench/snapshot) ----
# phases_of FILE: one "METRIC MICROSECONDS" line per phase of the
# --stats=json line that ends FILE. Cold boots have guest_ready (the
# guest's start-up before husk_ready()); restores start there.
phases_of() {
    tail -n 1 "$1" | sed -n 's/.*"phases_ns":{\([^}]*\)}.*/\1/p' | tr ',' '\n' | tr -d '"' |
        awk -F: '{ v[$1] = $2 }
        END {
            if (!("teardown" in v)) exit 1
            ready = ("guest_ready" in v) ? v["guest_ready"] : v["guest_started"]
            printf "setup_us %.1f\n", v["devices_opened"] / 1e3
            printf "jail_us %.1f\n", (v["jail_entered"] - v["devices_opened"]) / 1e3
            printf "vm_us %.1f\n", (v["vm_created"] - v["jail_entered"]) / 1e3
            printf "load_us %.1f\n", (v["image_loaded"] - v["vm_created"]) / 1e3
            printf "seccomp_us %.1f\n", (v["guest_started"] - v["image_loaded"]) / 1e3
            if ("guest_ready" in v)
                printf "init_us %.1f\n", (ready - v["guest_started"]) / 1e3
            printf "serve_us %.1f\n", (v["guest_exited"] - ready) / 1e3
            printf "teardown_us %.1f\n", (v["teardown"] - v["guest_exited"]) / 1e3
            printf "total_us %.1f\n", v["teardown"] / 1e3
        }'
}
# phase_results GROUP FILE: FILE's "SYSTEM METRIC MICROSECONDS" lines as
# result lines, the median of each system's metric.
phase_results() {
    local group=$1 file=$2 sys metric
    awk '!seen[$1 " " $2]++ { print $1, $2 }' "$file" | while read -r sys metric; do
        result "$group" "$sys" "$metric" "$(awk -v s="$sys" -v m="$metric" \
            '$1 == s && $2 == m { print $3 }' "$file" | stats)"
    done
}

# tree_pids PID...: the PIDs and all their descendants (bench/memory and
# bench/snapshot sum an instance's memory over its process tree).
tree_pids() {
    local roots=" $* " s line rest
    for s in /proc/[0-9]*/stat; do
        # pid (comm) state ppid: the comm may hold blanks, so cut at ") ".
        read -r line 2>/dev/null <"$s" || continue
        rest=${line##*) }
        set -- $rest
        echo "${line%% *} $2"
    done | awk -v roots="$roots" '
        { parent[$1] = $2 }
        END {
            n = split(roots, r, " ")
            for (i = 1; i <= n; i++) keep[r[i]] = 1
            do { grew = 0
                 for (p in parent)
                     if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 }
            } while (grew)
            for (p in keep) print p
        }'
}

# rollups PID...: each address space's /proc/PID/smaps_rollup once. The
# jail's supervisor and the monitor share one (a clone with CLONE_VM,
# monitor/supervise.c), and both processes show the same rollup: summed
# twice, an instance would count its memory twice. Two processes with
# address spaces of their own do not have byte-identical rollups (their
# ranges and sizes differ), so identical text means one address space.
rollups() {
    local p
    for p in "$@"; do
        cat "/proc/$p/smaps_rollup" 2>/dev/null && echo "--"
    done | awk 'BEGIN { RS = "--\n" } !seen[$0]++ { printf "%s", $0 }'
}

# The process backend (husk --backend=process): the same images as a
# seccomp-confined process, measured natively, on the host, as systems
# husk_process (jailed, as users run it) and husk_process_nojail.
# bench/stage sets BENCH_PROCESS=1 on the host; the test VM measures KVM.
have_process() { [ "${BENCH_PROCESS:-0}" = 1 ]; }
husk_process=("$husk" --backend=process)

# The sandbox baseline: the command under bubblewrap with every namespace
# new (user, pid, net, ipc, uts, cgroup, mount) and only the program's
# directory in its file system.
bwrap_cmd=(bwrap --unshare-all --die-with-parent --ro-bind "$bin" /b)

# microvm_cmd ACCEL [sleep]: the Linux microVM baseline's qemu command in
# the array microvm (ACCEL kvm or tcg; the initramfs is microvm_initrd,
# default initrd.gz). Debian's cloud kernel, booted
# uncompressed through its PVH entry (no firmware, no decompression: the
# fastest way qemu boots it), an initramfs with the same static program,
# serial console only, no devices; the kernel parameters skip what a tuned
# microVM skips (mitigations, self-tests, TSC checks), and reboot=t with
# -no-reboot ends qemu when /init reboots after the program exits.
# Under TCG the kernel's TSC calibration against the emulated PIT fails
# now and then on a busy machine (and boot then hangs): TCG's TSC is the
# host's, so it is given the host's frequency instead.
microvm_cmd() {
    local accel=$1 cpu=max init_arg=${2:-} extra= initrd=${microvm_initrd:-initrd.gz}
    if [ "$accel" = kvm ]; then
        cpu=host
    else
        extra=$(awk -F: '/^cpu MHz/ { printf "tsc_early_khz=%d", $2 * 1000; exit }' /proc/cpuinfo)
    fi
    microvm=(qemu-system-x86_64 -M microvm -accel "$accel" -cpu "$cpu"
        -m 128M -smp 1 -nographic -nodefaults -no-reboot -serial stdio
        -kernel "$bin/microvm/vmlinux" -initrd "$bin/microvm/$initrd"
        -append "console=ttyS0 quiet loglevel=0 reboot=t panic=-1 mitigations=off tsc=reliable no_timer_check cryptomgr.notests nowatchdog audit=0 $extra -- $init_arg")
}

# microvm_net_cmd ACCEL TAP INIT_ARGS: the same microVM for bench/net, in
# the array microvm: the network initramfs (bench/microvm_net_init.c says
# what INIT_ARGS are) and one virtio-net device (virtio-mmio: the microvm
# machine has no PCI) on the existing tap TAP, without qemu's
# scripts: the caller made the tap, in a namespace of its own.
microvm_net_cmd() {
    local microvm_initrd=initrd-net.gz # seen by microvm_cmd
    microvm_cmd "$1" "$3"
    microvm+=(-netdev "tap,id=n0,ifname=$2,script=no,downscript=no"
        -device virtio-net-device,netdev=n0)
}

# microvm_boots ACCEL SECONDS: does the microVM print its first output
# within SECONDS here? Says why not on stdout when it does not. The answer
# is kept in BENCH_PROBES (a directory bench/stage makes), so that the
# suites of one stage try each accelerator once.
microvm_boots() {
    local out why= cache=${BENCH_PROBES:+$BENCH_PROBES/microvm_$1}
    if [ -n "$cache" ] && [ -f "$cache" ]; then
        why=$(cat "$cache")
    else
        microvm_cmd "$1"
        out=$(timeout -k 2 "$2" "${microvm[@]}" </dev/null 2>&1 | head -c 4000 || true)
        case $out in
        *"hello, world"*) ;;
        *"Could not access KVM"* | *"failed to initialize kvm"*) why="no /dev/kvm here" ;;
        "") why="no output within $2 s" ;;
        *) why="no output from the program within $2 s" ;;
        esac
        [ -z "$cache" ] || echo "$why" >"$cache"
    fi
    [ -z "$why" ] || { echo "$why"; return 1; }
}
