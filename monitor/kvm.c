/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* kvm.c: pick the backend; open KVM, create the VM, its memory and its
 * one vCPU. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "husk.h"

/* Open /dev/kvm; returns -1 with errno set if it does not open. */
static int kvm_open(struct husk_vm *vm)
{
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0)
        return -1;
    int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        husk_fatalx(HUSK_EXIT_MONITOR, "/dev/kvm: API version %d, expected %d",
                    version, KVM_API_VERSION);
    return 0;
}

void husk_backend_open(struct husk_vm *vm)
{
    enum husk_backend want = vm->cfg->backend;
    if (want != HUSK_BACKEND_PROCESS) {
        if (kvm_open(vm) == 0) {
            vm->backend = HUSK_BACKEND_KVM;
            return;
        }
        /* auto falls back only where there is no KVM at all: a /dev/kvm
         * that this user may not open is a set-up to fix, not to hide. */
        char why[512];
        bool absent = husk_kvm_open_error(errno, why, sizeof(why));
        if (want == HUSK_BACKEND_KVM || !absent)
            husk_fatalx(HUSK_EXIT_MONITOR, "%s", why);
    }
    vm->backend = HUSK_BACKEND_PROCESS;
    husk_proc_open(vm);
}

void husk_vm_create(struct husk_vm *vm, uint64_t mem_size)
{
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_CREATE_VM");

    /* MAP_NORESERVE: a 1 GiB guest that touches 2 MiB costs 2 MiB. One
     * huge page more, cut off again, to start at a 2 MiB boundary, where
     * the guest's 2 MiB chunks may be huge pages (huge_pages.c). */
    size_t slack = HUSK_HUGE_PAGE;
    uint8_t *map = mmap(NULL, mem_size + slack, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot map %llu MiB of guest memory",
                   (unsigned long long)(mem_size >> 20));
    size_t head =
        (HUSK_HUGE_PAGE - (uintptr_t)map % HUSK_HUGE_PAGE) % HUSK_HUGE_PAGE;
    uint8_t *mem = map + head;
    if (head > 0)
        munmap(map, head);
    if (slack - head > 0)
        munmap(mem + mem_size, slack - head);
    /* Small pages, but for the image's big parts (huge_pages.c): with
     * transparent huge pages everywhere, the guest's first touch of its
     * page tables, image and stack faulted in whole 2 MiB pages (peak RSS
     * 3.7 MiB for hello, 1.7 MiB without; no measurable boot-time
     * difference). Failure is harmless: no THP, no effect. */
    madvise(mem, mem_size, MADV_NOHUGEPAGE);
    vm->mem = mem;
    vm->mem_size = mem_size;
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = mem_size,
        .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_USER_MEMORY_REGION");

    /* The guest spins (with pause) while the I/O thread serves it; with
     * one vCPU, pause-loop exiting only costs a trip into KVM for nothing
     * to yield to. Before the vCPU exists, as KVM requires; a KVM without
     * the capability keeps its pause exits, which is only slower. */
    int can = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_DISABLE_EXITS);
    if (can > 0 && (can & KVM_X86_DISABLE_EXITS_PAUSE)) {
        struct kvm_enable_cap cap = {
            .cap = KVM_CAP_X86_DISABLE_EXITS,
            .args = {KVM_X86_DISABLE_EXITS_PAUSE},
        };
        ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap);
    }

    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_CREATE_VCPU");
    int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run))
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_GET_VCPU_MMAP_SIZE");
    vm->run_size = (size_t)run_size;
    vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot map the vCPU run area");
}
