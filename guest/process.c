/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* process.c: the calls about "the process": identity and TLS (signals:
 * signal.c). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/utsname.h>
#include <x86intrin.h>

#include "guest.h"

/* arch_prctl codes (Linux <asm/prctl.h>, which musl does not ship) */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

long husk_sys_uname(struct utsname *u)
{
    memset(u, 0, sizeof(*u));
    strcpy(u->sysname, "Husk");
    strcpy(u->nodename, "husk");
    strcpy(u->release, "0.1.0");
    strcpy(u->version, "Husk ABI 1");
    strcpy(u->machine, "x86_64");
    return 0;
}

/* TLS. Under KVM the monitor enables CR4.FSGSBASE, so ring 3 sets %fs
 * itself. A process backend on a host kernel without user FSGSBASE says
 * so (HUSK_FEATURE_TLS_CALL): there wrfsbase faults, and the monitor, which
 * switches %fs on every call anyway, keeps the guest's base for it. */
static uint64_t tls_base[2]; /* fs, gs: what the guest last set */

static long set_tls_call(uint32_t which, uintptr_t addr)
{
    struct husk_hc_set_tls t = {.base = addr, .which = which};
    husk_hypercall(HUSK_HC_SET_TLS, &t);
    tls_base[which - HUSK_TLS_FS] = addr;
    return 0;
}

__attribute__((target("fsgsbase"))) long husk_sys_arch_prctl(int code,
                                                             uintptr_t addr)
{
    bool by_call = husk_boot->features & HUSK_FEATURE_TLS_CALL;
    switch (code) {
    case ARCH_SET_FS:
        if (by_call)
            return set_tls_call(HUSK_TLS_FS, addr);
        _writefsbase_u64(addr);
        return 0;
    case ARCH_GET_FS:
        *(uint64_t *)addr = by_call ? tls_base[0] : _readfsbase_u64();
        return 0;
    case ARCH_SET_GS:
        if (by_call)
            return set_tls_call(HUSK_TLS_GS, addr);
        _writegsbase_u64(addr);
        return 0;
    case ARCH_GET_GS:
        *(uint64_t *)addr = by_call ? tls_base[1] : _readgsbase_u64();
        return 0;
    default:
        return -EINVAL;
    }
}
