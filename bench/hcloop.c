/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * hcloop.c: the hypercall round trip. A Husk guest that makes N wallclock
 * hypercalls through the raw ABI (a store of the argument's address to
 * the hypercall page under KVM, a call of the monitor's entry under the
 * process backend, as libhusk does) and prints "ns_per_call X". The
 * wallclock call is the cheapest one with a real handler: the monitor
 * checks the store and the argument and reads CLOCK_REALTIME. Its floor is
 * `kvm_floor N` (the same store as a bare MMIO exit). Timed with the
 * guest's TSC clock: no exit of its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "abi/husk_abi.h"

/* libhusk's transport under the process backend (guest/guest.h). */
extern void (*husk_hc_entry)(uint64_t nr, uint64_t arg_gpa);

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char *argv[])
{
    long calls = argc > 1 ? atol(argv[1]) : 10000;
    static struct husk_hc_wallclock w;
    uint64_t last = 0;
    double t0 = now_ns();
    for (long i = 0; i < calls; i++) {
        if (husk_hc_entry != NULL) /* the process backend: a call */
            husk_hc_entry(HUSK_HC_WALLCLOCK, (uint64_t)(uintptr_t)&w);
        else
            __asm__ volatile(
                "movq %1, %0"
                : "=m"(
                    *(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE +
                                                      8ULL * HUSK_HC_WALLCLOCK))
                : "r"((uint64_t)(uintptr_t)&w)
                : "memory");
        if (w.ns < last) /* the handler really ran: the clock moved on */
            return 1;
        last = w.ns;
    }
    printf("ns_per_call %.0f\n", calls > 0 ? (now_ns() - t0) / calls : 0.0);
    return 0;
}
