/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * thread_stack.c: a thread stack's overflow, found without a guard page.
 * libhusk cannot change the guest's mappings (the page tables are the
 * monitor's; the process backend's filter allows no mprotect), so the
 * guard musl asks for below each thread stack (mmap PROT_NONE, then
 * mprotect of all but its bottom to read-write) is filled with a pattern,
 * and every system call and switch checks the stack pointer against the
 * stack's bounds and the pattern at the guard's ends and middle. An
 * overflow ends the guest with a crash report naming the thread (139),
 * at the thread's next system call or switch: after the fact, but before
 * it runs on.
 */
#include <sys/mman.h>

#include "guest.h"
#include "thread.h"

/* The guard musl asked for (mmap PROT_NONE, then mprotect of its upper
 * part to read-write) just before the clone that uses it. */
static uintptr_t guard_map_lo, guard_map_hi, guard_rw_lo;

#define GUARD_PATTERN 0x6875736b67756172ULL /* "huskguar" */

/* The stack a new thread was given, if musl mapped it with a guard. */
void husk_thread_take_stack(struct husk_thread *t, uintptr_t sp)
{
    uintptr_t lo = guard_map_lo, rw = guard_rw_lo, hi = guard_map_hi;
    guard_map_lo = guard_map_hi = guard_rw_lo = 0; /* used once */
    if (sp <= rw || sp > hi || rw == lo)
        return; /* the application's own stack: bounds unknown */
    t->stack_lo = lo;
    t->guard_hi = rw;
    t->stack_hi = hi;
    for (uint64_t *p = (uint64_t *)lo; p < (uint64_t *)rw; p++)
        *p = GUARD_PATTERN;
}

void husk_thread_note_guard(uintptr_t addr, size_t len, int prot)
{
    if (prot == PROT_NONE) { /* musl: the whole mapping, first */
        guard_map_lo = addr;
        guard_map_hi = addr + len;
        guard_rw_lo = addr + len;
    } else if (addr > guard_map_lo && addr < guard_map_hi &&
               addr + len == guard_map_hi) {
        guard_rw_lo = addr; /* then all of it but the guard */
    }
}

static _Noreturn void overflowed(const struct husk_thread *t, uintptr_t sp,
                                 const char *how)
{
    char line[320];
    char num[24];
    size_t len = 0;
    const char *parts[] = {"husk: guest crashed: stack overflow in thread ",
                           NULL,
                           ": ",
                           how,
                           " (stack 0x",
                           NULL,
                           "-0x",
                           NULL,
                           ", guard below 0x",
                           NULL,
                           ", sp=0x",
                           NULL,
                           "); give it a larger stack "
                           "(pthread_attr_setstacksize)\n"};
    uintptr_t hex[] = {t->stack_lo, t->stack_hi, t->guard_hi, sp};
    unsigned h = 0;
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
        const char *s = parts[p];
        if (p == 1) {
            int n = t->tid, i = (int)sizeof(num) - 1;
            num[i] = '\0';
            do
                num[--i] = (char)('0' + n % 10);
            while ((n /= 10) != 0);
            s = num + i;
        } else if (s == NULL) {
            uintptr_t v = hex[h++];
            int i = (int)sizeof(num) - 1;
            num[i] = '\0';
            do
                num[--i] = "0123456789abcdef"[v % 16];
            while ((v /= 16) != 0);
            s = num + i;
        }
        for (; *s != '\0' && len < sizeof(line) - 1; s++)
            line[len++] = *s;
    }
    line[len] = '\0';
    husk_console_note(line);
    husk_exit(139); /* as the monitor's crash report ends */
}

void husk_thread_check_stack(void)
{
    const struct husk_thread *t = husk_thread_cur;
    if (t->guard_hi == 0)
        return;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (sp < t->guard_hi || sp >= t->stack_hi)
        overflowed(t, sp, "its stack pointer is outside its stack");
    /* The guard's ends and its middle: an overflow writes them first. */
    const uint64_t *g = (const uint64_t *)t->stack_lo;
    size_t words = (t->guard_hi - t->stack_lo) / 8;
    if (g[words - 1] != GUARD_PATTERN || g[words / 2] != GUARD_PATTERN ||
        g[0] != GUARD_PATTERN)
        overflowed(t, sp, "the guard page below its stack was written");
}
