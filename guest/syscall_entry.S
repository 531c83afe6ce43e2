/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * syscall_entry.S: what musl's patched assembly calls instead of the
 * `syscall` instruction (guest/musl/syscalls-as-calls.patch). It keeps the
 * instruction's contract, so the patch can be a one-word change per site:
 * in, the Linux syscall registers (%rax = number, %rdi, %rsi, %rdx, %r10,
 * %r8, %r9); out, %rax; only %rcx and %r11 are clobbered, as by the
 * instruction, so that no patched site has to care what a C call would
 * clobber. The callers do not keep the stack aligned, so it is realigned
 * for the C dispatcher. Where the caller's return address lies goes to
 * husk_syscall_slot (syscall.c): clone starts a thread there (musl's
 * clone.s), and a signal handler may move it (musl's cancellation).
 */
        .text
        .globl __husk_syscall_entry
        .type __husk_syscall_entry, @function
__husk_syscall_entry:
        push %rbp
        mov %rsp, %rbp
        lea 8(%rbp), %r11
        mov %r11, husk_syscall_slot(%rip)
        push %rdi
        push %rsi
        push %rdx
        push %r8
        push %r9
        push %r10
        and $-16, %rsp
        mov %r10, %rcx          /* 4th argument: C uses %rcx */
        sub $8, %rsp            /* keep alignment across the push below */
        push %rax               /* 7th C argument: the number */
        call __husk_syscall7
        lea -48(%rbp), %rsp
        pop %r10
        pop %r9
        pop %r8
        pop %rdx
        pop %rsi
        pop %rdi
        pop %rbp
        ret
        .size __husk_syscall_entry, . - __husk_syscall_entry

        .section .note.GNU-stack, "", @progbits
