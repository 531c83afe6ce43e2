/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * clone_x86_64.S: the jail's split into supervisor and monitor without
 * copying the address space (jail.c says why).
 *
 * long husk_clone_vm(void (*parent_fn)(long child), uintptr_t parent_top,
 *                    unsigned long flags)
 * clone(flags) with the child on this very stack: the child returns 0
 * from here and goes on as the caller; the parent leaves this stack at
 * once, before it writes a byte of it, and runs parent_fn(child's pid) on
 * the stack that ends at parent_top, never to return. A failure returns
 * -errno to the caller. flags must hold CLONE_VM (the two share memory,
 * hence the parent's own stack) and must not hold CLONE_SETTLS: %r8,
 * clone's tls argument, carries parent_fn. Between the system call and
 * the switch the parent must take no signal with a handler, whose frame
 * would land on the child's stack: the jail calls this with the stop
 * signals blocked and no other handler installed yet.
 *
 * husk_sigreturn: the restorer of a signal handler installed by a raw
 * rt_sigaction (SA_RESTORER), as glibc's __restore_rt is for its own.
 */
        .text
        .globl husk_clone_vm
        .type husk_clone_vm, @function
husk_clone_vm:
        mov %rdi, %r8           /* parent_fn: clone ignores tls here */
        mov %rsi, %r9           /* parent_top: clone has no 6th argument */
        mov %rdx, %rdi          /* flags */
        xor %esi, %esi          /* newsp 0: the child keeps this stack */
        xor %edx, %edx          /* parent_tid */
        xor %r10d, %r10d        /* child_tid */
        mov $56, %eax           /* SYS_clone */
        syscall
        test %rax, %rax
        jg 1f
        ret                     /* the child (0), or -errno */
1:      mov %r9, %rsp
        mov %rax, %rdi
        call *%r8
        ud2
        .size husk_clone_vm, . - husk_clone_vm

        .globl husk_sigreturn
        .type husk_sigreturn, @function
husk_sigreturn:
        mov $15, %eax           /* SYS_rt_sigreturn */
        syscall
        ud2
        .size husk_sigreturn, . - husk_sigreturn

        .section .note.GNU-stack, "", @progbits
