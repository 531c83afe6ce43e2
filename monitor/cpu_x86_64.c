/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * cpu_x86_64.c: put the vCPU straight into 64-bit long mode at CPL3.
 *
 * The guest never runs at CPL0: on kvm-pvm hosts CPL0 code is emulated
 * (slow, and SSE there fails), and on hardware KVM nothing is lost. So the
 * monitor builds all privileged state itself: identity page tables with
 * the user bit on guest memory and supervisor-only pages for its own
 * structures, a GDT with ring-3 segments, a TSS, and an IDT whose gates
 * lead to a ring-3 stub that reports the exception (trap_x86_64.c).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <x86intrin.h>

#include "husk.h"

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_PS 0x80ULL /* 2 MiB page in a page directory */

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_OSXSAVE (1ULL << 18)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

/* GDT selectors; user selectors carry RPL 3. */
#define SEL_USER_DATA (0x18 | 3)
#define SEL_USER_CODE (0x20 | 3)
#define SEL_TSS 0x28
#define GDT_ENTRIES 7
#define TSS_SIZE 104

#define GIB (1ULL << 30)
#define MIB2 (2ULL << 20)

static uint64_t *table_at(struct husk_vm *vm, uint64_t gpa)
{
    return (uint64_t *)(vm->mem + gpa);
}

static void setup_page_tables(struct husk_vm *vm)
{
    uint64_t *pml4 = table_at(vm, HUSK_PML4_GPA);
    uint64_t *pdpt = table_at(vm, HUSK_PDPT_GPA);
    uint64_t *pt0 = table_at(vm, HUSK_PT0_GPA);
    const uint64_t user = PTE_P | PTE_RW | PTE_US;

    pml4[0] = HUSK_PDPT_GPA | user;
    uint64_t gibs = (vm->mem_size + GIB - 1) / GIB;
    for (uint64_t g = 0; g < gibs; g++)
        pdpt[g] = (HUSK_PD_GPA + g * HUSK_PAGE_SIZE) | user;

    /* 2 MiB pages for all memory above the first 2 MiB. */
    for (uint64_t gpa = MIB2; gpa < vm->mem_size; gpa += MIB2) {
        uint64_t *pd = table_at(vm, HUSK_PD_GPA + (gpa / GIB) * HUSK_PAGE_SIZE);
        pd[(gpa % GIB) / MIB2] = gpa | user | PTE_PS;
    }

    /* The first 2 MiB in 4 KiB pages: page 0 absent (null pointers fault),
     * the monitor's structures supervisor-only, boot info and the image
     * user-accessible, the gap between them absent. */
    table_at(vm, HUSK_PD_GPA)[0] = HUSK_PT0_GPA | user;
    for (uint64_t gpa = HUSK_PAGE_SIZE; gpa < MIB2; gpa += HUSK_PAGE_SIZE) {
        uint64_t pte = 0;
        if (gpa < HUSK_BOOT_GPA)
            pte = gpa | PTE_P | PTE_RW;
        else if (gpa == HUSK_TRAP_CODE_GPA)
            pte = gpa | PTE_P | PTE_US; /* the monitor's stub: read-only */
        else if (gpa < HUSK_BOOT_END || gpa >= HUSK_LOAD_MIN)
            pte = gpa | user;
        pt0[gpa / HUSK_PAGE_SIZE] = pte;
    }

    /* The 2 MiB that start at the hypercall page, so that a store anywhere
     * in it exits to the monitor (and is checked there), never faults. */
    pdpt[HUSK_HC_BASE / GIB] = HUSK_PD_HC_GPA | user;
    table_at(vm, HUSK_PD_HC_GPA)[0] = HUSK_HC_BASE | user | PTE_PS;
}

static uint64_t segment_descriptor(uint64_t access, uint64_t flags)
{
    /* base 0, limit 0xfffff; access byte at bit 40, flags nibble at 52 */
    return 0xffffULL | (0xfULL << 48) | (access << 40) | (flags << 52);
}

