/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* gpa.c: checked translation of guest-physical ranges to host pointers. */
#include "husk.h"

void *husk_gpa_range(const struct husk_vm *vm, uint64_t gpa, uint64_t len)
{
    /* Written so that no sum can overflow: gpa <= size, len <= size - gpa. */
    if (gpa > vm->mem_size || len > vm->mem_size - gpa)
        return NULL;
    return vm->mem + gpa;
}
