/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * kvm_floor.c: the minimal-KVM floor. Create a VM with one page of memory
 * and one vCPU, run a single HLT in real mode, exit. Nothing else: any
 * monitor that runs a guest pays at least this.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

int main(void)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) {
        perror("kvm_floor: /dev/kvm");
        return 1;
    }
    unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    mem[0] = 0xf4; /* hlt */
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = 4096,
        .userspace_addr = (unsigned long)mem,
    };
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 || vcpu < 0 ||
        size <= 0) {
        perror("kvm_floor: set-up");
        return 1;
    }
    struct kvm_run *run =
        mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    struct kvm_sregs sregs;
    ioctl(vcpu, KVM_GET_SREGS, &sregs);
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    ioctl(vcpu, KVM_SET_SREGS, &sregs);
    struct kvm_regs regs = {.rip = 0, .rflags = 2};
    ioctl(vcpu, KVM_SET_REGS, &regs);
    if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_HLT) {
        fprintf(stderr, "kvm_floor: expected HLT, got exit %u\n",
                run->exit_reason);
        return 1;
    }
    return 0;
}
