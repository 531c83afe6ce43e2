#!/bin/busybox sh
# tests/vm/init.sh: /init of the test VM's initramfs. Loads KVM (nested,
# on QEMU's emulated SVM), mounts the host's root read-only over 9p with
# fresh /proc, /sys, /dev and /tmp, runs the command file named on the
# kernel command line inside it, and reports its status on the console.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do
    insmod "/$m" 2>/dev/null || echo "husk-vm: insmod $m failed"
done
cmd=$(sed -n 's/.*husk_cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ ! -e /dev/kvm ]; then
    echo "husk-vm: /dev/kvm did not appear in the test VM"
    dmesg | grep -i -E 'kvm|svm' | tail -5
    echo "HUSK-VM-EXIT=125"
    poweroff -f
fi
mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host ||
    { echo "husk-vm: cannot mount the host's root"; echo "HUSK-VM-EXIT=125"; poweroff -f; }
for fs in proc:proc sysfs:sys devtmpfs:dev tmpfs:tmp; do
    mount -t "${fs%%:*}" "${fs%%:*}" "/host/${fs#*:}" ||
        echo "husk-vm: cannot mount /${fs#*:}"
done
echo "HUSK-VM-START"
chroot /host /bin/bash "$cmd"
echo "HUSK-VM-EXIT=$?"
poweroff -f
