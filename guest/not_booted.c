/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * not_booted.c: what an image does when Linux, not husk, starts it (a
 * user's `./app.husk`, or a project's `make` running its self-test): one
 * line on stderr that says how to run it, and status 126, a shell's "found
 * but cannot execute". Left to husk_start, it would read boot information
 * at address 0 and die of SIGSEGV, which says nothing.
 *
 * The only system calls in libhusk, and only here: crt0.S comes here only
 * when no monitor started the image, before anything else runs, so there
 * is no TLS, no heap and no hypercall, just the stack Linux gave.
 */
#include <sys/syscall.h>
#include <sys/uio.h>

#include "../abi/husk_abi.h"

/* crt0.S's copies of the two bounds that tell husk from Linux. */
_Static_assert(HUSK_LOAD_MIN == 0x100000 && HUSK_MEM_MAX == 0x800000000,
               "update BOOT_LOAD_MIN and BOOT_MEM_MAX in crt0.S");

_Noreturn void husk_not_booted(long argc, char **argv);

static long linux_syscall3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}

static struct iovec text(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return (struct iovec){.iov_base = (void *)s, .iov_len = n};
}

_Noreturn void husk_not_booted(long argc, char **argv)
{
    /* execve() with an empty argv: Linux >= 5.18 makes argv[0] "". */
    const char *name = argc > 0 && argv[0] != NULL ? argv[0] : "";
    const int named = name[0] != '\0';
    /* One writev: one line, not interleaved with another writer's. */
    const struct iovec line[] = {
        text(name),
        text(named ? ": " : ""),
        text("this is a Husk unikernel image; run it with: husk "),
        text(named ? name : "IMAGE"),
        text("\n"),
    };
    linux_syscall3(SYS_writev, 2, (long)line, sizeof(line) / sizeof(line[0]));
    for (;;)
        linux_syscall3(SYS_exit_group, 126, 0, 0);
}