static void setup_gdt(struct husk_vm *vm)
{
    uint64_t *gdt = table_at(vm, HUSK_GDT_GPA);
    gdt[0] = 0;
    gdt[1] = segment_descriptor(0x9a, 0xa); /* kernel code: unused */
    gdt[2] = segment_descriptor(0x92, 0xc); /* kernel data: unused */
    gdt[3] = segment_descriptor(0xf2, 0xc); /* user data, DPL 3 */
    gdt[4] = segment_descriptor(0xfa, 0xa); /* user code, DPL 3, 64-bit */
    /* 64-bit TSS (busy), 16 bytes. Entry checks on hardware need a valid
     * TR even though nothing ever switches stacks through it. */
    uint64_t base = HUSK_TSS_GPA, limit = TSS_SIZE - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x8bULL << 40) |
             ((base >> 24) & 0xff) << 56;
    gdt[6] = base >> 32;
    /* I/O map base past the limit: no port is allowed at CPL3. */
    uint16_t iomap = TSS_SIZE;
    memcpy(vm->mem + HUSK_TSS_GPA + 102, &iomap, sizeof(iomap));
}

static struct kvm_cpuid2 *supported_cpuid(struct husk_vm *vm)
{
    for (unsigned n = 256; n <= 4096;
         n *= 2) { /* 256: no retry on today's CPUs */
        struct kvm_cpuid2 *c =
            calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
        if (c == NULL)
            husk_fatal(HUSK_EXIT_MONITOR, "out of memory");
        c->nent = n;
        if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
            return c;
        free(c);
    }
    husk_fatal(HUSK_EXIT_MONITOR, "KVM_GET_SUPPORTED_CPUID");
}

static const struct kvm_cpuid_entry2 *cpuid_leaf(const struct kvm_cpuid2 *c,
                                                 uint32_t function,
                                                 uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++)
        if (c->entries[i].function == function && c->entries[i].index == index)
            return &c->entries[i];
    return NULL;
}

/* Give the guest the host's supported CPUID; returns CR4 bits and sets
 * XCR0 to match what it offers. */
static uint64_t setup_cpuid(struct husk_vm *vm)
{
    struct kvm_cpuid2 *c = supported_cpuid(vm);
    if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_CPUID2");

    const struct kvm_cpuid_entry2 *l1 = cpuid_leaf(c, 1, 0);
    const struct kvm_cpuid_entry2 *l7 = cpuid_leaf(c, 7, 0);
    const struct kvm_cpuid_entry2 *ld = cpuid_leaf(c, 0xd, 0);
    if (l7 == NULL || !(l7->ebx & 1))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "this CPU lacks FSGSBASE, which Husk guests need for TLS");
    uint64_t cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE;
    vm->features = 0;
    if (l1 != NULL && (l1->ecx & (1U << 30)))
        vm->features |= HUSK_FEATURE_RDRAND;
    if (l7->ebx & (1U << 18))
        vm->features |= HUSK_FEATURE_RDSEED;

    if (l1 != NULL && (l1->ecx & (1U << 26)) && ld != NULL) {
        /* XSAVE: enable x87, SSE, and AVX / AVX-512 state if offered. */
        uint64_t xcr0 = 0x3 | (ld->eax & 0x4);
        if ((xcr0 & 0x4) && (ld->eax & 0xe0) == 0xe0)
            xcr0 |= 0xe0;
        cr4 |= CR4_OSXSAVE;
        struct kvm_xcrs xcrs = {.nr_xcrs = 1};
        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = xcr0;
        if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
            husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_XCRS");
    }
    free(c);
    return cr4;
}

