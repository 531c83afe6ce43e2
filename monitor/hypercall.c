/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * hypercall.c: the hypercall table and the dispatcher. The dispatcher does
 * every check that all calls share (address, size, alignment, number, the
 * argument struct inside guest memory) before any handler runs, for both
 * backends (a KVM exit decodes to the same number and argument as the
 * process backend's call), and hands
 * the handler a private copy of the struct, so that no handler can forget
 * a check or read a guest field twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "husk.h"

/* Every argument struct fits in this; checked at registration. */
#define HC_ARG_MAX 256

static int add(struct husk_vm *vm, unsigned nr, struct husk_hc_entry e)
{
    if (nr == 0 || nr >= HUSK_HC_MAX || vm->calls[nr].fn != NULL ||
        vm->calls[nr].dev_fn != NULL || e.arg_size == 0 ||
        e.arg_size > HC_ARG_MAX || e.arg_size % 8 != 0)
        return -1;
    vm->calls[nr] = e;
    return 0;
}

int husk_hc_register(struct husk_vm *vm, unsigned nr, const char *name,
                     size_t arg_size, husk_hc_fn fn)
{
    return add(
        vm, nr,
        (struct husk_hc_entry){.name = name, .arg_size = arg_size, .fn = fn});
}

int husk_hc_register_device(struct husk_vm *vm, unsigned nr, const char *name,
                            size_t arg_size, uint32_t kind, husk_hc_dev_fn fn)
{
    return add(vm, nr,
               (struct husk_hc_entry){.name = name,
                                      .arg_size = arg_size,
                                      .dev_fn = fn,
                                      .device_kind = kind});
}

void husk_hc_mark_tls_free(struct husk_vm *vm, unsigned nr)
{
    if (nr < HUSK_HC_MAX)
        vm->calls[nr].tls_free = true;
}

/* How a message names a device kind. */
static const char *device_noun(uint32_t kind)
{
    return kind == HUSK_DEVICE_BLOCK ? "block" : "network";
}

/* A device call: the handle its struct starts with must name a device of
 * the call's kind (a handle is the device's place on the command line). */
static enum husk_hc_result device_call(struct husk_vm *vm,
                                       const struct husk_hc_entry *call,
                                       void *arg)
{
    uint32_t handle;
    memcpy(&handle, arg, sizeof(handle));
    if (handle >= vm->cfg->device_count ||
        vm->cfg->devices[handle].kind != call->device_kind)
        return husk_violation(vm, "%s: %u is not a %s device", call->name,
                              handle, device_noun(call->device_kind));
    return call->dev_fn(vm, vm->devices[handle], arg);
}

enum husk_hc_result husk_violation(struct husk_vm *vm, const char *fmt, ...)
{
    husk_own_tls();
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->message, sizeof(vm->message), fmt, ap);
    va_end(ap);
    vm->exit_code = HUSK_EXIT_VIOLATION;
    return HUSK_HC_VIOLATION;
}

enum husk_hc_result husk_hc_dispatch(struct husk_vm *vm, uint64_t gpa,
                                     uint32_t len, bool is_write,
                                     const uint8_t *data)
{
    if (gpa < HUSK_HC_BASE || gpa - HUSK_HC_BASE >= HUSK_PAGE_SIZE)
        return husk_violation(vm,
                              "%s of %u bytes at 0x%llx, which is neither "
                              "guest memory nor the hypercall page",
                              is_write ? "store" : "load", len,
                              (unsigned long long)gpa);
    uint64_t off = gpa - HUSK_HC_BASE;
    if (!is_write || len != 8 || off % 8 != 0)
        return husk_violation(vm,
                              "%s of %u bytes at hypercall page offset 0x%llx; "
                              "a hypercall is an aligned 8-byte store",
                              is_write ? "store" : "load", len,
                              (unsigned long long)off);
    uint64_t arg_gpa;
    memcpy(&arg_gpa, data, sizeof(arg_gpa));
    return husk_hc_call(vm, off / 8, arg_gpa);
}

enum husk_hc_result husk_hc_call(struct husk_vm *vm, uint64_t nr,
                                 uint64_t arg_gpa)
{
    if (nr >= HUSK_HC_MAX ||
        (vm->calls[nr].fn == NULL && vm->calls[nr].dev_fn == NULL))
        return husk_violation(vm, "unknown hypercall %llu",
                              (unsigned long long)nr);
    const struct husk_hc_entry *call = &vm->calls[nr];
    vm->calls_made[nr]++;

    if (arg_gpa % 8 != 0)
        return husk_violation(vm, "%s: argument 0x%llx is not 8-byte aligned",
                              call->name, (unsigned long long)arg_gpa);
    /* The struct is written back: the guest's own memory only. A fault
     * frame is on the exception stack, and the fault call never returns. */
    uint8_t *guest_arg = husk_gpa_range(vm, arg_gpa, call->arg_size);
    const void *src = nr == HUSK_HC_FAULT
                          ? husk_gpa_fault_frame(vm, arg_gpa, call->arg_size)
                          : guest_arg;
    if (src == NULL)
        return husk_violation(vm,
                              "%s: argument 0x%llx+%zu lies outside guest "
                              "memory (%llu MiB)",
                              call->name, (unsigned long long)arg_gpa,
                              call->arg_size,
                              (unsigned long long)(vm->mem_size >> 20));

    _Alignas(8) uint8_t arg[HC_ARG_MAX];
    memcpy(arg, src, call->arg_size);
    enum husk_hc_result r =
        call->dev_fn != NULL ? device_call(vm, call, arg) : call->fn(vm, arg);
    if (r == HUSK_HC_DONE && guest_arg != NULL)
        memcpy(guest_arg, arg, call->arg_size);
    return r;
}
