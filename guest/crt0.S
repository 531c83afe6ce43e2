/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * crt0.S: the image's entry point and its Husk ABI note. The monitor
 * enters here in 64-bit mode at CPL3 with %rdi = boot information and
 * %rsp = top of memory; there is no code at CPL0.
 */
#include "../abi/husk_abi.h"

        .text
        .globl _start
        .type _start, @function
_start:
        xor %ebp, %ebp          /* outermost frame, for debuggers */
        and $-16, %rsp
        call husk_start         /* never returns */
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
