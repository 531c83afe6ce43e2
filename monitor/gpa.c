/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * gpa.c: checked translation of guest-physical ranges to host pointers.
 *
 * Below HUSK_LOAD_MIN everything is the monitor's, and a hypercall never
 * makes the monitor write any of it: not the GDT or the page tables, not
 * the exception stub (which the guest cannot write either: a block read
 * into it would let the guest swallow its own faults), not the exception
 * stack or the boot information. The only exceptions are reads: of the
 * boot data (a program may print its argv[0] straight from where the
 * monitor put it) and of a fault frame on the exception stack.
 */
#include <stdbool.h>

#include "husk.h"

/* The boot data the guest reads and may pass on: boot information, argv
 * and its strings, the program headers (bootinfo.c); and after the
 * exception stub and stack, the environment (bootinfo.c). */
#define BOOT_DATA_END HUSK_TRAP_CODE_GPA
#define ENV_DATA_GPA HUSK_TRAP_STACK_TOP
/* The exception stack, where the stub builds the fault call's frame. */
#define TRAP_STACK_GPA (HUSK_TRAP_STACK_TOP - HUSK_PAGE_SIZE)

_Static_assert(BOOT_DATA_END <= HUSK_TRAP_CODE_GPA &&
                   TRAP_STACK_GPA >= HUSK_TRAP_CODE_GPA + HUSK_PAGE_SIZE &&
                   HUSK_TRAP_STACK_TOP <= HUSK_BOOT_END,
               "neither range may take in the exception stub");
_Static_assert(ENV_DATA_GPA >= HUSK_TRAP_STACK_TOP, "nor the stack");

/* True if [gpa, gpa + len) lies inside [lo, hi); no sum can overflow. */
static bool inside(uint64_t gpa, uint64_t len, uint64_t lo, uint64_t hi)
{
    return gpa >= lo && gpa <= hi && len <= hi - gpa;
}

void *husk_gpa_range(const struct husk_vm *vm, uint64_t gpa, uint64_t len)
{
    if (inside(gpa, len, HUSK_LOAD_MIN, vm->mem_size))
        return vm->mem + gpa;
    return NULL;
}

const void *husk_gpa_range_ro(const struct husk_vm *vm, uint64_t gpa,
                              uint64_t len)
{
    if (inside(gpa, len, HUSK_BOOT_GPA, BOOT_DATA_END) ||
        inside(gpa, len, ENV_DATA_GPA, HUSK_BOOT_END))
        return vm->mem + gpa;
    return husk_gpa_range(vm, gpa, len);
}

const void *husk_gpa_fault_frame(const struct husk_vm *vm, uint64_t gpa,
                                 uint64_t len)
{
    if (inside(gpa, len, TRAP_STACK_GPA, HUSK_TRAP_STACK_TOP))
        return vm->mem + gpa;
    return husk_gpa_range(vm, gpa, len);
}
