/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * crt0.S: the image's entry point and its Husk ABI note. The monitor
 * enters here in 64-bit mode at CPL3 with %rdi = boot information and
 * %rsp = top of memory; there is no code at CPL0.
 *
 * An image is also an ordinary static ELF that Linux will exec (a user's
 * `./app.husk`, a project's make running its self-test). Linux enters
 * with every register but %rsp zero and %rsp at argc, argv: the image
 * then only says how to run it (not_booted.c). Both backends put the
 * boot information below HUSK_LOAD_MIN, never at 0, and %rsp at or below
 * HUSK_MEM_MAX; Linux's stack lies far above it. Either sign is enough,
 * and neither check reads memory.
 */
#include "../abi/husk_abi.h"

/* HUSK_LOAD_MIN and HUSK_MEM_MAX, whose ULL gas does not read
 * (not_booted.c checks that they agree). */
#define BOOT_LOAD_MIN 0x100000
#define BOOT_MEM_MAX 0x800000000

        .text
        .globl _start
        .type _start, @function
_start:
        xor %ebp, %ebp          /* outermost frame, for debuggers */
        lea -1(%rdi), %rax      /* 0 < %rdi < HUSK_LOAD_MIN, unsigned */
        cmp $BOOT_LOAD_MIN - 1, %rax
        jae 1f
        mov $BOOT_MEM_MAX, %rax
        cmp %rax, %rsp
        ja 1f
        testb $0x80, 40(%rdi)   /* features & HUSK_FEATURE_RESUMED */
        jnz 2f
        and $-16, %rsp
        call husk_start         /* never returns */
        ud2
        /* A snapshot restored: the entry stack holds the main thread's
         * frames (guest/ready.c), so another one. */
2:      lea husk_resume_stack+16384(%rip), %rsp
        call husk_resume        /* never returns */
        ud2
1:      mov (%rsp), %rdi        /* Linux's argc */
        lea 8(%rsp), %rsi       /* and argv */
        and $-16, %rsp
        call husk_not_booted    /* never returns */
        ud2
        .size _start, . - _start

/* The monitor refuses an image without this note, or with another ABI. */
        .section .note.husk, "a", @note
        .balign 4
        .long 5                 /* n_namesz: "Husk" and its NUL */
        .long 8                 /* n_descsz: struct husk_note_abi */
        .long HUSK_NOTE_ABI
        .asciz "Husk"
        .balign 4
        .long HUSK_ABI_VERSION
        .long 0

        .section .note.GNU-stack, "", @progbits