static uint64_t guest_tsc_hz(struct husk_vm *vm)
{
    int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    if (khz > 0)
        return (uint64_t)khz * 1000;
    /* Older KVM: the guest TSC ticks with the host's; measure that. */
    struct timespec t0, t1, pause = {0, 10 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
    uint64_t c0 = __rdtsc();
    nanosleep(&pause, NULL);
    uint64_t c1 = __rdtsc();
    clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
    uint64_t ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ULL +
                  (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
    return (c1 - c0) * 1000000000ULL / ns;
}

static void setup_sregs(struct husk_vm *vm, uint64_t cr4)
{
    struct kvm_sregs s;
    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_GET_SREGS");
    struct kvm_segment code = {
        .base = 0,
        .limit = 0xffffffff,
        .selector = SEL_USER_CODE,
        .type = 11,
        .present = 1,
        .dpl = 3,
        .db = 0,
        .s = 1,
        .l = 1,
        .g = 1,
    };
    struct kvm_segment data = {
        .base = 0,
        .limit = 0xffffffff,
        .selector = SEL_USER_DATA,
        .type = 3,
        .present = 1,
        .dpl = 3,
        .db = 1,
        .s = 1,
        .l = 0,
        .g = 1,
    };
    struct kvm_segment tr = {
        .base = HUSK_TSS_GPA,
        .limit = TSS_SIZE - 1,
        .selector = SEL_TSS,
        .type = 11,
        .present = 1,
        .dpl = 0,
        .s = 0,
    };
    struct kvm_segment ldt = {.type = 2, .present = 0, .unusable = 1};
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = tr;
    s.ldt = ldt;
    s.gdt.base = HUSK_GDT_GPA;
    s.gdt.limit = GDT_ENTRIES * 8 - 1;
    s.idt.base = HUSK_IDT_GPA;
    s.idt.limit = 32 * 16 - 1; /* the exceptions (trap_x86_64.c) */
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    s.cr3 = HUSK_PML4_GPA;
    s.cr4 = cr4;
    s.efer = EFER_LME | EFER_LMA;
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_SREGS (long mode at CPL3)");
}

/* The FPU and the registers the guest starts with. */
static void enter_at(struct husk_vm *vm, uint64_t entry, uint64_t bootinfo_gpa)
{
    struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};
    if (ioctl(vm->vcpu_fd, KVM_SET_FPU, &fpu) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_FPU");

    struct kvm_regs regs = {
        .rip = entry,
        .rsp = vm->mem_size, /* 16-byte aligned top of memory */
        .rdi = bootinfo_gpa,
        .rflags = 0x2, /* IF = 0, IOPL = 0: no interrupts, no port I/O */
    };
    if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_REGS");
}

void husk_cpu_setup(struct husk_vm *vm, uint64_t entry, uint64_t bootinfo_gpa)
{
    setup_page_tables(vm);
    setup_gdt(vm);
    husk_trap_setup(vm, SEL_USER_CODE);
    uint64_t cr4 = setup_cpuid(vm);
    setup_sregs(vm, cr4);
    enter_at(vm, entry, bootinfo_gpa);
    vm->tsc_hz = guest_tsc_hz(vm);
}

void husk_cpu_restart(struct husk_vm *vm)
{
    /* An MMIO exit is complete only once KVM_RUN is entered again
     * (Documentation/virt/kvm/api.rst, KVM_EXIT_MMIO): with immediate_exit
     * that run finishes it and returns EINTR before any guest
     * instruction. A stop signal that comes meanwhile stays pending (the
     * stop signals are blocked outside KVM_RUN) and ends the next run; one
     * whose handler ran during the call left immediate_exit set, and it
     * stays set. */
    uint8_t stopping = vm->run->immediate_exit;
    vm->run->immediate_exit = 1;
    int rc = ioctl(vm->vcpu_fd, KVM_RUN, 0);
    int err = errno;
    vm->run->immediate_exit = stopping;
    if (rc == 0 || (err != EINTR && err != EAGAIN)) {
        errno = rc == 0 ? EINVAL : err;
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_RUN (to finish a call before a "
                                      "restart)");
    }
    enter_at(vm, vm->entry, HUSK_BOOT_GPA);
}
