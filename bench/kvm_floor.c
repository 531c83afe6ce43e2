/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * kvm_floor.c: the minimal-KVM floor. Create a VM with one page of memory
 * and one vCPU, run a single HLT in real mode, exit. Nothing else: any
 * monitor that runs a guest pays at least this.
 *
 * `kvm_floor N` is the floor of a hypercall instead: the guest stores to
 * an address outside its memory slot in a loop (an MMIO exit, the kind of
 * exit a Husk hypercall is) and the program runs N of those exits, then
 * prints "ns_per_exit X": the raw exit round trip, guest to user space and
 * back, with no dispatch at all.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

/* Real mode: 1: mov %al, (0x1000); jmp 1b. 0x1000 is past the one-page
 * slot, so every store exits as KVM_EXIT_MMIO. */
static const unsigned char store_loop[] = {0xa2, 0x00, 0x10, 0xeb, 0xfb};

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char *argv[])
{
    long exits = argc > 1 ? atol(argv[1]) : 0;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) {
        perror("kvm_floor: /dev/kvm");
        return 1;
    }
    unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (exits > 0)
        memcpy(mem, store_loop, sizeof(store_loop));
    else
        mem[0] = 0xf4; /* hlt */
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = 4096,
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
    if (exits > 0) {
        double t0 = now_ns();
        for (long i = 0; i < exits; i++)
            if (ioctl(vcpu, KVM_RUN, 0) < 0 ||
                run->exit_reason != KVM_EXIT_MMIO) {
                fprintf(stderr, "kvm_floor: expected MMIO, got exit %u\n",
                        run->exit_reason);
                return 1;
            }
        printf("ns_per_exit %.0f\n", (now_ns() - t0) / (double)exits);
        return 0;
    }
    if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_HLT) {
        fprintf(stderr, "kvm_floor: expected HLT, got exit %u\n",
                run->exit_reason);
        return 1;
    }
    return 0;
}
