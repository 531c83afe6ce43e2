/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * switch_x86_64.S: the context switch between libhusk's threads
 * (thread.c). A switch is a function call, so it saves only what the
 * System V ABI says a call preserves: %rbx, %rbp, %r12-%r15, the MXCSR
 * control bits and the x87 control word, all on the thread's own stack,
 * whose pointer goes to from->rsp. The thread pointer (FS base) is part
 * of the context: written here with wrfsbase where the guest may
 * (husk_switch_wrfsbase: under KVM, or a process backend on a host with
 * user FSGSBASE); elsewhere thread.c makes the set_tls call first.
 */
        .text
/* void husk_ctx_switch(struct husk_ctx *from, const struct husk_ctx *to) */
        .globl husk_ctx_switch
        .type husk_ctx_switch, @function
husk_ctx_switch:
        push %rbp
        push %rbx
        push %r12
        push %r13
        push %r14
        push %r15
        sub $8, %rsp
        stmxcsr (%rsp)
        fnstcw 4(%rsp)
        mov %rsp, (%rdi)        /* from->rsp */
        cmpl $0, husk_switch_wrfsbase(%rip)
        je 1f
        mov 8(%rsi), %rax       /* to->fs */
        wrfsbase %rax
1:      mov (%rsi), %rsp        /* to->rsp */
        ldmxcsr (%rsp)
        fldcw 4(%rsp)
        add $8, %rsp
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbx
        pop %rbp
        ret
        .size husk_ctx_switch, . - husk_ctx_switch

/*
 * A new thread's first switch returns here (thread.c builds the frame):
 * 8(%rsp) holds where clone's caller continues in the child, and above it
 * lies the stack clone was given. husk_thread_started finishes the switch
 * (what the thread before left to free); then the child "returns" from
 * clone with %rax = 0 on that stack, as from the syscall instruction.
 */
        .globl husk_thread_trampoline
        .type husk_thread_trampoline, @function
husk_thread_trampoline:
        mov %rsp, %rbx          /* clone's stack may have any alignment */
        and $-16, %rsp
        call husk_thread_started
        mov %rbx, %rsp
        xor %eax, %eax
        ret
        .size husk_thread_trampoline, . - husk_thread_trampoline

        .section .note.GNU-stack, "", @progbits
