/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* gpa.c: checked translation of guest-physical ranges to host pointers. */
#include <stdbool.h>

#include "husk.h"

/* True if [gpa, gpa + len) lies inside [lo, hi); no sum can overflow. */
static bool inside(uint64_t gpa, uint64_t len, uint64_t lo, uint64_t hi)
{
    return gpa >= lo && gpa <= hi && len <= hi - gpa;
}

void *husk_gpa_range(const struct husk_vm *vm, uint64_t gpa, uint64_t len)
{
    /* Only what the guest itself may touch: the boot area and everything
     * from the image up. Below HUSK_BOOT_GPA live the GDT and the page
     * tables; a hypercall must never make the monitor write them. */
    if (inside(gpa, len, HUSK_LOAD_MIN, vm->mem_size) ||
        inside(gpa, len, HUSK_BOOT_GPA, HUSK_BOOT_END))
        return vm->mem + gpa;
    return NULL;
}
