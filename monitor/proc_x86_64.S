/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * proc_x86_64.S: the process backend's two doors between guest code and
 * the monitor, which share one thread (proc.c says why).
 *
 * husk_proc_hypercall is what the guest calls for a hypercall (its address
 * is in the boot information): void (uint64_t nr, uint64_t arg_gpa). It
 * leaves the guest's stack for the monitor's (the guest's may be small,
 * or not a stack at all), clears the direction flag the C code relies on,
 * and calls husk_proc_call, which switches %fs and serves the call. Only
 * the guest's callee-saved registers survive, as for any call.
 *
 * husk_proc_enter starts the guest: never returns.
 */
        .text
        .globl husk_proc_hypercall
        .type husk_proc_hypercall, @function
husk_proc_hypercall:
        mov %rsp, %rax
        mov husk_proc_stack_top(%rip), %rsp
        push %rax               /* the guest's %rsp, 16-byte aligned below */
        sub $8, %rsp
        cld
        call husk_proc_call     /* returns only when the guest resumes */
        add $8, %rsp
        pop %rsp
        ret
        .size husk_proc_hypercall, . - husk_proc_hypercall

/* void husk_proc_enter(uint64_t entry, uint64_t rsp, uint64_t bootinfo) */
        .globl husk_proc_enter
        .type husk_proc_enter, @function
husk_proc_enter:
        mov %rsi, %rsp
        mov %rdi, %rax
        mov %rdx, %rdi
        /* As under KVM: nothing of the monitor's in the registers. */
        xor %ebx, %ebx
        xor %ecx, %ecx
        xor %edx, %edx
        xor %esi, %esi
        xor %ebp, %ebp
        xor %r8d, %r8d
        xor %r9d, %r9d
        xor %r10d, %r10d
        xor %r11d, %r11d
        xor %r12d, %r12d
        xor %r13d, %r13d
        xor %r14d, %r14d
        xor %r15d, %r15d
        jmp *%rax
        .size husk_proc_enter, . - husk_proc_enter

/*
 * void husk_proc_on_stack(void (*fn)(void *), void *arg, uintptr_t top):
 * call fn(arg) on the stack that ends at top; fn never returns. The
 * signal handlers report from the monitor's own stack rather than the
 * signal stack: the ASan runtime looks up the bounds of any stack it
 * does not know in /proc, which the filter no longer allows.
 */
        .globl husk_proc_on_stack
        .type husk_proc_on_stack, @function
husk_proc_on_stack:
        mov %rdx, %rsp
        mov %rdi, %rax
        mov %rsi, %rdi
        call *%rax
        ud2
        .size husk_proc_on_stack, . - husk_proc_on_stack

/*
 * void husk_proc_call_on_stack(void (*fn)(void *), void *arg, uintptr_t
 * top): the same, for an fn that may return (or jump away).
 */
        .globl husk_proc_call_on_stack
        .type husk_proc_call_on_stack, @function
husk_proc_call_on_stack:
        push %rbp
        mov %rsp, %rbp
        mov %rdx, %rsp
        mov %rdi, %rax
        mov %rsi, %rdi
        call *%rax
        mov %rbp, %rsp
        pop %rbp
        ret
        .size husk_proc_call_on_stack, . - husk_proc_call_on_stack

        .section .note.GNU-stack, "", @progbits
