/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fakevm.h: a struct husk_vm without KVM, for the hypercall tests. Guest
 * memory is a plain heap buffer: page-aligned (mem_discard's madvise needs
 * that) and allocated through ASan, which sees any access past its end.
 */
#ifndef HUSK_FAKEVM_H
#define HUSK_FAKEVM_H

#include "husk.h"

#define FAKEVM_MEM (4ULL << 20)

/* A zeroed VM with FAKEVM_MEM bytes of zeroed guest memory, no calls, and
 * a zeroed configuration (vm->cfg, writable: the test may set fields). */
struct husk_vm *fakevm_new(void);

/* The guest's 8-byte store of arg_gpa to hypercall number nr. */
enum husk_hc_result fakevm_call(struct husk_vm *vm, unsigned nr,
                                uint64_t arg_gpa);

/* Any access to gpa, as KVM reports an MMIO exit; value is the stored data. */
enum husk_hc_result fakevm_access(struct husk_vm *vm, uint64_t gpa,
                                  uint32_t len, bool is_write, uint64_t value);

#endif
