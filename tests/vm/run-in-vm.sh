#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/vm/run-in-vm.sh [--timeout S] DIR -- COMMAND...: run COMMAND in DIR
# inside a QEMU virtual machine that has /dev/kvm, for hosts that have
# none. QEMU emulates the CPU (TCG), including AMD's SVM, so Debian's
# kernel loads kvm-amd inside it and our monitor runs on a real (nested)
# KVM. The VM sees the host's root file system read-only (9p) with its
# own /tmp; COMMAND's output comes back on the serial console and its exit
# status becomes ours (124 on timeout, 125 if the VM could not start).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout=1800
mem=2048
while [ $# -gt 0 ]; do
    case $1 in
    --timeout) timeout=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] && [ "$2" = "--" ] || {
    echo "usage: run-in-vm.sh [--timeout S] [--mem MiB] DIR -- COMMAND..." >&2
    exit 2
}
dir=$(cd "$1" && pwd)
shift 2
cache=${HUSK_VM_CACHE:-$repo/build/vm}
mkdir -p "$cache"

bash "$repo/scripts/setup-host.sh" qemu-system-x86 cpio >&2

# Debian's generic kernel: it has kvm-amd and 9p as modules.
kver=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -1)
[ -n "$kver" ] || { echo "run-in-vm: cannot find Debian's kernel package" >&2; exit 125; }
kdir=$cache/kernel-$kver
if [ ! -f "$kdir/boot/vmlinuz-$kver" ]; then
    echo "run-in-vm: fetching linux-image-$kver" >&2
    rm -rf "$kdir" "$cache/dl"
    mkdir -p "$cache/dl"
    (cd "$cache/dl" && apt-get download -q "linux-image-$kver" busybox-static 2>&1 |
        grep -v unsandboxed >&2 || true)
    for deb in "$cache"/dl/*.deb; do dpkg-deb -x "$deb" "$kdir"; done
    rm -rf "$cache/dl"
fi

# The initramfs: busybox, the modules KVM and 9p need (in load order), init.
initrd=$cache/initrd-$kver.cpio.gz
if [ ! -f "$initrd" ] || [ "$here/init.sh" -nt "$initrd" ]; then
    root=$cache/initrd-root
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
    cp "$kdir/bin/busybox" "$root/bin/busybox"
    install -m 755 "$here/init.sh" "$root/init"
    mdir=lib/modules/$kver/kernel
    : >"$root/modules.list"
    for m in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp \
        arch/x86/kvm/kvm-amd drivers/virtio/virtio_ring drivers/virtio/virtio \
        drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev \
        drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio \
        fs/netfs/netfs fs/fscache/fscache fs/9p/9p; do
        mkdir -p "$root/$mdir/$(dirname "$m")"
        cp "$kdir/$mdir/$m.ko" "$root/$mdir/$m.ko"
        echo "$mdir/$m.ko" >>"$root/modules.list"
    done
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"
fi

# The command, as a script the VM runs from the shared root.
run=$(mktemp -d "$cache/run.XXXXXX")
trap '[ -n "${HUSK_VM_KEEP:-}" ] || rm -rf "$run"; [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null' EXIT
{
    printf 'cd %q || exit 125\n' "$dir"
    printf '%q ' "$@"
    echo
} >"$run/cmd.sh"

qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
    -nographic -no-reboot -nodefaults -serial stdio \
    -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$initrd" \
    -append "console=ttyS0 quiet loglevel=0 panic=-1 husk_cmd=$run/cmd.sh" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    </dev/null >"$run/console" 2>&1 &
qpid=$!
timed_out=no
for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$qpid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$qpid" 2>/dev/null; then
    kill "$qpid"
    timed_out=yes
    echo "run-in-vm: timed out after $timeout s" >&2
fi
wait "$qpid" 2>/dev/null || true
qpid=
# What the command printed: between the markers, without the firmware's
# and the kernel's noise.
tr -d '\r' <"$run/console" |
    sed -n '/HUSK-VM-START$/,/^HUSK-VM-EXIT=/p' | sed '1d;/^HUSK-VM-EXIT=/d'
tr -d '\r' <"$run/console" | grep '^husk-vm: ' >&2 || true
code=$(tr -d '\r' <"$run/console" | sed -n 's/^HUSK-VM-EXIT=\([0-9]*\)$/\1/p' | tail -1)
if [ -n "$code" ]; then
    status=$code
elif [ $timed_out = yes ]; then
    status=124
else
    echo "run-in-vm: the VM stopped without reporting a status; its console:" >&2
    tr -d '\r' <"$run/console" | tail -20 >&2
    status=125
fi
exit "$status"
