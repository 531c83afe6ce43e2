/* raw_hc.h: the hostile guests' raw hypercall, by whichever transport the
 * monitor gave this guest: a store of the argument's address to the
 * hypercall page under KVM, a call of the monitor's entry under the
 * process backend (libhusk's husk_hc_entry, set from the boot
 * information; guest/guest.h). Hostile guests bypass libhusk's drivers,
 * not its start-up. */
#ifndef RAW_HC_H
#define RAW_HC_H

#include <stdint.h>

#include "abi/husk_abi.h"

extern void (*husk_hc_entry)(uint64_t nr, uint64_t arg_gpa);

static inline void raw_hypercall(unsigned nr, uint64_t arg_gpa)
{
    if (husk_hc_entry != NULL) {
        husk_hc_entry(nr, arg_gpa);
        __asm__ volatile("" ::: "memory");
        return;
    }
    __asm__ volatile(
        "movq %1, %0"
        : "=m"(*(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE + 8ULL * nr))
        : "r"(arg_gpa)
        : "memory");
}

#endif
