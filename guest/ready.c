/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * ready.c: husk_ready() (<husk.h>), where husk --snapshot-to takes its
 * snapshot, and husk_resume, where an instance restored from it
 * (husk --restore) comes back to life. An embedder's snapshot is taken
 * while the guest waits for a call (calls.c), which saves the same way.
 *
 * The monitor keeps no CPU state in a snapshot: guest memory is all it
 * writes. So before the ready call the guest saves here, in its own
 * memory, what it needs to go on: its registers (setjmp: the call is a
 * function call, so the callee-saved ones and the stack are all there
 * is) and its clock. A restored instance enters at _start like a boot,
 * with HUSK_FEATURE_RESUMED in the boot information; crt0.S moves to the
 * stack below, as the entry stack is the main thread's, with its frames
 * still on it, and husk_resume sets up again what belongs to the host
 * (the hypercall entry, the clock, the thread pointer, the block queues)
 * and returns from husk_ready with 1.
 */
#include <setjmp.h>

#include "include/husk.h"
#include "driver.h"
#include "guest.h"

_Static_assert(HUSK_FEATURE_RESUMED == 0x80, "crt0.S tests bit 7");
_Static_assert(offsetof(struct husk_bootinfo, features) == 40,
               "crt0.S reads features at 40");

/* husk_resume's stack: the calls it makes need little (under the process
 * backend a hypercall runs on the monitor's stack). */
#define RESUME_STACK_SIZE 16384
_Static_assert(RESUME_STACK_SIZE == 16384, "crt0.S sets %rsp to its end");
_Alignas(16) uint8_t husk_resume_stack[RESUME_STACK_SIZE];

jmp_buf husk_resume_point;
static uint64_t resume_ns; /* the monotonic clock when armed */
static bool resume_armed;

static bool ready_called;

int husk_ready(void)
{
    if (ready_called || !(husk_boot->features & HUSK_FEATURE_READY))
        return 0;
    ready_called = true;
    if (setjmp(husk_resume_point) != 0)
        return 1; /* from husk_resume, in a restored instance */
    husk_resume_arm();
    struct husk_hc_ready a = {0};
    husk_hypercall(HUSK_HC_READY, &a);
    return 0; /* no snapshot asked for: the run goes on */
}

void husk_resume_arm(void)
{
    /* What is queued would be lost with the run. */
    husk_drivers_flush();
    resume_ns = husk_monotonic_ns();
    resume_armed = true;
}

_Noreturn void husk_resume(const struct husk_bootinfo *bi)
{
    /* As husk_start: first what the panic below needs. */
    husk_hc_entry = bi->features & HUSK_FEATURE_HC_CALL
                        ? (void (*)(uint64_t, uint64_t))(uintptr_t)bi->hc_call
                        : NULL;
    if (bi->magic != HUSK_BOOTINFO_MAGIC || bi->abi_version != HUSK_ABI_VERSION)
        husk_panic("boot information from an incompatible monitor");
    if (!resume_armed)
        husk_panic("resumed, but this memory holds no point to resume at");
    husk_boot = bi;
    husk_thread_resume();
    /* The clock goes on from where it stood at the ready call: time
     * spent in the file does not pass for the guest's timers. */
    husk_clock_resume(bi, resume_ns);
    husk_drivers_resume();
    longjmp(husk_resume_point, 1);
}
