/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* fakevm.c: the fake VM of fakevm.h. */
#include <stdlib.h>
#include <string.h>

#include "fakevm.h"
#include "unit.h"

struct husk_vm *fakevm_new(void)
{
    struct husk_vm *vm = calloc(1, sizeof(*vm));
    struct husk_config *cfg = calloc(1, sizeof(*cfg)); /* no console limit */
    uint8_t *mem = aligned_alloc(HUSK_PAGE_SIZE, FAKEVM_MEM);
    if (vm == NULL || cfg == NULL || mem == NULL)
        FAIL("out of memory for the fake VM");
    vm->cfg = cfg;
    memset(mem, 0, FAKEVM_MEM);
    vm->mem = mem;
    vm->mem_size = FAKEVM_MEM;
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
    for (int h = 0; h < HUSK_POLL_FDS_MAX; h++)
        vm->poll_fds[h] = -1;
    return vm;
}

enum husk_hc_result fakevm_access(struct husk_vm *vm, uint64_t gpa,
                                  uint32_t len, bool is_write, uint64_t value)
{
    /* KVM's run->mmio.data is 8 bytes whatever len says. */
    uint8_t data[8];
    memcpy(data, &value, sizeof(data));
    return husk_hc_dispatch(vm, gpa, len, is_write, data);
}

enum husk_hc_result fakevm_call(struct husk_vm *vm, unsigned nr,
                                uint64_t arg_gpa)
{
    return fakevm_access(vm, HUSK_HC_BASE + 8ULL * nr, 8, true, arg_gpa);
}
