/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * syscall_entry.S: where musl's patched assembly goes instead of the
 * `syscall` instruction. In: the Linux syscall registers (%rax = number,
 * %rdi, %rsi, %rdx, %r10, %r8, %r9). Out: %rax. Clobbers what a C call
 * may. The callers do not keep the stack 16-byte aligned, so realign it.
 */
        .text
        .globl __husk_syscall_entry
        .type __husk_syscall_entry, @function
__husk_syscall_entry:
        push %rbp
        mov %rsp, %rbp
        and $-16, %rsp
        mov %r10, %rcx          /* 4th argument: C uses %rcx */
        sub $8, %rsp            /* keep alignment across the push below */
        push %rax               /* 7th C argument: the number */
        call __husk_syscall7
        leave
        ret
        .size __husk_syscall_entry, . - __husk_syscall_entry

        .section .note.GNU-stack, "", @progbits
