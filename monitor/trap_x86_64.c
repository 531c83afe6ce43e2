/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * trap_x86_64.c: crash reports that name the fault. Without an IDT a
 * guest exception is a triple fault, and on AMD SVM KVM resets the vCPU
 * then: the report would have no registers. So the monitor gives the
 * guest an IDT whose 32 exception gates lead to a stub of its own, at
 * CPL3 like everything else (a same-privilege delivery: no CPL0 code
 * runs, which matters on kvm-pvm). The CPU pushes the interrupted RIP,
 * RSP and RFLAGS on a dedicated stack (IST1); the stub adds the vector
 * and the error code and makes the fault hypercall with the frame's
 * address. The monitor then reads CR2 and the registers, which are intact
 * (the vCPU only made a hypercall), and stops the guest with 139.
 *
 * The stub page is read-only to the guest and the IDT and TSS are
 * supervisor pages; the exception stack is guest memory, and a guest can
 * make the fault hypercall itself: either way it only forges its own
 * crash report. If delivery itself fails (the CPU cannot push the frame),
 * the fault still ends as a triple fault, reported as before.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "husk.h"

#define VECTORS 32
#define SLOT 16 /* bytes of stub code per vector */
#define COMMON_OFFSET (VECTORS * SLOT)
/* Vectors for which the CPU pushes an error code. */
#define ERROR_CODE_VECTORS                                           \
    ((1U << 8) | (1U << 10) | (1U << 11) | (1U << 12) | (1U << 13) | \
     (1U << 14) | (1U << 17) | (1U << 21) | (1U << 29) | (1U << 30))

static void write_stubs(uint8_t *code)
{
    memset(code, 0xcc, HUSK_PAGE_SIZE);
    for (unsigned v = 0; v < VECTORS; v++) {
        uint8_t *p = code + v * SLOT;
        if (!(ERROR_CODE_VECTORS & (1U << v))) {
            *p++ = 0x6a, *p++ = 0; /* push $0: no error code */
        }
        *p++ = 0x6a, *p++ = (uint8_t)v; /* push $vector */
        *p++ = 0xe9;                    /* jmp common */
        int32_t rel = (int32_t)(COMMON_OFFSET - (p + 4 - code));
        memcpy(p, &rel, sizeof(rel));
    }
    uint8_t *p = code + COMMON_OFFSET;
    *p++ = 0x50; /* push %rax: the frame is now struct husk_hc_fault */
    *p++ = 0x48, *p++ = 0xb8; /* movabs $slot, %rax */
    uint64_t slot = HUSK_HC_BASE + 8ULL * HUSK_HC_FAULT;
    memcpy(p, &slot, sizeof(slot));
    p += sizeof(slot);
    *p++ = 0x48, *p++ = 0x89, *p++ = 0x20; /* mov %rsp, (%rax) */
    *p++ = 0x0f, *p++ = 0x0b;              /* ud2: never resumed */
}

void husk_trap_setup(struct husk_vm *vm, uint16_t code_selector)
{
    write_stubs(vm->mem + HUSK_TRAP_CODE_GPA);
    uint64_t *idt = (uint64_t *)(vm->mem + HUSK_IDT_GPA);
    for (unsigned v = 0; v < VECTORS; v++) {
        uint64_t target = HUSK_TRAP_CODE_GPA + v * SLOT;
        /* A present 64-bit interrupt gate, DPL 0 (so `int $v` from the
         * guest is a #GP, reported too), IST 1. */
        idt[2 * v] = (target & 0xffff) | ((uint64_t)code_selector << 16) |
                     (1ULL << 32) | (0x8eULL << 40) |
                     ((target >> 16) & 0xffff) << 48;
        idt[2 * v + 1] = target >> 32;
    }
    /* TSS.IST1: the top of the exception stack. */
    uint64_t ist1 = HUSK_TRAP_STACK_TOP;
    memcpy(vm->mem + HUSK_TSS_GPA + 36, &ist1, sizeof(ist1));
}

