#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# tests/vm/init.sh: /init of the test VM's initramfs (see run-in-vm.sh).
# Loads KVM (nested, on QEMU's emulated SVM) and 9p, mounts the host's
# root read-only over 9p with fresh /proc, /sys, /dev, /tmp and /run, the
# shared directory read-write at its own path, runs the command file from
# the host's run directory inside it and reports its exit status both on
# the console (a marker line) and in the run directory. Never returns:
# PID 1 exiting would panic the kernel, so every path ends in poweroff.
/bin/busybox mkdir -p /bin /proc /sys /dev /tmp /host /husk
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
# Output bytes as they are: no \n -> \r\n on the serial line.
stty -opost </dev/console 2>/dev/null || echo "husk-vm: stty -opost failed"

arg() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
tag=$(arg husk_tag)
share=$(arg husk_share)
amd_opts=$(arg husk_kvm_amd | tr , ' ')
debug=$(arg husk_debug)
step() { [ -z "$debug" ] || echo "husk-vm: $(cut -d' ' -f1 /proc/uptime) s: $*"; }
step "init started"

finish() { # STATUS [WHY]: report and power off
    [ -n "${2:-}" ] && echo "husk-vm: $2"
    echo "$1" >/husk/status 2>/dev/null
    printf '\nHUSK-VM-EXIT-%s=%s\n' "$tag" "$1"
    sync
    step "powering off"
    poweroff -f
    sleep 10
}

while read -r m; do
    case $m in
    */kvm-amd.ko) opts=$amd_opts ;;
    *) opts= ;;
    esac
    # shellcheck disable=SC2086 # module parameters are words
    insmod "/$m" $opts 2>/dev/null || echo "husk-vm: insmod $m $opts failed"
    step "insmod ${m##*/}"
done </modules.list

mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none husk /husk ||
    finish 125 "cannot mount the run directory (9p)"
if [ ! -c /dev/kvm ] && [ -e /sys/class/misc/kvm/dev ]; then
    mknod /dev/kvm c "$(cut -d: -f1 /sys/class/misc/kvm/dev)" \
        "$(cut -d: -f2 /sys/class/misc/kvm/dev)"
fi
if [ ! -c /dev/kvm ]; then
    dmesg | grep -i -E 'kvm|svm' | grep -v husk_ | tail -4 | sed 's/^/husk-vm: dmesg: /'
    finish 125 "/dev/kvm did not appear in the test VM"
fi
grep -o -w -E 'svm|npt' /proc/cpuinfo | sort -u | tr '\n' ' ' >/husk/cpu
dmesg >/husk/dmesg 2>/dev/null

mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host ||
    finish 125 "cannot mount the host's root (9p)"
for fs in proc:/proc sysfs:/sys devtmpfs:/dev tmpfs:/tmp tmpfs:/run \
    devpts:/dev/pts tmpfs:/dev/shm; do
    mkdir -p "/host${fs#*:}" 2>/dev/null
    mount -t "${fs%%:*}" "${fs%%:*}" "/host${fs#*:}" ||
        finish 125 "cannot mount ${fs#*:}"
done
chmod 1777 /host/tmp /host/dev/shm
# What udev adds on a Debian system: bash's <(...) needs /dev/fd.
for f in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 \
    stderr:/proc/self/fd/2; do
    [ -e "/host/dev/${f%%:*}" ] || ln -s "${f#*:}" "/host/dev/${f%%:*}"
done
mkdir -p /host/run/husk-vm
mount --bind /husk /host/run/husk-vm || finish 125 "cannot bind the run directory"
if [ -n "$share" ]; then
    mkdir -p "/host$share" 2>/dev/null  # under the fresh /tmp, say
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap share "/host$share" ||
        finish 125 "cannot mount $share (9p)"
fi

# The host's root goes on top of the initramfs's "/" rather than being
# chroot'ed into: the kernel refuses user namespaces to a process in a
# chroot (CLONE_NEWUSER: EPERM), and husk's jail uses one when it runs
# unprivileged, and so does bubblewrap (bench/). We (PID 1) keep seeing the initramfs: our root is its
# root directory, under the moved mount; the command's root is the mount.
cd /host && mount --move . / || finish 125 "cannot move the host's root onto /"
step "mounted"
echo "HUSK-VM-START-$tag"
chroot . /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash /run/husk-vm/cmd.sh </dev/null
finish $?