static const char *vector_name(uint64_t v)
{
    static const char *const names[VECTORS] = {
        [0] = "divide error (#DE)",
        [1] = "debug exception (#DB)",
        [2] = "NMI",
        [3] = "breakpoint (#BP, int3)",
        [4] = "overflow (#OF)",
        [5] = "bound range exceeded (#BR)",
        [6] = "invalid opcode (#UD)",
        [7] = "device not available (#NM)",
        [8] = "double fault (#DF)",
        [10] = "invalid TSS (#TS)",
        [11] = "segment not present (#NP)",
        [12] = "stack fault (#SS)",
        [13] = "general protection fault (#GP: a privileged instruction, "
               "port I/O, or a non-canonical address)",
        [14] = "page fault (#PF)",
        [16] = "x87 floating-point error (#MF)",
        [17] = "alignment check (#AC)",
        [18] = "machine check (#MC)",
        [19] = "SIMD floating-point exception (#XM)",
        [21] = "control protection (#CP)",
    };
    return v < VECTORS && names[v] != NULL ? names[v] : "exception";
}

void husk_report_fault(uint64_t vector, uint64_t error, const char *where,
                       const struct kvm_regs *r, bool all_regs,
                       const struct kvm_sregs *s)
{
    char what[160];
    if (vector == 14 && s != NULL)
        snprintf(what, sizeof(what), ": a %s of address 0x%llx (%s)",
                 error & 0x10  ? "instruction fetch"
                 : error & 0x2 ? "write"
                               : "read",
                 (unsigned long long)s->cr2,
                 error & 0x1 ? "not allowed to the guest there"
                             : "nothing is mapped there");
    else if (error & 0x2 && (vector >= 10 && vector <= 13))
        /* A selector error code naming an IDT gate: the guest raised an
         * interrupt its gates do not allow from CPL3 (int3 and int N
         * here; nested SVM under QEMU TCG reports int3 against gate 6). */
        snprintf(what, sizeof(what), " (error code 0x%llx: IDT entry %llu)",
                 (unsigned long long)error,
                 (unsigned long long)(error >> 3) & 0x1fff);
    else if (error != 0)
        snprintf(what, sizeof(what), " (error code 0x%llx)",
                 (unsigned long long)error);
    else
        what[0] = '\0';
    /* The function, where the fault is in guest code and the image has
     * symbols (looked up now: start-up reads none of them). */
    char sym[128] = "";
    if (where == NULL)
        husk_symbolize(r->rip, sym, sizeof(sym));
    husk_errx("guest crashed: %s at rip=0x%llx%s%s%s%s", vector_name(vector),
              (unsigned long long)r->rip, sym, what, where ? ", " : "",
              where ? where : "");
    if (all_regs)
        husk_print_registers(r, s);
}

static enum husk_hc_result hc_fault(struct husk_vm *vm, void *arg)
{
    const struct husk_hc_fault *f = arg;
    struct kvm_regs r;
    struct kvm_sregs s;
    bool have_regs = ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) == 0;
    bool have_sregs = ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) == 0;
    if (!have_regs)
        memset(&r, 0, sizeof(r));
    /* rax, rip, rsp and rflags as they were at the fault: the frame; the
     * rest are untouched by the stub. */
    r.rax = f->rax, r.rip = f->rip, r.rsp = f->rsp, r.rflags = f->rflags;
    husk_report_fault(f->vector, f->error, NULL, &r, have_regs,
                      have_sregs ? &s : NULL);
    husk_core_dump(vm, &r, have_sregs ? &s : NULL,
                   husk_core_signal_of(f->vector));
    vm->exit_code = HUSK_EXIT_CRASH;
    vm->message[0] = '\0';
    return HUSK_HC_STOP;
}

void husk_trap_register(struct husk_vm *vm)
{
    if (husk_hc_register(vm, HUSK_HC_FAULT, "fault",
                         sizeof(struct husk_hc_fault), hc_fault) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: fault hypercall registration failed");
}
